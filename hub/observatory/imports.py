"""Import of indicator values from a CSV file (`manage.py import_indicators FILE.csv`).

The file has a header with the columns `indicateur,code,annee,valeur` (any order, any case, accents or not;
`,`, `;` or tab between cells), and optionally `niveau`; other columns are ignored. Each row gives the value
of an indicator (its slug; the indicator must exist, see the admin's snippets) for a territory and a year.

How a code names a territory, when the row has no `niveau`:
- 9 digits: a SIREN, of an EPCI or an EPT;
- 5 characters (`80001`, `2A004`; 4 digits whose leading zero a spreadsheet dropped are completed): the
  current commune of that INSEE code, or the arrondissement municipal of that code (Paris, Lyon, Marseille);
- 2 characters (`80`, `2A`; one digit is completed) or 3 digits `97x`: a département.
A région's code has 2 digits too, like a département's (`32` is both Hauts-de-France and the Gers): rows
about régions say so with `niveau` = `region`. `niveau` takes `commune`, `epci` (or `ept`), `departement`,
`region`, and INSEE's `COM`, `EPCI`, `DEP`, `REG`.

Every row is checked before anything is written: unknown indicator, unknown territory, year (4 digits,
1900–2100), value (a decimal number, `12,5` or `12.5`, spaces between thousands allowed, at most 14 digits
before the decimal mark; more than 4 decimals are rounded), the same indicator, territory and year twice.
Errors are reported by line number (the header is line 1) and, if there is any, nothing is imported.
Otherwise one transaction creates the missing values and updates the changed ones: importing the same file
again changes nothing. Values missing from the file are kept.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.cache import bump_content_generation
from hub.models import EPCI, Commune, Department, Indicator, IndicatorValue, Region
from hub.territories import read_csv_text

from . import COMMUNE, DEPARTMENT, INTERCOMMUNALITY, REGION, computed_indicators

REQUIRED_COLUMNS = ("indicateur", "code", "annee", "valeur")
LEVEL_COLUMN = "niveau"
LEVELS = {
    "commune": COMMUNE,
    "com": COMMUNE,
    "epci": INTERCOMMUNALITY,
    "ept": INTERCOMMUNALITY,
    "intercommunalite": INTERCOMMUNALITY,
    "departement": DEPARTMENT,
    "dep": DEPARTMENT,
    "region": REGION,
    "reg": REGION,
}
CODE_FORMATS = {
    COMMUNE: re.compile(r"\d{5}|2[AB]\d{3}"),
    INTERCOMMUNALITY: re.compile(r"\d{9}"),
    DEPARTMENT: re.compile(r"\d{2}|2[AB]|97\d"),
    REGION: re.compile(r"\d{2}"),
}
FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_INTEGER_DIGITS = 14  # IndicatorValue.value: 18 digits, 4 of them decimals
QUANTUM = Decimal("0.0001")
BATCH_SIZE = 1000


class IndicatorImportError(Exception):
    """The file cannot be imported: `errors` lists every problem, in file order."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list = field(default_factory=list)


@dataclass
class Row:
    line: int
    indicator: str
    code: str
    year: str
    value: str
    level: str = ""


# Reading the file ---------------------------------------------------------------------------------------


def _column_name(cell):
    cell = unicodedata.normalize("NFKD", cell.strip().lower())
    return "".join(char for char in cell if not unicodedata.combining(char)).replace(" ", "_")


