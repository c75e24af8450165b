"""The Projétothèque's cost does not grow with its projects (issue 11, points 1 and 2).

Between 44 and 200 projects (every scenario's page already full at 44) an uncached listing sends the same number of queries, none with more bound
parameters (no list of ids travels back to the database), and its HTML keeps its size (the map's points
are fetched from carte.json, whose counts add up to the listing's results).
"""

import itertools
import re

from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from wagtail.models import Locale

from resources.factories import ProjectPageFactory
from resources.listing import project_listing
from tests.conftest import without_nonce

URL = "/fr/projetotheque/"
PAGE_SIZE = 20
SCENARIOS = [
    {},
    {"thematique": "commerce"},
    {"programme": ["acv", "pvd"], "thematique": "commerce", "region": "32", "population": "20000-50000"},
    {"q": "halles", "programme": "acv"},
    {"tri": "commune", "page": "2"},
]


def measure(client, params):
    cache.clear()  # the uncached path
    bound = []

    def record(execute, sql, sql_params, many, context):
        bound.append(len(sql_params or ()))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(URL, params)
    assert response.status_code == 200
    return {"queries": len(bound), "max_params": max(bound), "bytes": len(response.content)}


def add_projects(projetotheque, count, start):
    halles = projetotheque["projects"]["halles"]
    cambrai = projetotheque["projects"]["facades"].commune
    programmes = list(halles.programmes.all())
    thematics = list(halles.thematics.all())
    communes = itertools.cycle([halles.commune, cambrai])
    for number in range(start, start + count):
        ProjectPageFactory(
            parent=projetotheque["index"],
            title=f"Halles et marché n° {number:03d}",
            slug=f"halles-{number}",
            commune=next(communes),
            programmes=programmes,
            thematics=thematics,
            tags=["marché"],
        )


def test_queries_parameters_and_html_do_not_grow_from_44_to_200_projects(client, projetotheque, search_index):
    add_projects(projetotheque, 38, 0)  # every scenario fills its page already
    search_index()
    small = {i: measure(client, params) for i, params in enumerate(SCENARIOS)}
    add_projects(projetotheque, 156, 38)
    search_index()
    large = {i: measure(client, params) for i, params in enumerate(SCENARIOS)}
    for i, params in enumerate(SCENARIOS):
        assert large[i]["queries"] == small[i]["queries"], params
        # The widest query is the prefetch of one page's cards (at most PAGE_SIZE ids), whatever the total.
        assert large[i]["max_params"] <= max(small[i]["max_params"], PAGE_SIZE), params
        # Only digits change (counts, page numbers): no row of the selection adds to the page.
        assert abs(large[i]["bytes"] - small[i]["bytes"]) < 0.02 * small[i]["bytes"], params


def test_map_counts_add_up_to_the_results(client, projetotheque):
    add_projects(projetotheque, 10, 0)
    for params in ({}, {"programme": "acv"}, {"thematique": "commerce", "statut": "en-cours"}):
        html = client.get(URL, params).content.decode()
        results = int(re.search(r"(\d+) résultats?", html).group(1))
        listed = list(project_listing(RequestFactory().get(URL, params), projetotheque["index"]).results())
        assert len(listed) == results
        located = [page for page in listed if page.commune.latitude is not None]
        response = client.get(URL + "carte.json", params)
        assert response.status_code == 200
        points = response.json()["points"]
        # The territory fixture gives coordinates to Abbeville and Cambrai only.
        assert sum(point["count"] for point in points) == len(located) > 0, params
        assert {point["name"] for point in points} == {page.commune.name for page in located}


def test_map_json_in_english_and_cached_for_visitors(client, projetotheque):
    translated = projetotheque["index"].copy_for_translation(Locale.objects.get(language_code="en"))
    translated.slug = "projects"
    translated.save_revision().publish()
    html = client.get("/en/projects/", {"programme": "acv"}).content.decode()
    assert 'data-points="/en/projects/carte.json?programme=acv"' in html
    first = client.get("/en/projects/carte.json", {"programme": "acv"})
    assert first.status_code == 200 and first["X-Hub-Cache"] == "miss"
    assert {p["name"] for p in first.json()["points"]} == {"Abbeville", "Cambrai"}
    again = client.get("/en/projects/carte.json", {"programme": "acv", "utm_source": "x"})
    assert again["X-Hub-Cache"] == "hit" and without_nonce(again.content) == without_nonce(first.content)
