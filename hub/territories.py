"""Import of the French territories (Etalab's découpage administratif) and of programme memberships.

The data comes either from the trimmed copy shipped in hub/data (see hub/data/README.md and
hub/data/build.py) or from the original Etalab JSON files. Every import is idempotent: rows are matched
on their natural key (INSEE code, SIREN, INSEE code + kind), changed fields are updated, missing rows are
created, nothing is duplicated and nothing is deleted.

- `load_shipped_decoupage`, `load_decoupage_dir`, `load_acv`, `load_points`: read and check the source data.
- `import_territories`: régions, départements, EPCI/EPT, communes, their coordinates and the ACV towns in
  one transaction.
- `import_programme_members`: link a programme to the communes listed in a CSV file of INSEE codes.
"""

import csv
import gzip
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Locale
from wagtail.search.backends import get_search_backends_with_name

from hub.cache import bump_content_generation
from hub.models import EPCI, Commune, Department, Programme, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_DECOUPAGE = DATA_DIR / "decoupage-administratif.json.gz"
SHIPPED_ACV = DATA_DIR / "communes-acv.geojson.gz"
SHIPPED_POINTS = DATA_DIR / "commune-points.csv.gz"
SOURCE_FILES = {
    "regions": "regions.json",
    "departements": "departements.json",
    "epci": "epci.json",
    "ept": "ept.json",
    "communes": "communes.json",
}
REQUIRED_FIELDS = {
    "regions": ("code", "nom", "zone"),
    "departements": ("code", "nom", "region", "zone"),
    "epci": ("code", "nom", "type", "membres"),
    "ept": ("code", "nom", "type", "membres"),
    "communes": ("code", "nom", "type", "departement", "zone"),
}
# Collectivités d'outre-mer (zone "com") are left out of régions and départements.
IMPORTED_ZONES = {"metro", "drom"}
BATCH_SIZE = 1000

ACV_SLUG = "acv"
ACV_NAME = "Action cœur de ville"
ACV_SHORT_NAME = "ACV"

# Non-current kinds share their INSEE code with a current commune, so their slugs need a suffix.
KIND_SLUG_SUFFIXES = {
    Commune.Kind.CURRENT: "",
    Commune.Kind.DELEGATED: "deleguee",
    Commune.Kind.ASSOCIATED: "associee",
    Commune.Kind.MUNICIPAL_DISTRICT: "arrondissement",
}
# slugify() drops characters NFKD cannot decompose, which would turn "Cœuvres" into "cuvres".
LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae"})

# The points file names kinds as INSEE does (TYPECOM); a file without a `kind` column places current communes.
POINT_KINDS = {
    "COM": Commune.Kind.CURRENT,
    "COMD": Commune.Kind.DELEGATED,
    "COMA": Commune.Kind.ASSOCIATED,
    "ARM": Commune.Kind.MUNICIPAL_DISTRICT,
}

INSEE_CODE_RE = re.compile(r"\d{5}|2[AB]\d{3}")
CSV_HEADER_NAMES = {"insee", "code_insee", "insee_code", "codeinsee", "insee_com", "code_commune_insee", "codgeo"}


class TerritoryDataError(Exception):
    """The source data is missing, unreadable or not shaped as expected (message in French)."""


class ProgrammeMembersImportError(Exception):
    """A programme member list was refused; `errors` holds one French message per problem, by row."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class SyncCounts:
    """What one import stage did to one model: created, updated and unchanged rows.

    `absent` counts rows already in the database that the source no longer lists; they are kept, since
    pages and programmes may still point to them.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0
    # Primary keys of the created and updated rows (None if the database could not return them).
    changed_ids: list | None = field(default_factory=list, repr=False)

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


@dataclass
class AcvResult:
    """What the ACV stage did: programme creation, coordinates, programme links, unmatched codes."""

    programme: Programme
    programme_created: bool = False
    matched: int = 0
    coordinates_updated: int = 0
    links_added: int = 0
    unmatched: list = field(default_factory=list)


@dataclass
class PointsResult:
    """What the coordinates stage did: communes placed (of which changed), and what did not match.

    `unmatched` lists the (INSEE code, kind) of the communes the file gives no point for, `unknown` the
    (INSEE code, kind) of the file's points that match no commune; both sorted.
    """

    placed: int = 0
    updated: int = 0
    unmatched: list = field(default_factory=list)
    unknown: list = field(default_factory=list)


