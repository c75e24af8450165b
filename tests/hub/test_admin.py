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
