import pytest
from django.urls import reverse

from hub.models import HomePage, Programme, StandardPage


@pytest.fixture
def editor_client(client, django_user_model, core_site):
    user = django_user_model.objects.create_superuser("editrice", "editrice@example.org", "un-mot-de-passe-solide")
    client.force_login(user)
    return client


def test_editors_can_open_the_core_page_editors(editor_client, core_site):
    for page in (HomePage.objects.first(), StandardPage.objects.first()):
        response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200, page
    add = reverse("wagtailadmin_pages:add", args=["hub", "standardpage", core_site.pk])
    assert editor_client.get(add).status_code == 200


def test_editors_can_add_a_standard_page_and_bad_input_gets_field_errors(editor_client, core_site):
    add = reverse("wagtailadmin_pages:add", args=["hub", "standardpage", core_site.pk])
    response = editor_client.post(add, {"title": "", "slug": "", "intro": "", "body-count": "0"})
    assert response.status_code == 200
    assert not StandardPage.objects.filter(slug="").exists()
    count = StandardPage.objects.count()
    response = editor_client.post(
        add, {"title": "Nouvelle page", "slug": "nouvelle-page", "intro": "Chapeau", "body-count": "0"}
    )
    assert response.status_code == 302
    assert StandardPage.objects.count() == count + 1


def test_programme_snippets_are_listed_with_their_translations(editor_client):
    response = editor_client.get(reverse("wagtailsnippets_hub_programme:list"))
    assert response.status_code == 200
    assert Programme.objects.filter(slug="acv").count() == 2


def test_an_abandoned_autosaved_new_page_does_not_block_creating_it_again(editor_client, core_site, django_user_model):
    """Issue 10, point 4: Wagtail 8 autosaves a new page as a draft; starting again with the same title works."""
    add = reverse("wagtailadmin_pages:add", args=["hub", "standardpage", core_site.pk])
    form = {"title": "Charte des contributions", "slug": "charte-des-contributions", "intro": "", "body-count": "0"}
    # The autosave of a form the editor then abandons (Wagtail's autosave posts and expects JSON).
    response = editor_client.post(add, form, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["success"] is True
    abandoned = StandardPage.objects.get(pk=response.json()["pk"])
    assert abandoned.slug == "charte-des-contributions" and not abandoned.live

    # The editor starts again from "Add a page" with the same title: the page is created with its slug.
    response = editor_client.post(add, {**form, "intro": "Deuxième essai"})
    assert response.status_code == 302, response.content.decode()[:2000]
    created = StandardPage.objects.get(intro="Deuxième essai")
    assert created.slug == "charte-des-contributions" and created.pk != abandoned.pk
    abandoned.refresh_from_db()
    assert abandoned.slug.startswith("charte-des-contributions-brouillon-")
    assert abandoned.url_path.endswith(f"/{abandoned.slug}/")


def test_another_editors_draft_or_a_published_page_still_holds_its_slug(editor_client, core_site, django_user_model):
    add = reverse("wagtailadmin_pages:add", args=["hub", "standardpage", core_site.pk])
    other = django_user_model.objects.create_superuser("autre", "autre@example.org", "un-mot-de-passe-solide")
    draft = StandardPage(title="Brouillon d'un autre", slug="brouillon-autre", live=False, owner=other)
    core_site.add_child(instance=draft)
    form = {"title": "Brouillon d'un autre", "slug": "brouillon-autre", "intro": "", "body-count": "0"}
    response = editor_client.post(add, form)
    assert response.status_code == 200 and "brouillon-autre" in response.content.decode()
    draft.refresh_from_db()
    assert draft.slug == "brouillon-autre"