@dataclass
class ImportResult:
    """Counts of a territory import, one `SyncCounts` per stage, and the points and ACV results if they ran."""

    regions: SyncCounts
    departments: SyncCounts
    epcis: SyncCounts
    epts: SyncCounts
    communes: SyncCounts
    points: PointsResult | None = None
    acv: AcvResult | None = None

    @property
    def created(self):
        return sum(counts.created for counts in self.stages.values())

    @property
    def updated(self):
        return sum(counts.updated for counts in self.stages.values())

    @property
    def stages(self):
        return {
            "regions": self.regions,
            "departments": self.departments,
            "epcis": self.epcis,
            "epts": self.epts,
            "communes": self.communes,
        }


@dataclass
class MembersImportResult:
    """Outcome of `import_programme_members`: rows read, links added, already present, removed."""

    programme: Programme
    rows: int = 0
    added: int = 0
    already: int = 0
    removed: int = 0


# Reading the source data


def _read_json(path):
    path = Path(path)
    if not path.is_file():
        raise TerritoryDataError(_("Fichier introuvable : %(path)s") % {"path": path})
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise TerritoryDataError(
            _("%(path)s n'est pas un fichier JSON valide (ligne %(line)d, colonne %(column)d).")
            % {"path": path, "line": exc.lineno, "column": exc.colno}
        ) from exc
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise TerritoryDataError(
            _("Lecture impossible de %(path)s : %(error)s") % {"path": path, "error": exc}
        ) from exc


def check_decoupage(data, origin=""):
    """Check the shape of a découpage dict (lists of objects with the fields the import needs).

    Raises TerritoryDataError naming the list, the entry number and the missing field.
    """
    if not isinstance(data, dict):
        raise TerritoryDataError(_("%(origin)s : un objet JSON est attendu.") % {"origin": origin})
    for name, required in REQUIRED_FIELDS.items():
        entries = data.get(name)
        if not isinstance(entries, list):
            raise TerritoryDataError(
                _("%(origin)s : la liste « %(name)s » est absente ou n'est pas une liste.")
                % {"origin": origin, "name": name}
            )
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise TerritoryDataError(
                    _("%(origin)s : « %(name)s », entrée n° %(number)d : un objet JSON est attendu.")
                    % {"origin": origin, "name": name, "number": number}
                )
            for field_name in required:
                if entry.get(field_name) in (None, ""):
                    raise TerritoryDataError(
                        _("%(origin)s : « %(name)s », entrée n° %(number)d : champ « %(field)s » manquant.")
                        % {"origin": origin, "name": name, "number": number, "field": field_name}
                    )
    return data


def load_shipped_decoupage(path=SHIPPED_DECOUPAGE):
    """The trimmed découpage shipped in hub/data, as {"regions": [...], "departements": [...], ...}."""
    return check_decoupage(_read_json(path), origin=str(path))


def load_decoupage_dir(directory):
    """The original Etalab files of `directory` (regions.json … communes.json), in the same shape."""
    directory = Path(directory)
    if not directory.is_dir():
        raise TerritoryDataError(_("Dossier introuvable : %(path)s") % {"path": directory})
    data = {}
    for name, filename in SOURCE_FILES.items():
        data[name] = _read_json(directory / filename)
        # Each original file is a bare list; check it on its own so errors name the right file.
        check_decoupage({**{key: [] for key in SOURCE_FILES}, name: data[name]}, origin=str(directory / filename))
    return data


def load_acv(path=SHIPPED_ACV):
    """ANCT's ACV GeoJSON (plain or .gz), checked: Point features with an `insee_com` property."""
    data = _read_json(path)
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise TerritoryDataError(_("%(path)s : une FeatureCollection GeoJSON est attendue.") % {"path": path})
    for number, feature in enumerate(features, start=1):
        try:
            code = feature["properties"]["insee_com"]
            longitude, latitude = feature["geometry"]["coordinates"][:2]
            valid = isinstance(code, str) and all(isinstance(value, int | float) for value in (longitude, latitude))
        except (KeyError, TypeError, ValueError):
            valid = False
        if not valid:
            raise TerritoryDataError(
                _("%(path)s : entité n° %(number)d : propriété « insee_com » ou point [longitude, latitude] manquant.")
                % {"path": path, "number": number}
            )
    return data


