"""The agenda takes a keyword (issue 10, point 29: it was a 500) and lists English translations in English (point 5)."""

import html as htmllib
import re

import pytest
from wagtail.models import Locale

pytestmark = pytest.mark.django_db


def titles(html):
    return {htmllib.unescape(t) for t in re.findall(r'class="fr-card__title"[^>]*><a href="[^"]+">([^<]+)</a>', html)}


@pytest.mark.parametrize("query", ["atelier", '"vacance', "vacance\x00", " ".join(["vacance"] * 200)])
def test_a_keyword_on_the_agenda_answers(client, workshop, make_event, search_index, query):
    make_event(title="Assises du commerce", slug="assises-commerce")
    search_index()
    response = client.get("/fr/evenements/", {"q": query})
    assert response.status_code == 200
    assert "Atelier vacance commerciale" in titles(response.content.decode())
    if query != "atelier":
        assert titles(response.content.decode()) == {"Atelier vacance commerciale"}
    past = client.get("/fr/evenements/", {"q": query, "quand": "passes"})
    assert past.status_code == 200


def test_english_agenda_lists_the_english_translation(client, agenda, workshop, make_event):
    en = Locale.objects.get(language_code="en")
    make_event(title="Assises du commerce", slug="assises-commerce")
    agenda_en = agenda.copy_for_translation(en)
    agenda_en.slug = "events"
    agenda_en.save_revision().publish()
    translated = workshop.copy_for_translation(en)
    translated.title = "Vacant shops workshop"
    translated.save_revision().publish()

    html = client.get("/en/events/").content.decode()
    assert titles(html) == {"Vacant shops workshop", "Assises du commerce"}
    assert re.search(r'class="fr-card__title"><a href="/en/events/[^"]+">Vacant shops workshop', html)
    assert re.search(r'class="fr-card__title" lang="fr"><a href="/fr/evenements/', html)
    assert "In French" in html
