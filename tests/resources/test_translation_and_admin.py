"""Editors in the admin: taxonomy in the page's language, complete translations, French wording (issue 10, 2–3)."""

import datetime
import html

import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Task, Workflow
from wagtail_localize.models import OverridableSegment, StringSegment, TranslationSource

from hub.models import Programme, Thematic
from resources.factories import (
    ProjectIndexPageFactory,
    ProjectPageFactory,
    ResourceIndexPageFactory,
    ResourcePageFactory,
)
from resources.models import ProjectFundingLine, ProjectGalleryImage, ProjectPage, ProjectPartner, ResourcePage

ID = "5f0e9a64-3c1e-4a5b-9d77-2b8f8c1d2e01"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("redaction", "redaction@centralites.fr", "un-mot-de-passe-solide")


@pytest.fixture
def locales(core_site):
    return Locale.objects.get(language_code="fr"), Locale.objects.get(language_code="en")


@pytest.fixture
def sheet(core_site, abbeville, locales):
    """A French project sheet with every kind of content an English reader sees."""

    fr, _ = locales
    index = ProjectIndexPageFactory(parent=core_site)
    page = ProjectPageFactory(
        parent=index,
        title="Réhabilitation des halles d'Abbeville",
        slug="halles-abbeville",
        commune=abbeville,
        total_cost=1250000,
        start_year=2019,
        end_year=2022,
        summary="Un marché couvert rouvert au cœur de la ville.",
        contact_name="Camille Martin",
        contact_role="Manager de centre-ville",
        programmes=[Programme.objects.get(slug="acv", locale=fr)],
        thematics=[Thematic.objects.get(slug="commerce", locale=fr)],
        tags=["marché couvert"],
        body=[
            {"type": "section", "value": {"kind": "contexte", "text": "<p>Les halles étaient fermées.</p>"}},
            {
                "type": "key_figures",
                "value": {
                    "title": "Chiffres clés",
                    "figures": [{"type": "item", "value": {"value": "1,2 M€", "label": "coût total"}, "id": ID}],
                },
            },
        ],
    )
    image = get_image_model().objects.create(title="Halles", file=get_test_image_file())
    page.funding_lines.add(ProjectFundingLine(funder="État (DSIL)", amount=500000))
    page.partners.add(ProjectPartner(name="Banque des Territoires", role="Cofinancement de l'étude"))
    page.gallery_images.add(ProjectGalleryImage(image=image, alt="La halle", caption="La halle restaurée en 2022"))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def admin_html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def translate(page, locale):
    source, _ = TranslationSource.update_or_create_from_instance(page)
    translation, _ = source.create_or_update_translation(locale, publish=False, copy_parent_pages=True, fallback=True)
    return ProjectPage.objects.get(pk=translation.pk) if isinstance(page, ProjectPage) else translation.specific


@pytest.mark.django_db(transaction=False)
def test_french_edit_form_lists_french_terms_only(client, editor, sheet):
    client.force_login(editor)
    page_html = admin_html(client, f"/admin/pages/{sheet.pk}/edit/")
    assert "Action cœur de ville" in page_html
    assert "(town-centre action plan)" not in page_html
    assert "Economic and retail development" not in page_html
    assert page_html.count("Développement économique et commercial") == 1


def test_new_page_form_lists_the_locale_terms(client, editor, sheet):
    client.force_login(editor)
    page_html = admin_html(client, f"/admin/pages/add/resources/projectpage/{sheet.get_parent().pk}/")
    assert "Petites villes de demain" in page_html
    assert "(small towns of tomorrow)" not in page_html


def test_english_translation_points_to_english_terms_and_offers_only_them(client, editor, sheet, locales):
    fr, en = locales
    english = translate(sheet, en)
    assert [p.locale_id for p in english.programmes.all()] == [en.pk]
    assert list(english.programmes.values_list("slug", flat=True)) == ["acv"]
    assert list(english.thematics.values_list("name", flat=True)) == ["Economic and retail development"]
    # The French source still points to the French terms.
    assert list(sheet.programmes.values_list("locale_id", flat=True)) == [fr.pk]

    client.force_login(editor)
    page_html = admin_html(client, f"/admin/pages/{english.pk}/edit/")
    assert "Action cœur de ville (town-centre action plan)" in page_html
    assert "Développement économique et commercial" not in page_html

    # A later synchronisation after the French page changes its terms maps them again.
    sheet.thematics.set([Thematic.objects.get(slug="habitat", locale=fr)])
    sheet.save_revision().publish()
    english = translate(ProjectPage.objects.get(pk=sheet.pk), en)
    assert [(t.slug, t.locale_id) for t in english.thematics.all()] == [("habitat", en.pk)]


