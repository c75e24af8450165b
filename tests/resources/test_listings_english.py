"""English listings show an item's English translation when there is one, else the French original marked
as French; each item once, so counts, exports and feeds stay exact (issue 10, point 5; point 12's sort)."""

import csv
import datetime
import html as htmllib
import io
import re

import pytest
from wagtail.models import Locale

from resources.factories import ResourceIndexPageFactory, ResourcePageFactory
from tests.resources.test_projetotheque import facet_counts, titles_in

pytestmark = pytest.mark.django_db


def translate(page, **fields):
    """A published English translation of `page` (its parents are translated first when needed)."""
    en = Locale.objects.get(language_code="en")
    translated = page.specific.copy_for_translation(en, copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


def english_index(index, slug):
    en = Locale.objects.get(language_code="en")
    translated = index.get_translation_or_none(en) or index.copy_for_translation(en)
    translated.slug = slug
    translated.save_revision().publish()
    return translated


def cards(html):
    """(title, href, lang attribute or None, has the "in French" badge) of each result card."""
    found = []
    for block in re.findall(r'<div class="fr-card__content">(.*?)</div>\s*</div>\s*</div>', html, re.S):
        title = re.search(r'class="fr-card__title"( lang="(\w+)")?><a href="([^"]+)">([^<]+)</a>', block)
        if title:
            name = htmllib.unescape(title.group(4))
            found.append((name, title.group(3), title.group(2), "hub-language-badge" in block))
    return found


def test_english_projetotheque_lists_translations_and_marks_french_originals(client, projetotheque):
    english_index(projetotheque["index"], "projects")
    halles = projetotheque["projects"]["halles"]
    translate(halles, title="Restoring the Abbeville market hall", summary="A covered market reopened.")

    response = client.get("/en/projects/", {"programme": "acv"})
    assert response.status_code == 200
    html = response.content.decode()
    by_title = {title: (href, lang, badge) for title, href, lang, badge in cards(html)}
    assert set(by_title) == {"Restoring the Abbeville market hall", "Opération façades de Cambrai"}
    href, lang, badge = by_title["Restoring the Abbeville market hall"]
    assert href.startswith("/en/projects/") and lang is None and not badge
    href, lang, badge = by_title["Opération façades de Cambrai"]
    assert href.startswith("/fr/") and lang == "fr" and badge
    assert "In French" in html

    # Counts stay one per project: the translation replaces its original, it is not added to it.
    everything = client.get("/en/projects/").content.decode()
    assert len(titles_in(everything)) == 6 and "6 results" in everything
    assert facet_counts(everything, "programme") == {"ACV": 2, "PVD": 3, "CVV": 1}

    # The French listing is unchanged.
    french = client.get("/fr/projetotheque/").content.decode()
    assert "Réhabilitation des halles d'Abbeville" in titles_in(french) and "Restoring" not in french

    export = client.get("/en/projects/export.csv", follow=True)
    assert export.status_code == 200
    content = b"".join(export.streaming_content) if export.streaming else export.content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 6

    feed = client.get("/en/projects/flux.xml", follow=True).content.decode()
    assert feed.count("<item>") == 6
    assert "/en/projects/" in feed and "Restoring the Abbeville market hall" in feed


def test_a_draft_translation_is_not_listed(client, projetotheque):
    english_index(projetotheque["index"], "projects")
    en = Locale.objects.get(language_code="en")
    draft = projetotheque["projects"]["halles"].copy_for_translation(en)
    draft.title = "Unpublished translation"
    draft.save_revision()
    html = client.get("/en/projects/").content.decode()
    assert "Unpublished translation" not in html
    assert "Réhabilitation des halles d'Abbeville" in titles_in(html)


def test_english_resource_library_lists_translations(client, core_site):
    index = ResourceIndexPageFactory(parent=core_site)
    guide = ResourcePageFactory(parent=index, title="Guide du commerce", date=datetime.date(2024, 3, 1))
    ResourcePageFactory(parent=index, title="Kit de concertation", date=datetime.date(2023, 6, 1))
    english_index(index, "resources")
    translate(guide, title="Retail guide")

    html = client.get("/en/resources/").content.decode()
    by_title = {title: (href, lang, badge) for title, href, lang, badge in cards(html)}
    assert set(by_title) == {"Retail guide", "Kit de concertation"}
    assert by_title["Retail guide"][0].startswith("/en/resources/") and not by_title["Retail guide"][2]
    assert by_title["Kit de concertation"][1] == "fr" and by_title["Kit de concertation"][2]


def test_a_keyword_sorts_by_relevance_and_the_sort_select_says_so(client, projetotheque, search_index):
    search_index()
    html = client.get("/fr/projetotheque/", {"q": "marché"}).content.decode()
    sort_select = re.search(r'<select[^>]*name="tri".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="pertinence"[^>]*selected', sort_select), sort_select
    assert "Pertinence" in sort_select
    ordered = [title for title, _href, _lang, _badge in cards(html)]
    # The market hall says "marché" in its summary and its tags, the shop only in its tags.
    assert ordered == ["Réhabilitation des halles d'Abbeville", "Boutique à l'essai à Saint-Denis"], ordered
    by_date = client.get("/fr/projetotheque/", {"q": "marché", "tri": "recent"}).content.decode()
    assert re.search(r'<option value="recent"[^>]*selected', by_date)
    # Without a keyword there is nothing to rank: no relevance choice.
    plain = client.get("/fr/projetotheque/").content.decode()
    assert 'value="pertinence"' not in plain
