"""The directory shows each profile, and each field, only to whom it may."""

import pytest

from network.factories import MemberFactory
from network.models import Role, Visibility

pytestmark = pytest.mark.django_db

URL = "/fr/annuaire/"


def test_visitors_see_public_profiles_only(client, people):
    html = client.get(URL).content.decode()
    assert "Paula Publique" in html
    for hidden in ("Marc Réservé", "Hugo Masqué", "Nina Sansaccord"):
        assert hidden not in html
    assert "1 résultat" in html


def test_members_also_see_members_only_profiles_but_never_hidden_ones(member_client, people):
    html = member_client.get(URL).content.decode()
    assert "Paula Publique" in html and "Marc Réservé" in html
    assert "Hugo Masqué" not in html and "Nina Sansaccord" not in html


def test_profile_urls_answer_404_alike_for_unknown_hidden_and_members_only(client, people):
    assert client.get(f"{URL}paula-publique/").status_code == 200
    assert client.get(f"{URL}marc-reserve/").status_code == 404
    assert client.get(f"{URL}hugo-masque/").status_code == 404
    assert client.get(f"{URL}nina-sansaccord/").status_code == 404
    assert client.get(f"{URL}personne-inconnue/").status_code == 404


def test_members_only_fields_are_shown_to_members_only(client, people, django_user_model):
    public = people["public"]
    visitor_html = client.get(f"{URL}{public.slug}/").content.decode()
    assert "Manager du centre-ville depuis 2019." in visitor_html
    assert public.phone not in visitor_html
    client.force_login(people["members"].user)
    member_html = client.get(f"{URL}{public.slug}/").content.decode()
    assert public.phone in member_html
    # An account without a member profile (not staff) is not a member.
    client.force_login(django_user_model.objects.create_user("visiteur", "visiteur@example.org", "x" * 14))
    assert client.get(f"{URL}marc-reserve/").status_code == 404


def test_no_email_address_is_ever_printed(member_client, people):
    for url in (URL, f"{URL}paula-publique/", f"{URL}marc-reserve/"):
        html = member_client.get(url).content.decode()
        for member in people.values():
            assert member.user.email not in html
        assert "@reseau.example" not in html


def test_facets_filter_and_count(client, directory, abbeville):
    MemberFactory(first_name="Élise", last_name="Élue", role=Role.ELECTED, commune=abbeville)
    MemberFactory(first_name="Théo", last_name="Technicien", role=Role.TECHNICAL)
    MemberFactory(first_name="Ursule", last_name="Cachée", role=Role.ELECTED, visibility=Visibility.HIDDEN)
    html = client.get(URL, {"role": "elu"}).content.decode()
    assert "Élise Élue" in html and "Théo Technicien" not in html
    # The hidden elected member is not counted either.
    assert 'Élu·e <span class="hub-facet__count">(1)</span>' in html
    html = client.get(URL, {"departement": "80"}).content.decode()
    assert "Élise Élue" in html and "Théo Technicien" not in html
    assert client.get(URL, {"role": "inconnu", "page": "zzz"}).status_code == 200


def test_text_search_finds_visible_profiles_only(client, directory, search_index):
    MemberFactory(first_name="Rosalie", last_name="Vitrine", bio="Spécialiste des boutiques à l'essai.")
    MemberFactory(
        first_name="Rosalie", last_name="Secrète", bio="Boutiques à l'essai aussi.", visibility=Visibility.HIDDEN
    )
    search_index()
    html = client.get(URL, {"q": "boutiques"}).content.decode()
    assert "Rosalie Vitrine" in html
    assert "Rosalie Secrète" not in html


def test_hiding_a_profile_removes_it_from_the_cached_listing_at_once(client, people):
    assert "Paula Publique" in client.get(URL).content.decode()
    assert client.get(URL)["X-Hub-Cache"] == "hit"
    member = people["public"]
    member.visibility = Visibility.HIDDEN
    member.save()
    assert "Paula Publique" not in client.get(URL).content.decode()


def test_deactivated_accounts_disappear(client, people):
    user = people["public"].user
    user.is_active = False
    user.save()
    assert "Paula Publique" not in client.get(URL).content.decode()
    assert client.get(f"{URL}paula-publique/").status_code == 404


def test_sitemap_lists_public_profiles_only(client, people):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/fr/annuaire/paula-publique/" in xml
    assert "marc-reserve" not in xml and "hugo-masque" not in xml and "nina-sansaccord" not in xml


def test_english_directory_lists_the_same_profiles(client, people):
    html = client.get("/en/directory/").content.decode()
    assert "Paula Publique" in html and "Marc Réservé" not in html
