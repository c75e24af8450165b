"""Regenerate the trimmed, gzip-compressed territory data shipped in hub/data from the full originals.

Usage (from the project root; standard library only, no Django needed):

    python hub/data/build.py --source PATH/TO/decoupage-administratif --acv PATH/TO/communes-acv.geojson

--source is the `data` folder of the npm package @etalab/decoupage-administratif (regions.json,
departements.json, epci.json, ept.json, communes.json); --acv is ANCT's GeoJSON of the Action cœur de
ville towns. The output is deterministic (sorted keys, no gzip timestamp) so a rebuild from the same
originals gives byte-identical files.
"""

import argparse
import gzip
import json
import sys
from pathlib import Path

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


def write_json_gz(data, path):
    """Write compact JSON, gzip-compressed with mtime=0 so the bytes only depend on the data."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(payload)


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="folder with the Etalab JSON files")
    parser.add_argument("--acv", required=True, help="ANCT's communes-acv.geojson")
    parser.add_argument("--output", default=str(DATA_DIR), help="where to write the .gz files (default: hub/data)")
    args = parser.parse_args(argv)
    for path in build(args.source, args.acv, args.output):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
