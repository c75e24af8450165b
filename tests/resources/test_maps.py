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
from hub.models import EPCI, Commune

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


def test_a_territory_page_maps_its_outline_and_its_projects_by_commune(client, projetotheque):
    """Issue 12, point 3: each kind of territory page draws its outline (an EPCI's as its communes'), with
    a point per commune of its projects, linked to that commune's page; an unknown code has no outline."""
    abbeville = Commune.objects.get(insee_code="80001")
    baie = EPCI.objects.create(siren="200070993", name="CA de la Baie de Somme", kind=EPCI.Kind.CA)
    Commune.objects.filter(insee_code__in=["80001", "80002"]).update(epci=baie)

    html = client.get("/fr/territoires/communes/80001-abbeville/").content.decode()
    assert 'data-outline="/carte/contours/commune/80001.geojson"' in html
    points = json.loads(
        re.search(r'<script id="territory-map-points" type="application/json">(.*?)</script>', html).group(1)
    )
    assert points == [
        {
            "insee": "80001",
            "name": "Abbeville",
            "lat": abbeville.latitude,
            "lon": abbeville.longitude,
            "count": 1,
            "url": "/fr/territoires/communes/80001-abbeville/",
        }
    ]
    english = client.get("/en/territories/communes/80001-abbeville/").content.decode()
    assert "/en/territories/communes/80001-abbeville/" in english and "territory-map-points" in english

    outline = client.get("/carte/contours/commune/80001.geojson").json()
    assert [f["id"] for f in outline["features"]] == ["80001"]
    assert outline["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert [f["id"] for f in client.get("/carte/contours/epci/200070993.geojson").json()["features"]] == [
        "80001",
        "80002",
    ]
    for kind, code in (("departement", "80"), ("region", "32")):
        assert client.get(f"/carte/contours/{kind}/{code}.geojson").json()["features"][0]["id"] == code
        page = client.get(f"/fr/territoires/{kind}s/{code}/", follow=True).content.decode()
        assert f'data-outline="/carte/contours/{kind}/{code}.geojson"' in page
    assert client.get("/carte/contours/commune/99999.geojson").status_code == 404
    assert client.get("/carte/contours/epci/123456789.geojson").status_code == 404
