"""An event's thematics are the terms of its own language, in the admin and in its English translation
(issue 10, point 2)."""

import html

import pytest
from wagtail.models import Locale
from wagtail_localize.models import TranslationSource

from events.models import EventPage
from hub.models import Thematic

pytestmark = pytest.mark.django_db


def test_english_event_points_to_english_thematics_and_the_form_offers_only_the_pages_terms(
    client, django_user_model, workshop
):
    fr, en = Locale.objects.get(language_code="fr"), Locale.objects.get(language_code="en")
    workshop.thematics.set([Thematic.objects.get(slug="commerce", locale=fr)])
    workshop.save_revision().publish()

    source, _ = TranslationSource.update_or_create_from_instance(workshop)
    translation, _ = source.create_or_update_translation(en, publish=False, copy_parent_pages=True, fallback=True)
    english = EventPage.objects.get(pk=translation.pk)
    assert [(t.slug, t.locale_id) for t in english.thematics.all()] == [("commerce", en.pk)]
    assert [t.locale_id for t in EventPage.objects.get(pk=workshop.pk).thematics.all()] == [fr.pk]

    client.force_login(django_user_model.objects.create_superuser("redac", "redac@centralites.fr", "mot-de-passe-1"))
    french_form = html.unescape(client.get(f"/admin/pages/{workshop.pk}/edit/").content.decode())
    english_form = html.unescape(client.get(f"/admin/pages/{english.pk}/edit/").content.decode())
    french_name = Thematic.objects.get(slug="commerce", locale=fr).name
    english_name = Thematic.objects.get(slug="commerce", locale=en).name
    assert french_name != english_name
    assert french_name in french_form and english_name not in french_form
    assert english_name in english_form and french_name not in english_form