def load_points(path=SHIPPED_POINTS):
    """A CSV of commune points (plain or .gz), as {(INSEE code, Commune.Kind): (latitude, longitude)}.

    Columns `insee`, `lat`, `lon` and optionally `kind` (COM, COMD, COMA or ARM, as in the shipped
    commune-points.csv.gz; COM when absent). Raises TerritoryDataError naming the first bad row.
    """
    path = Path(path)
    if not path.is_file():
        raise TerritoryDataError(_("Fichier introuvable : %(path)s") % {"path": path})
    opener = gzip.open if path.suffix == ".gz" else open
    points = {}
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not {"insee", "lat", "lon"} <= set(reader.fieldnames or ()):
                raise TerritoryDataError(
                    _("%(path)s : les colonnes « insee », « lat » et « lon » sont attendues.") % {"path": path}
                )
            for row in reader:
                kind = POINT_KINDS.get(row.get("kind") or "COM")
                try:
                    latitude, longitude = float(row["lat"]), float(row["lon"])
                    valid = kind is not None and -90 <= latitude <= 90 and -180 <= longitude <= 180
                except (TypeError, ValueError):
                    valid = False
                if not valid or not row["insee"]:
                    raise TerritoryDataError(
                        _("%(path)s, ligne %(line)d : code, type ou coordonnées invalides.")
                        % {"path": path, "line": reader.line_num}
                    )
                points[(row["insee"], kind)] = (latitude, longitude)
    except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
        raise TerritoryDataError(
            _("Lecture impossible de %(path)s : %(error)s") % {"path": path, "error": exc}
        ) from exc
    return points


# Import of the territories


def commune_slug(name, insee_code, kind=Commune.Kind.CURRENT):
    """slugify(name)-code, plus a kind suffix for non-current kinds (e.g. "arbignieu-01015-deleguee")."""
    parts = [slugify(name.translate(LIGATURES)), insee_code.lower(), KIND_SLUG_SUFFIXES.get(kind, "")]
    return "-".join(part for part in parts if part)


def name_slug(name):
    """The slug of a région or département name."""
    return slugify(name.translate(LIGATURES))


def _sync(model, rows, fields, existing):
    """Create the rows missing from `existing`, update those whose `fields` changed; returns SyncCounts.

    rows maps a natural key to the attribute values of one object (attnames, key fields included);
    existing maps the same keys to the objects already in the database.
    """
    counts = SyncCounts()
    to_create, to_update, changed_fields = [], [], set()
    for key, values in rows.items():
        obj = existing.get(key)
        if obj is None:
            to_create.append(model(**values))
            continue
        changed = [name for name in fields if getattr(obj, name) != values[name]]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            changed_fields.update(changed)
            to_update.append(obj)
        else:
            counts.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH_SIZE)
    counts.created, counts.updated = len(to_create), len(to_update)
    changed = to_create + to_update
    counts.changed_ids = None if any(obj.pk is None for obj in changed) else [obj.pk for obj in changed]
    return counts


def _existing(model, key_fields, fields):
    objects = model.objects.only("pk", *key_fields, *fields)
    return {tuple(getattr(obj, name) for name in key_fields): obj for obj in objects}


def import_regions(regions):
    """Sync the régions of metropolitan France and the DROM (18); call inside a transaction."""
    fields = ("name", "slug")
    rows = {
        (entry["code"],): {"code": entry["code"], "name": entry["nom"], "slug": name_slug(entry["nom"])}
        for entry in regions
        if entry["zone"] in IMPORTED_ZONES
    }
    existing = _existing(Region, ("code",), fields)
    counts = _sync(Region, rows, fields, existing)
    counts.absent = len(existing.keys() - rows.keys())
    return counts


