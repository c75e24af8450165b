import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page

from hub.models import Programme
from resources.models import ProjectIndexPage, ProjectPage, ResourcePage


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editrice", "editrice@example.org", "un-mot-de-passe-solide")
    client.force_login(user)
    return client


def test_editors_get_tabs_and_a_searchable_commune_chooser(editor, projetotheque, search_index):
    search_index()
    page = projetotheque["projects"]["halles"]
    html = editor.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    for tab in ("Fiche", "Territoire et thèmes", "Projet", "Médias et liens"):
        assert tab in html
    assert "Choisir une commune" in html or "Choisir une autre commune" in html
    results = editor.get(reverse("commune_chooser:choose_results"), {"q": "Doull"}).content.decode()
    assert "Doullens" in results and "Abbeville" not in results


def test_editors_cannot_save_an_end_year_before_the_start(editor, projetotheque):
    index = projetotheque["index"]
    add = reverse("wagtailadmin_pages:add", args=["resources", "projectpage", index.pk])
    assert editor.get(add).status_code == 200
    data = {
        "title": "Projet incohérent",
        "slug": "projet-incoherent",
        "summary": "Résumé",
        "commune": projetotheque["projects"]["halles"].commune_id,
        "status": "en-cours",
        "start_year": "2024",
        "end_year": "2020",
        "body-count": "0",
        "tags": "",
        "extra_commune_links-TOTAL_FORMS": "0",
        "extra_commune_links-INITIAL_FORMS": "0",
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "partners-TOTAL_FORMS": "0",
        "partners-INITIAL_FORMS": "0",
        "gallery_images-TOTAL_FORMS": "0",
        "gallery_images-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
    }
    response = editor.post(add, data)
    assert response.status_code == 200
    assert "précède l&#x27;année de début" in response.content.decode()
    assert not ProjectPage.objects.filter(slug="projet-incoherent").exists()
    data["end_year"] = "2026"
    assert editor.post(add, data).status_code == 302
    assert ProjectPage.objects.filter(slug="projet-incoherent").exists()


def test_load_demo_projects_and_resources_sizes_and_no_duplicates(core_site, territory):
    territory["abbeville"].programmes.add(Programme.objects.get(slug="acv", locale__language_code="fr"))
    call_command("load_demo", "--projects", "25", "--resources", "7", "--no-index", verbosity=0)
    index = ProjectIndexPage.objects.get(locale__language_code="fr")
    assert ProjectPage.objects.child_of(index).count() == 25
    assert ResourcePage.objects.count() == 7
    call_command("load_demo", "--projects", "25", "--resources", "7", "--no-index", verbosity=0)
    assert ProjectPage.objects.count() == 25 and ResourcePage.objects.count() == 7
    call_command("load_demo", "--projects", "30", "--resources", "7", "--no-index", verbosity=0)
    assert ProjectPage.objects.count() == 30
    assert Page.find_problems() == ([], [], [], [], [])
    assert len({p.commune_id for p in ProjectPage.objects.all()}) >= 2  # ACV town and small town
    assert all(p.gallery_images.exists() and p.funding_lines.exists() for p in ProjectPage.objects.all())