def _cell(cells, position, name):
    index = position.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def read_rows(csv_file):
    """The file's data rows (Row), and the names of the columns it ignores; IndicatorImportError when the
    file cannot be read or its header lacks a column."""
    text = read_csv_text(csv_file, IndicatorImportError)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise IndicatorImportError([_("Le fichier est vide.")])
    delimiter = next((candidate for candidate in (";", "\t", ",") if candidate in first), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header, rows = None, []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [_column_name(cell) for cell in cells]
                missing = [name for name in REQUIRED_COLUMNS if name not in header]
                if missing:
                    raise IndicatorImportError(
                        [
                            _("ligne %(line)d : colonne(s) manquante(s) : %(columns)s (attendu : %(expected)s)")
                            % {
                                "line": reader.line_num,
                                "columns": ", ".join(missing),
                                "expected": ",".join(REQUIRED_COLUMNS),
                            }
                        ]
                    )
                position = {name: header.index(name) for name in (*REQUIRED_COLUMNS, LEVEL_COLUMN) if name in header}
                continue
            values = [_cell(cells, position, name) for name in (*REQUIRED_COLUMNS, LEVEL_COLUMN)]
            rows.append(Row(reader.line_num, *values))
    except csv.Error as exc:
        raise IndicatorImportError(
            [_("ligne %(line)d : CSV illisible (%(error)s)") % {"line": reader.line_num, "error": exc}]
        ) from exc
    ignored = [name for name in header if name not in (*REQUIRED_COLUMNS, LEVEL_COLUMN) and name]
    return rows, ignored


# Checking each row --------------------------------------------------------------------------------------


def territory_kind(code, level=""):
    """(kind, normalised code) of a territory code, or (None, message) when it names none (see the module)."""
    code = re.sub(r"\s+", "", code).upper()
    if level:
        kind = LEVELS.get(_column_name(level))
        if kind is None:
            return None, _("niveau « %(level)s » inconnu (attendu : commune, epci, departement ou region)") % {
                "level": level
            }
    elif len(code) == 9:
        kind = INTERCOMMUNALITY
    elif len(code) in (4, 5):
        kind = COMMUNE
    elif len(code) in (1, 2) or (len(code) == 3 and code.startswith("97")):
        kind = DEPARTMENT
    else:
        kind = None
    if kind == COMMUNE and len(code) == 4 and code.isdigit():
        code = "0" + code
    elif kind in (DEPARTMENT, REGION) and len(code) == 1 and code.isdigit():
        code = "0" + code
    if kind is None or not CODE_FORMATS[kind].fullmatch(code):
        if not code:
            return None, _("code manquant")
        return None, _(
            "code « %(code)s » non reconnu (attendu : code INSEE d'une commune, 5 caractères ; SIREN d'une "
            "intercommunalité, 9 chiffres ; code d'un département ; d'une région, avec niveau = region)"
        ) % {"code": code}
    return kind, code


def parse_year(text):
    if not re.fullmatch(r"\d{4}", text or ""):
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def parse_value(text):
    """The Decimal a cell writes (`12,5`, `12.5`, `1 234,5`, `-3`), rounded to 4 decimals; None if not a number."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text or "")
    if "," in text:
        if "." in text or text.count(",") > 1:
            return None
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        value = Decimal(text).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return None
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        return None
    return value


def _territories(codes_by_kind):
    """{(kind, code): territory pk, or a message when the code is that of no territory we can hold}: one query
    per kind present."""
    found = {}
    communes = codes_by_kind.get(COMMUNE)
    if communes:
        kinds = dict(Commune.Kind.choices)
        rows = Commune.objects.filter(insee_code__in=communes).values_list("insee_code", "kind", "pk")
        by_code = {}
        for code, kind, pk in rows:
            by_code.setdefault(code, {})[kind] = pk
        for code, pks in by_code.items():
            pk = pks.get(Commune.Kind.CURRENT) or pks.get(Commune.Kind.MUNICIPAL_DISTRICT)
            if pk:
                found[(COMMUNE, code)] = pk
            else:
                kind_label = kinds[next(iter(pks))]
                found[(COMMUNE, code)] = _(
                    "le code INSEE %(code)s n'est pas celui d'une commune actuelle (%(kind)s)"
                ) % {"code": code, "kind": kind_label}
    for kind, model, key in (
        (INTERCOMMUNALITY, EPCI, "siren"),
        (DEPARTMENT, Department, "code"),
        (REGION, Region, "code"),
    ):
        codes = codes_by_kind.get(kind)
        if codes:
            for code, pk in model.objects.filter(**{f"{key}__in": codes}).values_list(key, "pk"):
                found[(kind, code)] = pk
    return found


UNKNOWN = {
    COMMUNE: gettext_lazy("commune inconnue : aucun code INSEE %(code)s"),
    INTERCOMMUNALITY: gettext_lazy("intercommunalité inconnue : aucun SIREN %(code)s"),
    DEPARTMENT: gettext_lazy("département inconnu : aucun code %(code)s"),
    REGION: gettext_lazy("région inconnue : aucun code %(code)s"),
}


def check_rows(rows):
    """[(indicator, kind, territory pk, year, value, line)] for rows all correct; else IndicatorImportError."""
    if not rows:
        raise IndicatorImportError([_("Le fichier ne contient aucune ligne de valeurs.")])
    errors = []
    computed = {indicator.slug for indicator in computed_indicators()}
    indicators = Indicator.objects.in_bulk({row.indicator for row in rows}, field_name="slug")
    parsed, codes_by_kind = [], {}
    for row in rows:
        problems = []
        indicator = indicators.get(row.indicator)
        if not row.indicator:
            problems.append(_("indicateur manquant"))
        elif indicator is None and row.indicator in computed:
            problems.append(
                _("l'indicateur « %(slug)s » est calculé par le site : il ne s'importe pas") % {"slug": row.indicator}
            )
        elif indicator is None:
            problems.append(
                _("indicateur « %(slug)s » inconnu (créez-le d'abord dans l'administration)") % {"slug": row.indicator}
            )
        kind, code = territory_kind(row.code, row.level)
        if kind is None:
            problems.append(code)
        else:
            codes_by_kind.setdefault(kind, set()).add(code)
        year = parse_year(row.year)
        if year is None:
            problems.append(
                _("année « %(year)s » invalide (attendu : 4 chiffres, de %(first)d à %(last)d)")
                % {"year": row.year, "first": FIRST_YEAR, "last": LAST_YEAR}
            )
        value = parse_value(row.value)
        if value is None:
            if row.value:
                problems.append(
                    _("valeur « %(value)s » invalide (attendu : un nombre, par exemple 12,5)") % row.__dict__
                )
            else:
                problems.append(_("valeur manquante"))
        parsed.append((row, indicator, kind, code, year, value, problems))

    territories = _territories(codes_by_kind)
    checked, seen = [], {}
    for row, indicator, kind, code, year, value, problems in parsed:
        pk = None
        if kind is not None:
            pk = territories.get((kind, code))
            if pk is None:
                problems.append(str(UNKNOWN[kind]) % {"code": code})
            elif isinstance(pk, str):
                problems.append(pk)
                pk = None
        if not problems:
            key = (indicator.pk, kind, pk, year)
            if key in seen:
                problems.append(
                    _("même indicateur, territoire et année qu'à la ligne %(first)d") % {"first": seen[key]}
                )
            else:
                seen[key] = row.line
        if problems:
            errors.extend(_("ligne %(line)d : %(problem)s") % {"line": row.line, "problem": p} for p in problems)
        else:
            checked.append((indicator, kind, pk, year, value, row.line))
    if errors:
        raise IndicatorImportError(errors)
    return checked


# Writing ------------------------------------------------------------------------------------------------


def import_rows(rows):
    """Checks every Row, then creates or updates their values in one transaction; returns an ImportResult."""
    checked = check_rows(rows)
    result = ImportResult(rows=len(checked))
    indicator_ids = {indicator.pk for indicator, *_rest in checked}
    years = {year for _indicator, _kind, _pk, year, _value, _line in checked}
    fields = IndicatorValue.TERRITORY_FIELDS
    with transaction.atomic():
        existing = {}
        for stored in IndicatorValue.objects.filter(indicator_id__in=indicator_ids, year__in=years):
            kind = next(kind for kind, name in fields.items() if getattr(stored, f"{name}_id") is not None)
            existing[(stored.indicator_id, kind, getattr(stored, f"{fields[kind]}_id"), stored.year)] = stored
        to_create, to_update = [], []
        for indicator, kind, pk, year, value, _line in checked:
            stored = existing.get((indicator.pk, kind, pk, year))
            if stored is None:
                to_create.append(
                    IndicatorValue(indicator=indicator, year=year, value=value, **{f"{fields[kind]}_id": pk})
                )
            elif stored.value != value:
                stored.value = value
                to_update.append(stored)
            else:
                result.unchanged += 1
        IndicatorValue.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        IndicatorValue.objects.bulk_update(to_update, ["value"], batch_size=BATCH_SIZE)
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            # Territory pages and listings may be cached: bulk writes send no signal.
            transaction.on_commit(bump_content_generation)
    return result


def import_indicators(csv_file):
    """Imports the values of a CSV file (a path or a file object); IndicatorImportError lists every problem
    when a row is wrong, and then nothing is imported."""
    rows, ignored = read_rows(csv_file)
    result = import_rows(rows)
    result.ignored_columns = ignored
    return result