def import_departments(departements):
    """Sync the départements of metropolitan France and the DROM (101); régions must exist already."""
    region_ids = dict(Region.objects.values_list("code", "id"))
    fields = ("name", "slug", "region_id")
    rows = {}
    for entry in departements:
        if entry["zone"] not in IMPORTED_ZONES:
            continue
        if entry["region"] not in region_ids:
            raise TerritoryDataError(
                _("Département %(code)s : région %(region)s inconnue.")
                % {"code": entry["code"], "region": entry["region"]}
            )
        rows[(entry["code"],)] = {
            "code": entry["code"],
            "name": entry["nom"],
            "slug": name_slug(entry["nom"]),
            "region_id": region_ids[entry["region"]],
        }
    existing = _existing(Department, ("code",), fields)
    counts = _sync(Department, rows, fields, existing)
    counts.absent = len(existing.keys() - rows.keys())
    return counts


def _epci_rows(entries, allowed_kinds):
    rows = {}
    for entry in entries:
        if entry["type"] not in allowed_kinds:
            raise TerritoryDataError(
                _("EPCI %(code)s : type « %(kind)s » inconnu.") % {"code": entry["code"], "kind": entry["type"]}
            )
        rows[(entry["code"],)] = {
            "siren": entry["code"],
            "name": entry["nom"],
            "kind": entry["type"],
            "population": entry.get("populationTotale"),
        }
    return rows


def import_epcis(epci, ept):
    """Sync the EPCI à fiscalité propre (kinds CC, CA, CU, METRO, MET69) and the EPT of the Grand Paris.

    Returns (epci counts, ept counts); both lists go to the EPCI model, keyed on the SIREN.
    """
    fields = ("name", "kind", "population")
    epci_kinds = set(EPCI.Kind.values) - {EPCI.Kind.EPT}
    epci_rows = _epci_rows(epci, epci_kinds)
    ept_rows = _epci_rows(ept, {EPCI.Kind.EPT})
    existing = _existing(EPCI, ("siren",), fields)
    absent = [obj for key, obj in existing.items() if key not in epci_rows and key not in ept_rows]
    epci_counts = _sync(EPCI, epci_rows, fields, existing)
    ept_counts = _sync(EPCI, ept_rows, fields, existing)
    epci_counts.absent = sum(obj.kind != EPCI.Kind.EPT for obj in absent)
    ept_counts.absent = len(absent) - epci_counts.absent
    return epci_counts, ept_counts


def _membership(groupings):
    # Members are bare codes in the shipped file and {"code": ...} objects in Etalab's originals.
    return {
        (member["code"] if isinstance(member, dict) else member): grouping["code"]
        for grouping in groupings
        for member in grouping["membres"]
    }


def import_communes(communes, epci, ept):
    """Sync every entry of communes.json (current, delegated, associated communes, municipal districts).

    Current communes get their EPCI and, in the Grand Paris, their EPT from the member lists; communes
    of the collectivités d'outre-mer get no département. Coordinates and programmes are left alone.
    Départements and EPCI must exist already.
    """
    department_ids = dict(Department.objects.values_list("code", "id"))
    epci_ids = dict(EPCI.objects.values_list("siren", "id"))
    epci_of, ept_of = _membership(epci), _membership(ept)
    kinds = set(Commune.Kind.values)
    fields = ("name", "slug", "population", "postcodes", "department_id", "epci_id", "ept_id")
    rows = {}
    for entry in communes:
        code, kind = entry["code"], entry["type"]
        if kind not in kinds:
            raise TerritoryDataError(_("Commune %(code)s : type « %(kind)s » inconnu.") % {"code": code, "kind": kind})
        department_id = None
        if entry["zone"] in IMPORTED_ZONES:
            department_id = department_ids.get(entry["departement"])
            if department_id is None:
                raise TerritoryDataError(
                    _("Commune %(code)s : département %(department)s inconnu.")
                    % {"code": code, "department": entry["departement"]}
                )
        current = kind == Commune.Kind.CURRENT
        rows[(code, kind)] = {
            "insee_code": code,
            "kind": kind,
            "name": entry["nom"],
            "slug": commune_slug(entry["nom"], code, kind),
            "population": entry.get("population"),
            "postcodes": ",".join(entry.get("codesPostaux") or []),
            "department_id": department_id,
            "epci_id": epci_ids.get(epci_of.get(code)) if current else None,
            "ept_id": epci_ids.get(ept_of.get(code)) if current else None,
        }
    existing = _existing(Commune, ("insee_code", "kind"), fields)
    counts = _sync(Commune, rows, fields, existing)
    counts.absent = len(existing.keys() - rows.keys())
    return counts


