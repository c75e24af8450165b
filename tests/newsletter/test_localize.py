"""wagtail-localize: every text an English reader of an issue sees is offered for translation; the rest is
synchronised from the French issue (issue 10, point 3)."""

import re

import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale
from wagtail_localize.models import (
    OverridableSegment,
    RelatedObjectSegment,
    StringSegment,
    Translation,
    TranslationSource,
)

from newsletter.factories import NewsletterIssuePageFactory
from newsletter.models import NewsletterIssuePage
from resources.factories import ProjectIndexPageFactory, ProjectPageFactory


@pytest.fixture
def full_issue(archive, abbeville):
    image = Image.objects.create(title="Halle", file=get_test_image_file())
    project = ProjectPageFactory(
        parent=ProjectIndexPageFactory(parent=archive.get_parent()), title="Halles", commune=abbeville
    )
    issue = NewsletterIssuePageFactory(
        parent=archive,
        title="Lettre de décembre",
        slug="2026-12",
        subject="La lettre de décembre",
        preheader="Projets et rendez-vous",
        body=[
            {
                "type": "edito",
                "value": {"title": "Le mot du mois", "text": "<p>Bonne lecture.</p>", "signature": "L'équipe"},
            },
            {"type": "text", "value": {"title": "Un intertitre", "text": "<p>Un paragraphe.</p>"}},
            {"type": "image", "value": {"image": image.pk, "alt": "Une halle rénovée", "caption": "La halle"}},
            {
                "type": "featured_projects",
                "value": {"title": "Nos projets", "projects": [project.pk], "count": 3},
            },
            {"type": "upcoming_events", "value": {"title": "Nos rendez-vous", "count": 4}},
            {"type": "new_resources", "value": {"title": "Nos ressources", "count": 4}},
            {
                "type": "call_to_action",
                "value": {"text": "Proposez votre projet", "button_label": "Proposer", "page": None, "url": ""},
            },
        ],
    )
    return issue


def test_every_text_of_an_issue_is_offered_for_translation_and_the_rest_is_synchronised(full_issue):
    source, _created = TranslationSource.get_or_create_from_instance(full_issue)
    segments = StringSegment.objects.filter(source=source).exclude(context__path="slug")  # slugs are translated
    strings = set(segments.values_list("string__data", flat=True))
    expected = {
        "Lettre de décembre",
        "La lettre de décembre",
        "Projets et rendez-vous",
        "Le mot du mois",
        "Bonne lecture.",
        "L'équipe",
        "Un intertitre",
        "Un paragraphe.",
        "Une halle rénovée",
        "La halle",
        "Nos projets",
        "Nos rendez-vous",
        "Nos ressources",
        "Proposez votre projet",
        "Proposer",
    }
    assert expected <= strings, expected - strings
    assert not [s for s in strings if re.fullmatch(r"[\d\s.,-]+", s)], "a number offered as text"
    # Dates and the automatic blocks' counts are not offered as texts.
    assert not any(s.isdigit() for s in strings)
    # The chosen image and project page are synchronised, not offered as ids to translators.
    assert not RelatedObjectSegment.objects.filter(source=source).exists()
    assert not OverridableSegment.objects.filter(source=source).exists()


def test_the_translated_issue_keeps_the_french_date_and_settings(full_issue, archive):
    english_archive = archive.copy_for_translation(Locale.objects.get(language_code="en"))
    english_archive.save_revision().publish()
    source, _created = TranslationSource.get_or_create_from_instance(full_issue)
    translation = Translation.objects.create(source=source, target_locale=Locale.objects.get(language_code="en"))
    translation.save_target(publish=True)
    english = NewsletterIssuePage.objects.get(locale__language_code="en", translation_key=full_issue.translation_key)
    assert english.issue_date == full_issue.issue_date
    assert [block.value.get("count") for block in english.body if "count" in block.value] == [3, 4, 4]

    # A later change of date in French is synchronised to the English issue, not retranslated.
    full_issue.issue_date = full_issue.issue_date.replace(day=2)
    full_issue.save_revision().publish()
    source.update_from_db()
    translation.save_target(publish=True)
    english.refresh_from_db()
    assert english.issue_date == full_issue.issue_date
