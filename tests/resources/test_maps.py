"""Maps (issue 12, point 2): every project of the selection is on the Projétothèque's map once the
communes are placed, maps draw on the outlines shipped with the site, and a tile layer comes only from
HUB_MAP_TILES_URL, which the Content-Security-Policy then admits."""

import gzip
import json
import re

from django.core.checks import run_checks
from django.test import Client

from hub import territories
from hub.middleware import tiles_origin

URL = "/fr/projetotheque/"


def test_once_the_communes_are_placed_the_map_counts_add_up_to_the_results(client, projetotheque):
    territories.import_points(territories.load_points())  # the shipped point of every commune, as on import
    for params in ({}, {"programme": "pvd"}, {"thematique": "commerce"}):
        html = client.get(URL, params).content.decode()
        results = int(re.search(r"(\d+) résultats?", html).group(1))
        points = client.get(URL + "carte.json", params).json()["points"]
        assert sum(point["count"] for point in points) == results > 0, params


def test_maps_draw_on_the_shipped_outlines_and_load_nothing_from_elsewhere(client, projetotheque):
    response = client.get(URL)
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]+);", policy).group(1).split()
    assert all(not source.startswith("http") for source in img_src), img_src
    assert 'data-base="/carte/fond.geojson"' in html and "data-tiles" not in html
    assert "IGN, ADMIN EXPRESS" in html

    base = client.get("/carte/fond.geojson", HTTP_ACCEPT_ENCODING="gzip, br")
    assert base.status_code == 200 and base["Content-Encoding"] == "gzip"
    outlines = json.loads(gzip.decompress(base.content))
    codes = {feature["id"] for feature in outlines["features"]}
    assert {"80", "59", "2A", "971"} <= codes and len(codes) >= 100
    assert client.get("/carte/fond.geojson", HTTP_IF_NONE_MATCH=base["ETag"]).status_code == 304
    plain = client.get("/carte/fond.geojson", HTTP_ACCEPT_ENCODING="")
    assert "Content-Encoding" not in plain and json.loads(plain.content) == outlines


def test_a_configured_tile_layer_is_credited_and_admitted_by_the_policy(settings, projetotheque):
    settings.HUB_MAP_TILES_URL = "https://{s}.tuiles.example.fr/plan/{z}/{x}/{y}.png"
    settings.HUB_MAP_TILES_ATTRIBUTION = "© Tuiles d'exemple"
    response = Client().get(URL)  # a new handler: the middleware reads the setting when it starts
    html = response.content.decode()
    assert "https://*.tuiles.example.fr" in re.search(r"img-src ([^;]+);", response["Content-Security-Policy"]).group(1)
    assert 'data-tiles="https://{s}.tuiles.example.fr/plan/{z}/{x}/{y}.png"' in html
    assert "© Tuiles d&#x27;exemple" in html


def test_tile_settings_are_checked(settings):
    settings.HUB_MAP_TILES_URL = "http://tuiles.example.fr/plan.png"
    settings.HUB_MAP_TILES_ATTRIBUTION = ""
    ids = {message.id for message in run_checks()}
    assert {"hub.E003", "hub.E004"} <= ids
    settings.HUB_MAP_TILES_URL = ""
    assert not {"hub.E003", "hub.E004"} & {message.id for message in run_checks()}


def test_tiles_origin():
    assert tiles_origin("https://data.geopf.fr/wmts?layer=PLAN&TILEMATRIX={z}") == "https://data.geopf.fr"
    assert tiles_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