def get_programme(slug):
    """The programme with this slug in the default locale, or None."""
    return Programme.objects.filter(slug=slug, locale=Locale.get_default()).first()


def import_points(points):
    """Set the latitude and longitude of every commune `points` (what `load_points` returns) has a point for.

    Communes the file has no point for keep their coordinates. Only changed rows are written, with one
    executemany per batch rather than bulk_update's CASE expressions: a first import writes all 37,000.
    """
    result = PointsResult()
    changed = []
    communes = Commune.objects.values_list("id", "insee_code", "kind", "latitude", "longitude")
    matched = set()
    for commune_id, code, kind, latitude, longitude in communes.iterator(chunk_size=5000):
        point = points.get((code, kind))
        if point is None:
            result.unmatched.append((code, kind))
            continue
        matched.add((code, kind))
        result.placed += 1
        if (latitude, longitude) != point:
            changed.append((*point, commune_id))
    result.unmatched.sort()
    result.unknown = sorted(key for key in points if key not in matched)
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(
        quote(Commune._meta.db_table),
        *(quote(Commune._meta.get_field(name).column) for name in ("latitude", "longitude", "id")),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(changed), BATCH_SIZE):
            cursor.executemany(sql, changed[start : start + BATCH_SIZE])
    result.updated = len(changed)
    return result


def import_acv(geojson):
    """Ensure the ACV programme exists, give coordinates to ACV towns that have none, link them to the programme.

    Towns are matched on `insee_com` among current communes; codes matching none are reported in
    `AcvResult.unmatched`. Communes already linked stay linked, no link is removed. ANCT's points only
    fill communes that still have no coordinates after `import_points`: a town hall is a better marker
    than ANCT's point, which remains useful when the import runs without points.
    """
    programme = get_programme(ACV_SLUG)
    created = programme is None
    if created:
        programme = Programme.objects.create(
            slug=ACV_SLUG, locale=Locale.get_default(), name=ACV_NAME, short_name=ACV_SHORT_NAME
        )
    result = AcvResult(programme=programme, programme_created=created)

    points = {}
    for feature in geojson["features"]:
        longitude, latitude = feature["geometry"]["coordinates"][:2]
        points[feature["properties"]["insee_com"]] = (float(latitude), float(longitude))
    communes = Commune.objects.filter(kind=Commune.Kind.CURRENT, insee_code__in=list(points)).only(
        "id", "insee_code", "latitude", "longitude"
    )
    by_code = {commune.insee_code: commune for commune in communes}
    result.unmatched = sorted(code for code in points if code not in by_code)

    to_update, matched_ids = [], []
    for code, (latitude, longitude) in points.items():
        commune = by_code.get(code)
        if commune is None:
            continue
        matched_ids.append(commune.id)
        if commune.latitude is None or commune.longitude is None:
            commune.latitude, commune.longitude = latitude, longitude
            to_update.append(commune)
    Commune.objects.bulk_update(to_update, ["latitude", "longitude"], batch_size=BATCH_SIZE)
    result.matched, result.coordinates_updated = len(matched_ids), len(to_update)
    result.links_added = _add_links(programme, matched_ids)
    return result


def _add_links(programme, commune_ids):
    through = Commune.programmes.through
    linked = set(through.objects.filter(programme_id=programme.id).values_list("commune_id", flat=True))
    missing = [commune_id for commune_id in commune_ids if commune_id not in linked]
    through.objects.bulk_create(
        [through(commune_id=commune_id, programme_id=programme.id) for commune_id in missing], batch_size=BATCH_SIZE
    )
    return len(missing)


