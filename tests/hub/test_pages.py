import re

import pytest
from django.test import override_settings
from wagtail.models import Locale, Page, PageViewRestriction

from hub.models import HomePage, Programme, StandardPage
from hub.views import server_error


def test_root_redirects_to_french(client, core_site):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_home_page_in_french_and_english(client, core_site):
    fr = client.get("/fr/")
    assert fr.status_code == 200
    html = fr.content.decode()
    assert '<html lang="fr"' in html
    assert "Revitaliser les centres-villes, ensemble" in html
    # The header menu lists the pages flagged for menus, not the legal pages.
    assert 'href="/fr/le-reseau/"' in html and 'href="/fr/les-programmes/"' in html
    assert 'class="fr-nav__link" href="/fr/mentions-legales/"' not in html
    # Footer links to the mandatory pages.
    assert 'href="/fr/mentions-legales/"' in html and 'href="/fr/accessibilite/"' in html

    en = client.get("/en/")
    assert en.status_code == 200
    html = en.content.decode()
    assert '<html lang="en"' in html
    assert "Reviving town centres, together" in html
    assert 'href="/en/the-network/"' in html


def test_home_key_figures_come_from_the_database(client, core_site, abbeville):
    acv = Programme.objects.get(slug="acv", locale__language_code="fr")
    abbeville.programmes.add(acv)
    html = client.get("/fr/").content.decode()
    figure = re.search(r'hub-key-figure__value">(\d+)</span> <span class="hub-key-figure__label">communes ACV', html)
    assert figure and figure.group(1) == "1"


def test_language_switcher_links_to_the_translation(client, core_site):
    html = client.get("/fr/le-reseau/").content.decode()
    assert 'hreflang="en" lang="en" href="/en/the-network/"' in html
    html = client.get("/en/the-network/").content.decode()
    assert 'hreflang="fr" lang="fr" href="/fr/le-reseau/"' in html


def test_breadcrumb_and_skip_links(client, core_site):
    html = client.get("/fr/le-reseau/").content.decode()
    assert 'class="fr-breadcrumb"' in html
    assert 'aria-current="page">Le réseau<' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html


def test_unknown_page_gets_the_dsfr_404(client, core_site):
    response = client.get("/fr/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_server_error_page_renders_without_context(rf):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


def test_operator_brand_by_default_state_brand_when_set(client, core_site):
    html = client.get("/fr/").content.decode()
    assert 'class="fr-logo"' not in html
    assert "operator-font.css" in html
    assert "Réseau des centralités" in html
    with override_settings(HUB_STATE_BRAND=True):
        html = client.get("/fr/").content.decode()
    assert 'class="fr-logo"' in html
    assert "operator-font.css" not in html


def test_security_headers_and_script_nonce(client, core_site):
    response = client.get("/fr/")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"


def test_standard_page_can_live_under_home_only(core_site):
    assert "hub.HomePage" in StandardPage.parent_page_types
    root = Page.get_first_root_node()
    assert HomePage.can_exist_under(root)
    assert not StandardPage.can_exist_under(root)
    # One home page per locale tree: a second French one cannot be added.
    assert not HomePage.can_create_at(root)


def test_programmes_are_translated_snippets(core_site):
    fr = Programme.objects.get(slug="pvd", locale__language_code="fr")
    en = fr.get_translation(Locale.objects.get(language_code="en"))
    assert en.slug == "pvd" and en.translation_key == fr.translation_key
    assert en.name != fr.name


@pytest.mark.parametrize("path", ["/fr/recherche/", "/en/search/"])
def test_search_page_is_language_prefixed(client, core_site, path):
    assert client.get(path).status_code == 200


def test_search_groups_results_by_page_type(client, core_site, search_index):
    search_index()
    response = client.get("/fr/recherche/", {"q": "programmes"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pages standard" in html
    assert 'href="/fr/les-programmes/"' in html
    # English pages are not mixed into French results.
    assert "/en/the-programmes/" not in html


def test_search_with_no_result_and_odd_input(client, core_site, search_index):
    search_index()
    html = client.get("/fr/recherche/", {"q": "zzzzqqq"}).content.decode()
    assert "0 résultat" in html
    for odd in ["'", '"', "%", "a" * 500, "<script>", "OR AND NOT", "page=abc"]:
        assert client.get("/fr/recherche/", {"q": odd, "page": "x"}).status_code == 200


def test_private_and_draft_pages_stay_out_of_api_search_and_sitemap(client, core_site, search_index):
    draft = StandardPage(title="Brouillon confidentiel", slug="brouillon", live=False)
    core_site.add_child(instance=draft)
    private = StandardPage(title="Réservé aux membres", slug="reserve")
    core_site.add_child(instance=private)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    search_index()

    api = client.get("/api/v2/pages/", {"limit": 100}).json()
    titles = {item["title"] for item in api["items"]}
    assert "Le réseau" in titles and "The network" in titles
    assert "Brouillon confidentiel" not in titles and "Réservé aux membres" not in titles

    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/fr/le-reseau/" in sitemap and "/en/the-network/" in sitemap
    assert "/fr/reserve/" not in sitemap and "/fr/brouillon/" not in sitemap

    html = client.get("/fr/recherche/", {"q": "confidentiel"}).content.decode()
    assert "Brouillon confidentiel" not in html
    html = client.get("/fr/recherche/", {"q": "membres"}).content.decode()
    assert "Réservé aux membres" not in html
