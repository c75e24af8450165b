import csv
import html as htmllib
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from resources.factories import ProjectPageFactory
from tests.conftest import without_nonce

URL = "/fr/projetotheque/"


def titles_in(html):
    return {htmllib.unescape(t) for t in re.findall(r'class="fr-card__title"[^>]*><a href="[^"]+">([^<]+)</a>', html)}


def facet_counts(html, param):
    """{label: count} of one facet's options as displayed."""
    block = re.search(rf'id="facet-{param}".*?</fieldset>', html, re.S)
    if not block:
        return {}
    return {
        htmllib.unescape(label.strip()): int(count)
        for label, count in re.findall(
            r'<label class="fr-label" for="f-[^"]+">([^<]+?) <span class="hub-facet__count">\((\d+)\)', block.group(0)
        )
    }


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_listing_shows_live_projects_with_counts(client, projetotheque):
    html = get(client)
    assert len(titles_in(html)) == 6
    assert "Brouillon secret" not in html
    assert "6 résultats" in html
    assert facet_counts(html, "programme") == {"ACV": 2, "PVD": 3, "CVV": 1}
    assert facet_counts(html, "statut") == {"En cours": 4, "Réalisé": 2}
    assert facet_counts(html, "population") == {
        "Moins de 3 500 habitants": 1,
        "De 3 500 à 20 000 habitants": 2,
        "De 20 000 à 50 000 habitants": 2,
        "Plus de 50 000 habitants": 1,
    }
    # Only regions and departments that have projects are offered.
    assert facet_counts(html, "region") == {"Hauts-de-France": 5, "Île-de-France": 1}


def test_facets_combine_across_and_union_within(client, projetotheque):
    html = get(client, programme="pvd", thematique="commerce")
    assert titles_in(html) == {"Manager de commerce à Doullens", "Épicerie solidaire d'Acheux"}
    # Disjunctive counts: the programme facet still shows the other programmes for "commerce".
    assert facet_counts(html, "programme") == {"ACV": 1, "PVD": 2, "CVV": 1}
    # The thematic facet counts within PVD only.
    assert facet_counts(html, "thematique")["Développement économique et commercial"] == 2

    html = get(client, programme=["acv", "cvv"])
    assert titles_in(html) == {
        "Réhabilitation des halles d'Abbeville",
        "Opération façades de Cambrai",
        "Boutique à l'essai à Saint-Denis",
    }

    html = get(client, region="32", population="3500-20000", statut="realise")
    assert titles_in(html) == {"Pistes cyclables de Doullens"}

    html = get(client, departement="80", annee="2021")
    assert titles_in(html) == {"Manager de commerce à Doullens"}

    html = get(client, tag="marche")
    assert titles_in(html) == {"Réhabilitation des halles d'Abbeville", "Boutique à l'essai à Saint-Denis"}


def test_zero_count_values_are_hidden_and_selection_stays_visible(client, projetotheque):
    html = get(client, programme="cvv")
    counts = facet_counts(html, "thematique")
    assert counts == {"Développement économique et commercial": 1}
    assert 'value="cvv" checked' in html


def test_full_text_query_combines_with_facets(client, projetotheque, search_index):
    search_index()
    html = get(client, q="halles")
    assert titles_in(html) == {"Réhabilitation des halles d'Abbeville"}
    html = get(client, q="Doullens", thematique="mobilites")
    assert titles_in(html) == {"Pistes cyclables de Doullens"}
    html = get(client, q="introuvable-zzz")
    assert "Aucun projet ne correspond" in html


@pytest.mark.parametrize(
    "params",
    [
        {"programme": "inconnu"},
        {"region": "999"},
        {"departement": "<script>"},
        {"population": "beaucoup"},
        {"annee": "abc"},
        {"statut": "perdu"},
        {"tag": "x" * 300},
        {"tri": "hasard"},
        {"page": "abc"},
        {"page": "9999"},
        {"q": "'\"%;--"},
        {"page": "-1"},
    ],
)
def test_unknown_values_never_fail(client, projetotheque, params):
    html = get(client, **params)
    assert "résultat" in html


def test_sort_and_pagination_keep_filters(client, projetotheque):
    html = get(client, tri="titre")
    titles = [htmllib.unescape(t) for t in re.findall(r'class="fr-card__title"><a href="[^"]+">([^<]+)</a>', html)]
    assert titles[0] == "Boutique à l'essai à Saint-Denis" and titles[-1] == "Épicerie solidaire d'Acheux"
    for _ in range(25):
        ProjectPageFactory(parent=projetotheque["index"], commune=projetotheque["projects"]["halles"].commune)
    html = get(client, tri="titre", programme="")
    assert "Page suivante" in html
    assert 'href="?tri=titre&amp;page=2"' in html