def import_territories(decoupage, acv=None, progress: Callable[[str, object], None] | None = None, points=None):
    """Import régions, départements, EPCI, EPT, communes and, if given, their points and the ACV towns.

    decoupage is what `load_shipped_decoupage` or `load_decoupage_dir` returns, acv what `load_acv`
    returns, points what `load_points` returns. Everything runs in one transaction: a failure leaves
    the database untouched. `progress`, if given, is called after each stage with the stage name
    ("regions", "departments", "epcis", "epts", "communes", "points", "acv") and its SyncCounts
    (PointsResult for "points", AcvResult for "acv"). Returns an ImportResult.
    """
    report = progress or (lambda stage, counts: None)
    with transaction.atomic():
        regions = import_regions(decoupage["regions"])
        report("regions", regions)
        departments = import_departments(decoupage["departements"])
        report("departments", departments)
        epcis, epts = import_epcis(decoupage["epci"], decoupage["ept"])
        report("epcis", epcis)
        report("epts", epts)
        communes = import_communes(decoupage["communes"], decoupage["epci"], decoupage["ept"])
        report("communes", communes)
        result = ImportResult(regions, departments, epcis, epts, communes)
        # Points before ACV: ANCT's points only fill what the points file left empty.
        if points is not None:
            result.points = import_points(points)
            report("points", result.points)
        if acv is not None:
            result.acv = import_acv(acv)
            report("acv", result.acv)
        # Bulk writes send no signal: the cached listings, maps and facet indexes showing communes are
        # made stale here, once the import commits.
        transaction.on_commit(bump_content_generation)
    return result


def update_commune_search_index(ids=None):
    """Index the communes with these primary keys (all of them if ids is None) in the search backends.

    bulk_create and bulk_update skip the signals that normally keep the index up to date, so run this
    after the import has committed, with `result.communes.changed_ids`. Returns the number indexed.
    Indexing is much slower than importing (about 1 ms a commune on PostgreSQL).
    """
    queryset = Commune.objects.order_by("pk")
    ids = list(queryset.values_list("pk", flat=True)) if ids is None else sorted(ids)
    backends = list(get_search_backends_with_name(with_auto_update=True))
    for _name, backend in backends:
        index = backend.get_index_for_model(Commune)
        index.add_model(Commune)
        for start in range(0, len(ids), BATCH_SIZE):
            index.add_items(Commune, list(queryset.filter(pk__in=ids[start : start + BATCH_SIZE])))
    return len(ids) if backends else 0


# Programme members from a CSV file


def read_file_content(path_or_file, error):
    """What an uploaded file object (text or bytes) or a named file holds; a missing or unreadable file raises
    `error` (an exception class taking a list of messages)."""
    if hasattr(path_or_file, "read"):
        return path_or_file.read()
    try:
        return Path(path_or_file).read_bytes()
    except FileNotFoundError as exc:
        raise error([_("Fichier introuvable : %(path)s") % {"path": path_or_file}]) from exc
    except OSError as exc:
        raise error(
            [_("Lecture impossible de %(path)s : %(error)s") % {"path": path_or_file, "error": exc.strerror or exc}]
        ) from exc


def read_csv_text(csv_file, error=None):
    """The text of an uploaded or named CSV file (UTF-8 with or without BOM, else cp1252, as spreadsheets
    on Windows save it); a missing or unreadable file raises `error` (an exception class taking a list of
    messages), ProgrammeMembersImportError by default."""
    content = read_file_content(csv_file, error or ProgrammeMembersImportError)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Spreadsheets saved as "CSV" on Windows are often cp1252; INSEE codes are ASCII anyway.
            content = content.decode("cp1252", errors="replace")
    return content.lstrip("\ufeff")


def _normalise_header(cell):
    cell = unicodedata.normalize("NFKD", cell.strip().strip('"').lower())
    cell = "".join(char for char in cell if not unicodedata.combining(char))
    return re.sub(r"[\s\-.]+", "_", cell)


