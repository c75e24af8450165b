"""Listings' response cache ignores unknown parameters (issue 10, point 33) and English keywords are stemmed in
English on PostgreSQL (point 6)."""

import pytest
from django.core.cache import cache

from events.factories import EventIndexPageFactory
from tests.conftest import without_nonce
from tests.resources.test_listings_english import english_index, translate
from tests.resources.test_projetotheque import titles_in

pytestmark = pytest.mark.django_db

URL = "/fr/projetotheque/"


def response_entries():
    return [key for key in cache._cache if "hub:response:" in key]


def test_tracking_parameters_do_not_split_the_cache(client, projetotheque):
    first = client.get(URL, {"programme": "acv", "utm_source": "lettre-1"})
    assert first.status_code == 200 and first["X-Hub-Cache"] == "miss"
    second = client.get(URL, {"programme": "acv", "utm_source": "lettre-2"})
    assert second["X-Hub-Cache"] == "hit" and without_nonce(second.content) == without_nonce(first.content)
    assert len(response_entries()) == 1
    # Known parameters still make their own entry, in any order.
    other = client.get(URL, {"programme": "pvd", "utm_campaign": "x"})
    assert other["X-Hub-Cache"] == "miss"
    assert titles_in(other.content.decode()) != titles_in(first.content.decode())
    again = client.get(f"{URL}?utm_medium=mail&programme=pvd")
    assert again["X-Hub-Cache"] == "hit"
    assert len(response_entries()) == 2


def test_the_agenda_period_is_a_known_parameter(client, core_site):
    EventIndexPageFactory(parent=core_site)
    upcoming = client.get("/fr/evenements/", {"utm_source": "a"})
    assert upcoming["X-Hub-Cache"] == "miss"
    past = client.get("/fr/evenements/", {"quand": "passes"})
    assert past["X-Hub-Cache"] == "miss" and past.content != upcoming.content


@pytest.fixture
def postgres_search(settings):
    if not settings.DATABASE_IS_POSTGRES:
        pytest.skip("PostgreSQL not configured (set DATABASE_URL=postgres://…): language stemming is PostgreSQL's")
    settings.WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "hub.search_backend", "SEARCH_CONFIG": "french"}}


def test_english_keywords_find_english_translations_with_english_stems(
    client, projetotheque, postgres_search, search_index
):
    english_index(projetotheque["index"], "projects")
    translate(projetotheque["projects"]["velo"], title="Cycling lanes in Doullens", summary="Safer cycling routes.")
    search_index()
    # "cycle" and "cycling" share the English stem "cycl"; the French dictionary keeps them apart.
    html = client.get("/en/projects/", {"q": "cycle"}).content.decode()
    assert titles_in(html) == {"Cycling lanes in Doullens"}
    # An untranslated French sheet is still found with French stems: "marchés" → "march".
    html = client.get("/en/projects/", {"q": "marchés"}).content.decode()
    assert "Réhabilitation des halles d'Abbeville" in titles_in(html)
    html = client.get(URL, {"q": "cyclable"}).content.decode()
    assert titles_in(html) == {"Pistes cyclables de Doullens"}
