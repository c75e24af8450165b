"""The outlines shipped in hub/data (see hub/data/README.md), as GeoJSON geometry dicts.

Nothing is read at import time: each file is read on first use and kept for the life of the process.
The communes' file (35,000 outlines, about 17 MB of JSON) is kept as one raw line per INSEE code and a
line is parsed only when its outline is asked for; the départements' and régions' files are small and
parsed whole. The geometries returned for départements and régions are shared: do not modify them.
"""

import functools
import gzip
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNE_OUTLINES = DATA_DIR / "commune-outlines.geojsonl.gz"
DEPARTMENT_OUTLINES = DATA_DIR / "departement-outlines.geojson.gz"
REGION_OUTLINES = DATA_DIR / "region-outlines.geojson.gz"

# hub/data/build.py writes each line as {"type":"Feature","id":"<INSEE code>",…}.
LINE_PREFIX = '{"type":"Feature","id":"'


@functools.cache
def _commune_lines(path):
    lines = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(LINE_PREFIX):
                code = line[len(LINE_PREFIX) : line.index('"', len(LINE_PREFIX))]
            elif line.strip():
                code = json.loads(line)["id"]
            else:
                continue
            lines[code] = line
    return lines


@functools.cache
def _collection(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        collection = json.load(handle)
    return {feature["id"]: feature["geometry"] for feature in collection["features"]}


def commune_outline(insee_code):
    """The outline of a commune or arrondissement municipal (a Polygon or MultiPolygon dict), or None.

    Communes déléguées and associées have none of their own: they lie inside their commune's.
    """
    line = _commune_lines(COMMUNE_OUTLINES).get(insee_code)
    return json.loads(line)["geometry"] if line is not None else None


def department_outline(code):
    """The outline of a département ("80", "2A", "971"), or None."""
    return _collection(DEPARTMENT_OUTLINES).get(code)


def region_outline(code):
    """The outline of a région ("32", "01"), or None."""
    return _collection(REGION_OUTLINES).get(code)