def parse_insee_csv(csv_file):
    """Read a CSV of INSEE codes; returns ([(line number, code)], [(line number, French error message)]).

    csv_file is a path or a file object (text or bytes). One code per row, in the column headed `insee`
    or `code_insee` (or a close variant such as `insee_com`, `codgeo`) if there is such a header, else
    in the first column; a first row without any digit in its first cell is taken as a header.
    Tolerates a BOM, blank lines, `;`, `,` or tab separators, spaces around codes, lower-case 2a/2b and
    four-digit codes whose leading zero a spreadsheet dropped. Line numbers count every physical line,
    blank ones included; file-level errors have line number 0.
    """
    lines = [
        (number, line) for number, line in enumerate(read_csv_text(csv_file).splitlines(), start=1) if line.strip()
    ]
    if not lines:
        return [], [(0, _("Le fichier ne contient aucun code INSEE."))]
    first = lines[0][1]
    # Single-column files have no separator at all, so look at a sample of rows rather than the first one.
    sample = "\n".join(line for _number, line in lines[:50])
    delimiter = next((candidate for candidate in (";", "\t", ",") if candidate in sample), ",")

    def cells(line):
        return next(csv.reader([line], delimiter=delimiter))

    column = 0
    header = [_normalise_header(cell) for cell in cells(first)]
    known = [index for index, name in enumerate(header) if name in CSV_HEADER_NAMES]
    if known:
        column, lines = known[0], lines[1:]
    elif header and not any(char.isdigit() for char in header[0]):
        lines = lines[1:]

    codes, errors, seen = [], [], {}
    for number, line in lines:
        row = cells(line)
        value = row[column].strip() if column < len(row) else ""
        code = value.upper()
        if len(code) == 4 and code.isdigit():
            code = "0" + code
        if not value:
            errors.append((number, _("ligne %(line)d : code INSEE manquant") % {"line": number}))
        elif not INSEE_CODE_RE.fullmatch(code):
            message = _(
                "ligne %(line)d : format de code INSEE invalide « %(value)s » "
                "(attendu : 5 caractères, par exemple 80001 ou 2A004)"
            )
            errors.append((number, message % {"line": number, "value": value}))
        elif code in seen:
            message = _("ligne %(line)d : code INSEE %(code)s en double (déjà ligne %(first)d)")
            errors.append((number, message % {"line": number, "code": code, "first": seen[code]}))
        else:
            seen[code] = number
            codes.append((number, code))
    if not codes and not errors:
        errors.append((0, _("Le fichier ne contient aucun code INSEE.")))
    return codes, errors


def import_programme_members(programme_slug, csv_file, replace=False):
    """Link the programme `programme_slug` (default locale) to the current communes listed in csv_file.

    Every row is checked first (format, duplicates, code of no current commune); if any row is wrong,
    or the programme does not exist, ProgrammeMembersImportError is raised with all the messages in
    file order and nothing is imported. Otherwise the links are added in one transaction; with
    replace=True the programme is also removed from the communes missing from the file.
    Returns a MembersImportResult.
    """
    programme = get_programme(programme_slug)
    if programme is None:
        raise ProgrammeMembersImportError(
            [_("Programme « %(slug)s » introuvable dans la langue par défaut.") % {"slug": programme_slug}]
        )
    codes, errors = parse_insee_csv(csv_file)
    current = dict(Commune.objects.filter(kind=Commune.Kind.CURRENT).values_list("insee_code", "id"))
    other_kinds = dict(Commune.objects.exclude(kind=Commune.Kind.CURRENT).values_list("insee_code", "kind"))
    kind_labels = dict(Commune.Kind.choices)
    commune_ids = []
    for number, code in codes:
        if code in current:
            commune_ids.append(current[code])
        elif code in other_kinds:
            message = _("ligne %(line)d : le code INSEE %(code)s n'est pas celui d'une commune actuelle (%(kind)s)")
            errors.append((number, message % {"line": number, "code": code, "kind": kind_labels[other_kinds[code]]}))
        else:
            errors.append((number, _("ligne %(line)d : code INSEE %(code)s inconnu") % {"line": number, "code": code}))
    if errors:
        raise ProgrammeMembersImportError(message for _number, message in sorted(errors, key=lambda error: error[0]))

    result = MembersImportResult(programme=programme, rows=len(commune_ids))
    through = Commune.programmes.through
    with transaction.atomic():
        result.added = _add_links(programme, commune_ids)
        result.already = len(commune_ids) - result.added
        if replace:
            wanted = set(commune_ids)
            linked = through.objects.filter(programme_id=programme.id).values_list("commune_id", flat=True)
            stale = [commune_id for commune_id in linked if commune_id not in wanted]
            # Chunks keep the IN list under SQLite's bound-parameter limit.
            for start in range(0, len(stale), 500):
                through.objects.filter(programme_id=programme.id, commune_id__in=stale[start : start + 500]).delete()
            result.removed = len(stale)
    return result