def test_query_count_does_not_grow_with_projects(client, projetotheque):
    def queries():
        cache.clear()  # measure the uncached path
        with CaptureQueriesContext(connection) as ctx:
            get(client, programme="acv", thematique="commerce", region="32")
        return len(ctx.captured_queries)

    before = queries()
    index = projetotheque["index"]
    commune = projetotheque["projects"]["halles"].commune
    programmes = list(projetotheque["projects"]["halles"].programmes.all())
    thematics = list(projetotheque["projects"]["halles"].thematics.all())
    for _ in range(15):
        ProjectPageFactory(parent=index, commune=commune, programmes=programmes, thematics=thematics, tags=["marché"])
    assert queries() == before


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_exports_match_the_filtered_listing(client, projetotheque):
    params = {"programme": "pvd", "thematique": "commerce"}
    listed = titles_in(get(client, **params))
    response = client.get(URL + "export.csv", params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert {row["titre"] for row in rows} == listed
    row = next(r for r in rows if r["code_insee"] == "80253")
    assert row["commune"] == "Doullens" and row["departement"] == "80" and row["region"] == "Hauts-de-France"
    assert row["programmes"] == "PVD" and row["thematiques"] == "commerce" and row["statut"] == "en-cours"
    assert row["url"].endswith("/fr/projetotheque/manager-doullens/")

    data = json.loads(b"".join(client.get(URL + "export.json", params).streaming_content))
    assert {item["titre"] for item in data} == listed
    assert all(
        set(item) >= {"code_insee", "commune", "programmes", "thematiques", "cout_total_eur", "url"} for item in data
    )


def test_csv_export_is_safe_from_formula_injection(client, projetotheque):
    page = projetotheque["projects"]["epicerie"]
    page.title = "=SUM(A1:A9)"
    page.save()
    rows = _csv_rows(client.get(URL + "export.csv"))
    assert any(row["titre"] == "'=SUM(A1:A9)" for row in rows)


def test_rss_feed_lists_newest_projects(client, projetotheque):
    response = client.get(URL + "flux.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<rss" in body and "Boutique à l'essai à Saint-Denis (Saint-Denis)" in htmllib.unescape(body)
    assert "Brouillon secret" not in body
    assert body.index("Saint-Denis") < body.index("Abbeville")  # newest first


def test_project_page_renders_with_open_graph_and_related(client, projetotheque):
    response = client.get(URL + "halles-abbeville/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta property="og:title" content="Réhabilitation des halles d&#x27;Abbeville">' in html
    assert '<meta property="og:description" content="Un marché couvert rouvert.">' in html
    assert 'property="og:url"' in html
    # Related projects computed from shared thematics/tags.
    assert "Boutique à l&#x27;essai à Saint-Denis" in html


def test_map_points_cover_filtered_communes_with_coordinates(client, projetotheque):
    # The points are not embedded in the page (issue 11): the map script fetches them from carte.json,
    # whose URL, with the page's filters, the map container names.
    html = get(client, programme="acv")
    assert 'id="projects-map-points"' not in html
    source = htmllib.unescape(re.search(r'id="projects-map"[^>]*data-points="([^"]+)"', html).group(1))
    assert source == URL + "carte.json?programme=acv"
    response = client.get(source)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    points = response.json()["points"]
    assert {p["name"]: p["count"] for p in points} == {"Abbeville": 1, "Cambrai": 1}
    html = get(client, programme="pvd")
    assert 'id="projects-map"' not in html  # no coordinates known for those communes: no map


def test_english_listing_shows_the_french_sheets(client, projetotheque):
    index = projetotheque["index"]
    translated = index.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.slug = "projects"
    translated.save_revision().publish()
    response = client.get("/en/projects/", {"programme": "acv"})
    assert response.status_code == 200
    assert titles_in(response.content.decode()) == {
        "Réhabilitation des halles d'Abbeville",
        "Opération façades de Cambrai",
    }


def test_anonymous_listing_is_cached_until_content_changes(client, projetotheque):
    first = client.get(URL, {"programme": "acv"})
    assert first["X-Hub-Cache"] == "miss"
    again = client.get(URL, {"programme": "acv"})
    assert again["X-Hub-Cache"] == "hit" and without_nonce(again.content) == without_nonce(first.content)

    page = ProjectPageFactory(
        parent=projetotheque["index"],
        title="Nouveau projet publié",
        slug="nouveau-projet",
        commune=projetotheque["projects"]["halles"].commune,
        programmes=list(projetotheque["projects"]["halles"].programmes.all()),
        live=False,
    )
    page.save_revision().publish()
    fresh = client.get(URL, {"programme": "acv"})
    assert fresh["X-Hub-Cache"] == "miss"
    assert "Nouveau projet publié" in fresh.content.decode()


def test_logged_in_visitors_are_never_served_from_the_cache(client, projetotheque, django_user_model):
    client.get(URL)
    client.force_login(django_user_model.objects.create_user("lea", "lea@example.org", "un-mot-de-passe-solide"))
    response = client.get(URL)
    assert "X-Hub-Cache" not in response


def test_a_large_selection_gives_the_same_results_and_counts_as_a_small_one(client, projetotheque):
    # Was: the same results after forcing the fallback from id lists to subqueries (MAX_ID_LIST). Every
    # selection is a subquery now (issue 11); the combined facets still give the expected rows and counts.
    params = {"programme": ["pvd", "acv"], "thematique": "commerce", "population": "3500-20000"}
    html = get(client, **params)
    assert titles_in(html) == {"Manager de commerce à Doullens"}
    # Disjunctive: the programme facet counts the commerce projects of 3,500-20,000 inhabitants per programme.
    assert facet_counts(html, "programme") == {"ACV": 0, "PVD": 1}  # a selected value stays, at zero
