"""Search inputs are cleaned everywhere (issue 10, point 29), site search shows excerpts, type and date (point 12),
English pages are stemmed in English on PostgreSQL (point 6), and the images API lists only images a live
public page uses (point 34)."""

import re

import pytest
from wagtail.models import Locale
from wagtail_factories import ImageFactory

from hub.models.pages import StandardPage
from hub.search import MAX_QUERY_WORDS, clean_query
from hub.search_backend import config_for

pytestmark = pytest.mark.django_db

ODD_QUERIES = ['"', 'commerce "centre', "\x00", "commerce\x00ville", " ".join(["mot"] * 200), "a & b | !c:*", "-", "'"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"centre-ville" AND commerce', "centre ville and commerce"),
        ("atelier\x00\x1b[31m", "atelier 31m"),
        ("a & b | !c:* (d)", "a b c d"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_query_keeps_words_only(raw, expected):
    assert clean_query(raw) == expected


def test_clean_query_bounds_words_and_length():
    assert len(clean_query(" ".join(["commerce"] * 500)).split()) == MAX_QUERY_WORDS
    assert len(clean_query("x" * 5000)) <= 200


@pytest.mark.parametrize("odd", ODD_QUERIES)
def test_api_search_never_fails_on_odd_input(client, core_site, search_index, odd):
    search_index()
    response = client.get("/api/v2/pages/", {"search": odd})
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json()["items"], list)


def test_api_search_still_finds_pages_and_refuses_unknown_operators(client, core_site, search_index):
    search_index()
    found = client.get("/api/v2/pages/", {"search": '"réseau'}).json()
    assert "Le réseau" in {item["title"] for item in found["items"]}
    assert client.get("/api/v2/pages/", {"search": "réseau", "search_operator": "xor"}).status_code == 400


@pytest.mark.parametrize("odd", ODD_QUERIES)
def test_site_search_never_fails_on_odd_input(client, core_site, search_index, odd):
    search_index()
    assert client.get("/fr/recherche/", {"q": odd}).status_code == 200
    assert client.get("/en/search/", {"q": odd}).status_code == 200


def test_site_search_shows_a_highlighted_excerpt_the_type_and_the_date(client, core_site, search_index):
    page = StandardPage(
        title="Revitaliser les commerces",
        slug="revitaliser",
        intro="Un guide pratique pour accompagner les commerçants et les ateliers de quartier vers la reprise.",
    )
    core_site.add_child(instance=page)
    page.save_revision().publish()
    search_index()
    html = client.get("/fr/recherche/", {"q": "ateliers"}).content.decode()
    result = re.search(r'<li class="fr-mb-2w hub-search-result">.*?</li>', html, re.S).group(0)
    assert "Revitaliser les commerces" in result
    assert "<mark>ateliers</mark>" in result
    assert "Page standard" in result
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', result)
    # The excerpt is escaped text with only <mark> added.
    page.intro = "<script>alert(1)</script> ateliers"
    page.save_revision().publish()
    search_index()
    html = client.get("/fr/recherche/", {"q": "ateliers"}).content.decode()
    assert "<script>alert(1)" not in html


@pytest.fixture
def postgres_search(settings):
    if not settings.DATABASE_IS_POSTGRES:
        pytest.skip("PostgreSQL not configured (set DATABASE_URL=postgres://…): language stemming is PostgreSQL's")
    settings.WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "hub.search_backend", "SEARCH_CONFIG": "french"}}


def test_site_search_stems_each_language_in_its_own(client, core_site, postgres_search, search_index):
    en = Locale.objects.get(language_code="en")
    home_en = core_site.get_translation(en)
    english = StandardPage(title="Getting around", slug="getting-around", intro="Cycling routes for town centres.")
    home_en.add_child(instance=english)
    english.save_revision().publish()
    french = StandardPage(title="Se déplacer", slug="se-deplacer", intro="Des ateliers de concertation.")
    core_site.add_child(instance=french)
    french.save_revision().publish()
    search_index()

    html = client.get("/en/search/", {"q": "cycle"}).content.decode()
    assert "Getting around" in html and "<mark>Cycling</mark>" in html
    html = client.get("/fr/recherche/", {"q": "atelier"}).content.decode()
    assert "Se déplacer" in html
    # The French dictionary does not know English inflections: the same word, indexed in French, would not match.

    assert config_for("en", "french") == "english" and config_for("fr", None) == "french"


def test_images_api_lists_only_images_used_by_live_public_pages(client, core_site):
    public = ImageFactory(title="Place du marché")
    unmoderated = ImageFactory(title="Photo d'une proposition")
    core_site.hero_image = public
    core_site.save_revision().publish()
    proposal = StandardPage(
        title="Proposition en attente",
        slug="proposition",
        live=False,
        body=[("image", {"image": unmoderated, "alt": "", "caption": "", "credit": ""})],
    )
    core_site.add_child(instance=proposal)

    listed = client.get("/api/v2/images/").json()
    titles = {item["title"] for item in listed["items"]}
    assert titles == {"Place du marché"}
    assert client.get(f"/api/v2/images/{unmoderated.pk}/", follow=True).status_code == 404
    assert client.get(f"/api/v2/images/{public.pk}/").status_code == 200