def test_taxonomy_filters_by_slug_keep_working_in_both_locales(sheet, locales):
    _, en = locales
    english = translate(sheet, en)
    assert ProjectPage.objects.filter(programmes__slug="acv", pk__in=[sheet.pk, english.pk]).count() == 2


def test_every_text_a_reader_sees_is_offered_and_facts_are_not(sheet):
    source, _ = TranslationSource.get_or_create_from_instance(sheet)
    strings = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    for text in (
        "Réhabilitation des halles d'Abbeville",
        "Un marché couvert rouvert au cœur de la ville.",
        "Les halles étaient fermées.",
        "Chiffres clés",
        "coût total",
        "État (DSIL)",
        "Cofinancement de l'étude",
        "La halle restaurée en 2022",
        "La halle",
        "Manager de centre-ville",
    ):
        assert text in strings, text
    # Facts are synchronised, not offered: no raw commune id, amount or year in the editor.
    contexts = set(StringSegment.objects.filter(source=source).values_list("context__path", flat=True))
    overridable = set(OverridableSegment.objects.filter(source=source).values_list("context__path", flat=True))
    offered = contexts | overridable
    for fact in ("commune", "total_cost", "start_year", "end_year", "status", "contact_name"):
        assert fact not in offered, fact
    assert not [path for path in offered if path.endswith((".amount", ".image", ".url"))]
    assert str(sheet.commune_id) not in {
        value for value in OverridableSegment.objects.filter(source=source).values_list("data_json", flat=True)
    }


def test_translation_copies_the_facts_and_translated_inline_items(sheet, locales):
    _, en = locales
    english = translate(sheet, en)
    assert english.commune_id == sheet.commune_id and english.total_cost == sheet.total_cost
    assert (english.start_year, english.end_year) == (2019, 2022)
    [line] = english.funding_lines.all()
    assert line.amount == 500000 and line.locale_id == en.pk
    assert [partner.role for partner in english.partners.all()] == ["Cofinancement de l'étude"]
    assert list(english.tags.names()) == ["marché couvert"]
    # The French page keeps its own items.
    assert ProjectFundingLine.objects.get(page_id=sheet.pk).locale.language_code == "fr"


def test_a_resource_offers_its_texts_and_synchronises_type_and_date(core_site, locales):
    index = ResourceIndexPageFactory(parent=core_site)
    resource = ResourcePageFactory(
        parent=index, title="Guide du commerce", summary="Diagnostiquer la vacance.", date=datetime.date(2024, 3, 1)
    )
    source, _ = TranslationSource.get_or_create_from_instance(resource)
    strings = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    assert {"Guide du commerce", "Diagnostiquer la vacance."} <= strings
    offered = set(OverridableSegment.objects.filter(source=source).values_list("context__path", flat=True))
    assert not offered & {"resource_type", "date", "video_url"}
    english, _ = source.create_or_update_translation(locales[1], publish=False, copy_parent_pages=True, fallback=True)
    assert ResourcePage.objects.get(pk=english.pk).date == datetime.date(2024, 3, 1)


def test_admin_wording_is_french_and_capitalised(client, editor, sheet):
    client.force_login(editor)
    page_html = admin_html(client, f"/admin/pages/{sheet.pk}/edit/")
    for wording in (
        "Ajouter un financement",
        "Ajouter un partenaire",
        "Ajouter une image",
        "Ajouter un document",
        "Ajouter un projet lié",
        "Ajouter une commune",
        "Rubrique",
    ):
        assert wording in page_html, wording
    assert "Ajouter Financements" not in page_html and "Ajouter Partenaires" not in page_html


def test_the_default_workflow_has_a_french_name(core_site):
    names = set(Workflow.objects.values_list("name", flat=True)) | set(Task.objects.values_list("name", flat=True))
    assert "Moderators approval" not in names
    assert "Validation par la modération" in names
