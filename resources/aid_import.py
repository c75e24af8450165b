"""Import of financing aids from aides-territoires (`manage.py import_aids FILE.json`).

The file is what the aides-territoires public API returns for a list of aids, `{"count": …, "next": …,
"previous": …, "results": [aid, …]}`, or a bare list of aids. Each aid is an object in the API's format
(https://aides-territoires.beta.gouv.fr/api/, versions 1.x of the former Django API and 1.8 of the current
one): its lists (`targeted_audiences`, `aid_types`) and its `recurrence` hold French labels, such as
« Commune » or « Communes », « Subvention », « Permanente »; its `url` is a path under the site.

Every aid is checked before anything is written: the file must be JSON, a list or an object with `results`;
each aid needs an `id` and a `name`; its dates are `AAAA-MM-JJ` (`date_updated` an ISO date and time), its
rates numbers from 0 to 100, the lower bound at most the upper one, the closing date not before the
opening; its text fields are texts and its list fields lists of texts; no `id` twice. If anything is wrong,
every problem is reported with the aid's position in the file and its id, and nothing is imported.

Then each aid is mapped onto an AidPage (see the tables below). A value we cannot map (an audience we have no
beneficiary for, a programme other than ours, an aid type such as the CEE…) is reported and left out: the aid
is imported with what maps. An aid is not imported, and the report says so, when its perimeter names no
territory we know (a wrong territory would be worse than a missing aid), or when it has no financer, no
nature or no beneficiary we recognise (the page requires them). The perimeter « France », « Europe » (the
scales Pays and Continent) sets no territory rule; « France métropolitaine » the mainland régions,
« Outre-mer » the overseas ones; a région, a département, an EPCI or a commune is looked up by name (a
commune's postcodes, when the perimeter gives them, pick between namesakes).

One transaction then creates the new aids as live pages under the French guide of aids (AidIndexPage),
each published with a revision, and updates, with a new published revision, those already imported (same
`external_id`, the aides-territoires id) whose mapped values changed. An aid whose values did not change is
not saved: importing the same file again writes nothing. Only the fields below are written: what editors
set on their own (amounts, population bands, documents) is kept. An imported aid an editor unpublished is
left alone. Aids missing from the file are kept.
"""

import datetime
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hub.models import EPCI, Commune, Department, Programme, Region, Thematic
from hub.territories import read_file_content
from resources.models import AidEligibleCommune, AidIndexPage, AidNature, AidPage, Beneficiary, FunderType

SITE = "https://aides-territoires.beta.gouv.fr"
SUMMARY_LENGTH = 600  # AidPage.summary
FUNDERS_LENGTH = 300  # AidPage.funders
TITLE_LENGTH = 255  # Page.title
URL_LENGTH = 200  # URLField
RATE_QUANTUM = Decimal("0.01")


class AidImportError(Exception):
    """The file cannot be imported: `errors` lists every problem, in file order."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class ImportResult:
    aids: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list = field(default_factory=list)  # about the file
    notes: list = field(default_factory=list)  # about an aid: a value not mapped, an aid skipped
    written: list = field(default_factory=list)  # what was created or updated, a line per aid


# Text ---------------------------------------------------------------------------------------------------


def key(text):
    """`text` lowercased, without accents nor punctuation, for comparing labels and names."""
    text = (text or "").replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(value, lines=True):
    """The text of an HTML fragment: one line per paragraph or list item (`lines`), or a single line."""
    parser = _TextExtractor()
    parser.feed(value or "")
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\u00a0", " ")
    rows = [" ".join(row.split()) for row in text.split("\n")]
    rows = [row for row in rows if row]
    return "\n".join(rows) if lines else " ".join(rows)


def shorten(text, limit):
    """`text` cut at a word boundary to at most `limit` characters, an ellipsis marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–") + "…"


# Reading the file ---------------------------------------------------------------------------------------


def read_aids(json_file):
    """The file's aids (a list of whatever the file holds) and warnings about the file; AidImportError when
    it cannot be read, is not JSON or holds no list of aids."""
    content = read_file_content(json_file, AidImportError)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AidImportError([_("Le fichier n'est pas encodé en UTF-8.")]) from exc
    try:
        data = json.loads(content.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise AidImportError(
            [
                _("JSON illisible, ligne %(line)d, colonne %(column)d : %(error)s")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
            ]
        ) from exc
    warnings = []
    if isinstance(data, dict):
        if not isinstance(data.get("results"), list):
            raise AidImportError(
                [_("Le fichier n'a pas de liste « results » : attendu une réponse de l'API ou une liste d'aides.")]
            )
        if data.get("next"):
            warnings.append(
                _(
                    "Le fichier ne contient qu'une page des résultats (%(found)d aides sur %(count)s) : "
                    "la suite est à l'adresse %(next)s."
                )
                % {"found": len(data["results"]), "count": data.get("count", "?"), "next": data["next"]}
            )
        data = data["results"]
    elif not isinstance(data, list):
        raise AidImportError([_("Le fichier doit contenir une liste d'aides ou une réponse de l'API (« results »).")])
    if not data:
        raise AidImportError([_("Le fichier ne contient aucune aide.")])
    return data, warnings


# Checking each aid --------------------------------------------------------------------------------------

TEXT_FIELDS = (
    "slug",
    "url",
    "description",
    "eligibility",
    "perimeter",
    "perimeter_scale",
    "origin_url",
    "application_url",
    "contact",
    "recurrence",
)
LIST_FIELDS = ("financers", "instructors", "programs", "categories", "targeted_audiences", "aid_types")
DATE_FIELDS = ("start_date", "predeposit_date", "submission_deadline")
RATE_FIELDS = ("subvention_rate_lower_bound", "subvention_rate_upper_bound")


@dataclass
class SourceAid:
    """One aid of the file, checked: its raw object and its parsed values."""

    position: int
    external_id: str
    name: str
    data: dict
    dates: dict
    rates: dict
    updated_on: datetime.date | None

    def text(self, name):
        return self.data.get(name) or ""

    def strings(self, name):
        return [value.strip() for value in self.data.get(name) or [] if value.strip()]


def parse_date(value):
    """The date of a `AAAA-MM-JJ` string, None for null or ""; raises ValueError otherwise."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError
    return datetime.date.fromisoformat(value.strip())


def parse_day_of(value):
    """The (Paris) date of an ISO 8601 date and time, or of a date; None for null or ""; else ValueError."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return datetime.date.fromisoformat(value)
    if not re.match(r"\d{4}-\d{2}-\d{2}[T ]", value):
        raise ValueError
    moment = datetime.datetime.fromisoformat(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date()


def parse_rate(value):
    """The Decimal of a percentage (a JSON number, or a text like "12,5"), None for null or ""; else ValueError."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
        if not re.fullmatch(r"\d+(\.\d+)?", value):
            raise ValueError
    elif not isinstance(value, int | float):
        raise ValueError
    try:
        rate = Decimal(str(value)).quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not (0 <= rate <= 100):
        raise ValueError
    return rate


def _identifier(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, str) and value.strip() and len(value.strip()) <= 40:
        return value.strip()
    return None


def _check_one(position, item):
    """(SourceAid or None, [problems]) for the aid at `position` (1-based)."""
    if not isinstance(item, dict):
        return None, [_("ce n'est pas un objet JSON")]
    problems = []
    external_id = _identifier(item.get("id"))
    if item.get("id") in (None, ""):
        problems.append(_("identifiant (id) manquant"))
    elif external_id is None:
        problems.append(_("identifiant (id) « %(value)s » invalide") % {"value": item.get("id")})
    name = item.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):
        problems.append(_("nom (name) manquant"))
        name = ""
    elif not isinstance(name, str):
        problems.append(_("nom (name) : texte attendu"))
        name = ""
    else:
        name = " ".join(name.split())
        if len(name) > TITLE_LENGTH:
            problems.append(_("nom (name) de plus de %(limit)d caractères") % {"limit": TITLE_LENGTH})
    for field_name in TEXT_FIELDS:
        if item.get(field_name) is not None and not isinstance(item[field_name], str):
            problems.append(_("%(field)s : texte attendu") % {"field": field_name})
    for field_name in LIST_FIELDS:
        value = item.get(field_name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(_("%(field)s : liste de textes attendue") % {"field": field_name})
    for field_name in ("aid_types_full", "financers_full"):
        value = item.get(field_name)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)
        ):
            problems.append(_("%(field)s : liste d'objets avec un nom (name) attendue") % {"field": field_name})
    if item.get("is_call_for_project") is not None and not isinstance(item["is_call_for_project"], bool):
        problems.append(_("is_call_for_project : true ou false attendu"))
    dates = {}
    for field_name in DATE_FIELDS:
        try:
            dates[field_name] = parse_date(item.get(field_name))
        except ValueError:
            problems.append(
                _("%(field)s : date « %(value)s » invalide (attendu : AAAA-MM-JJ)")
                % {"field": field_name, "value": item.get(field_name)}
            )
    try:
        updated_on = parse_day_of(item.get("date_updated"))
    except ValueError:
        updated_on = None
        problems.append(
            _("date_updated : « %(value)s » invalide (attendu : une date et heure ISO 8601)")
            % {"value": item.get("date_updated")}
        )
    if dates.get("start_date") and dates.get("submission_deadline"):
        if dates["submission_deadline"] < dates["start_date"]:
            problems.append(
                _("la clôture (submission_deadline, %(end)s) précède l'ouverture (start_date, %(start)s)")
                % {"end": dates["submission_deadline"], "start": dates["start_date"]}
            )
    rates = {}
    for field_name in RATE_FIELDS:
        try:
            rates[field_name] = parse_rate(item.get(field_name))
        except ValueError:
            problems.append(
                _("%(field)s : taux « %(value)s » invalide (attendu : un nombre de 0 à 100)")
                % {"field": field_name, "value": item.get(field_name)}
            )
    low, high = rates.get(RATE_FIELDS[0]), rates.get(RATE_FIELDS[1])
    if low is not None and high is not None and low > high:
        problems.append(
            _("taux minimal (%(low)s) supérieur au taux maximal (%(high)s)")
            % {"low": item[RATE_FIELDS[0]], "high": item[RATE_FIELDS[1]]}
        )
    if problems:
        return None, problems
    return SourceAid(position, external_id, name, item, dates, rates, updated_on), []


def check_aids(items):
    """[SourceAid] for aids all correct; else AidImportError listing every problem with the aid's position and id."""
    errors, checked, seen = [], [], {}
    for position, item in enumerate(items, start=1):
        aid, problems = _check_one(position, item)
        if aid is not None:
            if aid.external_id in seen:
                problems.append(_("même identifiant que l'aide n° %(first)d") % {"first": seen[aid.external_id]})
            else:
                seen[aid.external_id] = position
                checked.append(aid)
        raw_id = _identifier(item.get("id")) if isinstance(item, dict) else None
        for problem in problems:
            if raw_id:
                where = _("aide n° %(position)d (id %(id)s)") % {"position": position, "id": raw_id}
            else:
                where = _("aide n° %(position)d") % {"position": position}
            errors.append(f"{where} : {problem}")
    if errors:
        raise AidImportError(errors)
    return checked


# Mapping tables -----------------------------------------------------------------------------------------

# aid_types labels (and the API's keys or slugs), read through key().
NATURES = {
    "subvention": AidNature.GRANT,
    "grant": AidNature.GRANT,
    "pret": AidNature.LOAN,
    "loan": AidNature.LOAN,
    "avance recuperable": AidNature.ADVANCE,
    "avance remboursable": AidNature.ADVANCE,
    "recoverable advance": AidNature.ADVANCE,
    "ingenierie technique": AidNature.ENGINEERING,
    "ingenierie financiere": AidNature.ENGINEERING,
    "ingenierie juridique administrative": AidNature.ENGINEERING,
    "technical engineering": AidNature.ENGINEERING,
    "financial engineering": AidNature.ENGINEERING,
    "legal engineering": AidNature.ENGINEERING,
    "garantie": AidNature.GUARANTEE,
    "fonds de garantie": AidNature.GUARANTEE,
    "guarantee": AidNature.GUARANTEE,
}
NATURE_PATTERNS = [
    (re.compile(r"^ingenierie\b"), AidNature.ENGINEERING),
    (re.compile(r"\bgarantie\b"), AidNature.GUARANTEE),
]

# targeted_audiences labels, singular ([SY] API 1.8) and plural (API 1.x), and their keys or slugs. Not mapped:
# départements, régions, collectivités d'outre-mer, établissements publics and services de l'État, entreprises
# publiques locales (a SEM may be a landlord, a developer or a property company: no single beneficiary),
# agriculteurs, recherche.
BENEFICIARIES = {
    "commune": Beneficiary.COMMUNE,
    "communes": Beneficiary.COMMUNE,
    "intercommunalite pays": Beneficiary.EPCI,
    "intercommunalites pays": Beneficiary.EPCI,
    "intercommunalite": Beneficiary.EPCI,
    "epci": Beneficiary.EPCI,
    "entreprise privee": Beneficiary.TRADER,
    "entreprises privees": Beneficiary.TRADER,
    "private sector": Beneficiary.TRADER,
    "commercant": Beneficiary.TRADER,
    "commercants": Beneficiary.TRADER,
    "artisan": Beneficiary.TRADER,
    "artisans": Beneficiary.TRADER,
    "association": Beneficiary.ASSOCIATION,
    "associations": Beneficiary.ASSOCIATION,
    "particulier": Beneficiary.OWNER,
    "particuliers": Beneficiary.OWNER,
    "private person": Beneficiary.OWNER,
    "proprietaire": Beneficiary.OWNER,
    "proprietaires": Beneficiary.OWNER,
    "bailleur": Beneficiary.LANDLORD,
    "bailleurs": Beneficiary.LANDLORD,
    "bailleur social": Beneficiary.LANDLORD,
    "bailleurs sociaux": Beneficiary.LANDLORD,
}

# The financer's name (the first one the aid lists), read through key(), in this order.
FUNDER_TYPES = [
    (re.compile(r"\bbanque des territoires\b|\bcaisse des depots\b"), FunderType.BANQUE_DES_TERRITOIRES),
    (re.compile(r"^anah\b|\bagence nationale de l habitat\b"), FunderType.ANAH),
    (re.compile(r"\baction logement\b"), FunderType.ACTION_LOGEMENT),
    (
        re.compile(
            r"\b(union europeenne|commission europeenne|fonds europeens?|feder|fse|feader|leader|interreg)\b|^europe\b"
        ),
        FunderType.EUROPE,
    ),
    (
        re.compile(
            r"\b(anct|agence nationale de la cohesion des territoires|ademe|agence de la transition ecologique|"
            r"cerema|anru|agence nationale pour la renovation urbaine|bpifrance|agences? de l eau|"
            r"office francais de la biodiversite|ofb|atout france|france travail)\b|^agence nationale\b|"
            r"^centre national\b|^etablissement public foncier\b|^epf\b"
        ),
        FunderType.STATE_OPERATOR,
    ),
    (
        re.compile(
            r"^(etat|l etat|gouvernement|ministere|ministeres|prefecture|prefet|sous prefecture|secretariat general|"
            r"sgar|dreal|ddt|ddtm|dreets|draaf|drac|ddeets|direction regionale|direction departementale)\b|"
            r"\bservices de l etat\b"
        ),
        FunderType.STATE,
    ),
    (re.compile(r"^(region|conseil regional|collectivite territoriale de)\b"), FunderType.REGION),
    (
        re.compile(r"^(departement|conseil departemental|conseil general|collectivite europeenne)\b"),
        FunderType.DEPARTMENT,
    ),
    (
        re.compile(
            r"^(metropole|eurometropole|communaute (de communes|d agglomeration|urbaine)|agglomeration|agglo|"
            r"etablissement public territorial|ca|cc|cu)\b"
        ),
        FunderType.EPCI,
    ),
]

# programs names, read through key(): our programmes' slugs. A programme of ours is also found by its name
# or short name.
PROGRAMMES = [
    (re.compile(r"\bcoeur de ville\b|^acv\b"), "acv"),
    (re.compile(r"\bpetites villes de demain\b|^pvd\b"), "pvd"),
    (re.compile(r"\bcentres? villes? vivants?\b|^cvv\b"), "cvv"),
]

# A category's sub-theme (its last part, "Thème|Sous-thème" or "Thème / Sous-thème"), read through key():
# our thematics' slugs. A category may give several.
THEMATICS = [
    (re.compile(r"\b(logement|habitat|copropriete|renovation de l habitat)"), "habitat"),
    (re.compile(r"\b(commerce|artisanat|economie locale|economie de proximite|attractivite economique)"), "commerce"),
    (re.compile(r"\b(mobilite|transport|velo|cyclable|voirie|stationnement|accessibilite)"), "mobilites"),
    (
        re.compile(r"\b(espace public|espaces publics|espaces verts|patrimoine|paysage|urbanisme|amenagement|friche)"),
        "espaces-publics",
    ),
    (re.compile(r"\b(equipement|services? publics?|services? au public|batiments? publics?)"), "equipements"),
    (
        re.compile(
            r"\b(transition|energie|energetique|climat|biodiversite|environnement|eau|dechets|nature|qualite de l air|"
            r"sobriete)"
        ),
        "transition-ecologique",
    ),
    (re.compile(r"\b(revitalisation|centre ville|centres villes|centre bourg|management)"), "management-centre-ville"),
    (re.compile(r"\b(culture|culturel|tourisme|touristique|animation|evenement|loisirs)"), "culture-tourisme"),
]

PERMANENT_RECURRENCES = {"permanente", "ongoing"}

# Perimeters.
COMMUNE, INTERCOMMUNALITY, DEPARTMENT, REGION = "commune", "epci", "departement", "region"
NATIONAL, MAINLAND, OVERSEAS, UNMAPPED = "national", "metropole", "outre-mer", "non-reconnu"
SCALES = {
    "commune": COMMUNE,
    "epci": INTERCOMMUNALITY,
    "intercommunalite": INTERCOMMUNALITY,
    "departement": DEPARTMENT,
    "region": REGION,
    "pays": NATIONAL,
    "continent": NATIONAL,
    "metropole": MAINLAND,
    "outre mer": OVERSEAS,
    "bassin hydrographique": UNMAPPED,
    "ad hoc": UNMAPPED,
}
PERIMETER_NAMES = {
    "france": NATIONAL,
    "france entiere": NATIONAL,
    "national": NATIONAL,
    "europe": NATIONAL,
    "union europeenne": NATIONAL,
    "france metropolitaine": MAINLAND,
    "metropole": MAINLAND,
    "outre mer": OVERSEAS,
    "france d outre mer": OVERSEAS,
}
COMMUNE_LINKS = "eligible_commune_links"  # AidPage's inline eligible communes (AidEligibleCommune rows)
OVERSEAS_REGION_CODES = {"01", "02", "03", "04", "06"}  # Guadeloupe, Martinique, Guyane, La Réunion, Mayotte
WITH_SCALE = re.compile(r"^(?P<name>.*?)\s*\((?P<scale>[^()]*)\)\s*$")


def _first_match(patterns, text):
    return next((value for pattern, value in patterns if pattern.search(text)), None)


def in_choices_order(codes, choices):
    return [code for code, _label in choices.choices if code in codes]


# Mapping one aid ----------------------------------------------------------------------------------------


@dataclass
class MappedAid:
    aid: SourceAid
    values: dict = field(default_factory=dict)  # AidPage field: value
    relations: dict = field(default_factory=dict)  # parental many-to-many field (or COMMUNE_LINKS): [objects]
    notes: list = field(default_factory=list)
    skip: str = ""  # why the aid is not imported


class Vocabulary:
    """What the aids' values are mapped to: our territories, programmes and thematics (French rows), read
    once (communes and EPCIs by the names the file gives)."""

    def __init__(self, aids, locale):
        self.regions = list(Region.objects.order_by("code"))
        self.departments = list(Department.objects.order_by("code"))
        self.programmes = list(Programme.objects.filter(locale=locale))
        self.thematics = {thematic.slug: thematic for thematic in Thematic.objects.filter(locale=locale)}
        names = {COMMUNE: set(), INTERCOMMUNALITY: set()}
        for aid in aids:
            kind, name, _postcodes = split_perimeter(aid)
            if kind in names:
                names[kind].add(name)
        self.epcis = {}
        if names[INTERCOMMUNALITY]:
            wanted = {key(name) for name in names[INTERCOMMUNALITY]}
            for epci in EPCI.objects.all():
                if key(epci.name) in wanted:
                    self.epcis.setdefault(key(epci.name), []).append(epci)
        self.communes = {}
        if names[COMMUNE]:
            communes = Commune.objects.filter(name__in=names[COMMUNE], kind=Commune.Kind.CURRENT).order_by("insee_code")
            for commune in communes:
                self.communes.setdefault(key(commune.name), []).append(commune)

    def programme(self, name):
        slug = _first_match(PROGRAMMES, key(name))
        for programme in self.programmes:
            if programme.slug == slug or key(name) in (key(programme.name), key(programme.short_name)):
                return programme
        return None


def split_perimeter(aid):
    """(kind, name, postcodes) of the aid's perimeter: the scale given by `perimeter_scale` (API 1.8), or in
    parentheses after the name (« Somme (Département) », « Abbeville (Commune – 80100) », API 1.x), or
    guessed from the name (kind None: any territory of that name)."""
    perimeter = " ".join(aid.text("perimeter").split())
    scale = aid.text("perimeter_scale").strip()
    postcodes = []
    if scale:
        return SCALES.get(key(scale), UNMAPPED), perimeter, postcodes
    match = WITH_SCALE.match(perimeter)
    if match:
        label, *rest = re.split(r"\s*[–—]\s*|\s+-\s+", match["scale"], maxsplit=1)
        if key(label) in SCALES:
            postcodes = re.findall(r"\b\d{5}\b", " ".join(rest))
            return SCALES[key(label)], match["name"], postcodes
    if key(perimeter) in PERIMETER_NAMES:
        return PERIMETER_NAMES[key(perimeter)], perimeter, postcodes
    return None, perimeter, postcodes


def _territory_label(territory):
    code = getattr(territory, "insee_code", None) or getattr(territory, "siren", None) or territory.code
    return f"{territory.name} ({code})"


def _territory_rule(aid, vocabulary):
    """({parental field: [territories]}, "") for the aid's perimeter, or (None, why the aid is skipped)."""
    kind, name, postcodes = split_perimeter(aid)
    none = {"eligible_regions": [], "eligible_departments": [], "eligible_epcis": [], COMMUNE_LINKS: []}
    perimeter = {"perimeter": aid.text("perimeter")}
    if not name:
        return None, _("périmètre absent : aide ignorée")
    if kind == NATIONAL:
        return none, ""
    if kind in (MAINLAND, OVERSEAS):
        overseas = kind == OVERSEAS
        regions = [r for r in vocabulary.regions if (r.code in OVERSEAS_REGION_CODES) == overseas]
        if not regions:
            return None, _(
                "périmètre « %(perimeter)s » : aucune de ses régions dans la base : aide ignorée"
            ) % perimeter
        return {**none, "eligible_regions": regions}, ""
    if kind == UNMAPPED:
        scale = aid.text("perimeter_scale") or WITH_SCALE.match(aid.text("perimeter"))["scale"]
        return None, _(
            "périmètre « %(perimeter)s » non reconnu (échelle « %(scale)s » sans équivalent parmi nos "
            "territoires) : aide ignorée"
        ) % {**perimeter, "scale": scale.strip()}
    found = []
    if kind in (None, REGION):
        found += [("eligible_regions", r) for r in vocabulary.regions if key(r.name) == key(name) or r.code == name]
    if kind in (None, DEPARTMENT):
        found += [
            ("eligible_departments", d)
            for d in vocabulary.departments
            if key(d.name) == key(name) or d.code == name.upper()
        ]
    if kind == INTERCOMMUNALITY:
        found += [("eligible_epcis", e) for e in vocabulary.epcis.get(key(name), [])]
    if kind == COMMUNE:
        communes = vocabulary.communes.get(key(name), [])
        if postcodes:
            with_codes = [c for c in communes if set(postcodes) & set(filter(None, c.postcodes.split(",")))]
            # Without postcodes in our data, a single namesake is taken.
            communes = with_codes or [c for c in communes if not c.postcodes and len(communes) == 1]
        found += [(COMMUNE_LINKS, c) for c in communes]
    regions = [t for name_, t in found if name_ == "eligible_regions"]
    if len(regions) == 1 and all(
        name_ == "eligible_regions" or (name_ == "eligible_departments" and t.region_id == regions[0].pk)
        for name_, t in found
    ):
        # A single-département région (La Réunion, Guyane…) and its département: the région.
        found = [("eligible_regions", regions[0])]
    if len(found) > 1:
        return None, _("périmètre « %(perimeter)s » ambigu (%(names)s) : aide ignorée") % {
            **perimeter,
            "names": ", ".join(_territory_label(t) for _n, t in found),
        }
    if not found:
        return None, _("périmètre « %(perimeter)s » non reconnu : aide ignorée") % perimeter
    field_name, territory = found[0]
    return {**none, field_name: [territory]}, ""


def map_aid(aid, vocabulary):
    """The AidPage values of a checked aid, with notes on what does not map, or the reason to skip it."""
    mapped = MappedAid(aid)
    note = mapped.notes.append
    values = mapped.values

    rule, mapped.skip = _territory_rule(aid, vocabulary)
    if rule is None:
        return mapped
    mapped.relations.update(rule)

    funders = aid.strings("financers") or [
        " ".join(entry["name"].split()) for entry in aid.data.get("financers_full") or [] if entry["name"].strip()
    ]
    if not funders:
        mapped.skip = _("aucun financeur (financers) : aide ignorée")
        return mapped
    values["funders"] = shorten(", ".join(funders), FUNDERS_LENGTH)
    values["funder_type"] = _first_match(FUNDER_TYPES, key(funders[0])) or FunderType.OTHER
    if values["funder_type"] == FunderType.OTHER:
        note(_("financeur « %(name)s » : type non reconnu, classé « autre »") % {"name": funders[0]})

    natures = set()
    types = aid.strings("aid_types") or [entry["name"] for entry in aid.data.get("aid_types_full") or []]
    for label in types:
        nature = NATURES.get(key(label)) or _first_match(NATURE_PATTERNS, key(label))
        if nature:
            natures.add(nature)
        else:
            note(_("type d'aide « %(label)s » non reconnu") % {"label": label})
    if aid.data.get("is_call_for_project"):
        natures.add(AidNature.CALL)
    if not natures:
        mapped.skip = _("aucune nature d'aide reconnue : aide ignorée")
        return mapped
    values["natures"] = in_choices_order(natures, AidNature)

    beneficiaries = set()
    for label in aid.strings("targeted_audiences"):
        beneficiary = BENEFICIARIES.get(key(label))
        if beneficiary:
            beneficiaries.add(beneficiary)
        else:
            note(_("public « %(label)s » non reconnu") % {"label": label})
    if not beneficiaries:
        mapped.skip = _("aucun public (targeted_audiences) reconnu : aide ignorée")
        return mapped
    values["beneficiaries"] = in_choices_order(beneficiaries, Beneficiary)

    programmes = []
    for name in aid.strings("programs"):
        programme = vocabulary.programme(name)
        if programme is None:
            note(_("programme « %(name)s » non reconnu") % {"name": name})
        elif programme not in programmes:
            programmes.append(programme)
    # An aid listed under a programme of ours is reserved to that programme's communes.
    mapped.relations["programmes"] = programmes
    mapped.relations["required_programmes"] = list(programmes)

    thematics, unmatched = [], []
    for category in aid.strings("categories"):
        theme = re.split(r"\||\s/\s", category)[-1]
        slugs = [slug for pattern, slug in THEMATICS if pattern.search(key(theme))]
        found = [vocabulary.thematics[slug] for slug in slugs if slug in vocabulary.thematics]
        if not found:
            unmatched.append(category)
        thematics += [thematic for thematic in found if thematic not in thematics]
    if unmatched:
        note(_("catégorie(s) sans thématique correspondante : %(names)s") % {"names": ", ".join(unmatched)})
    mapped.relations["thematics"] = thematics

    values["title"] = aid.name
    description = plain_text(aid.text("description"), lines=False)
    values["summary"] = shorten(description or aid.name, SUMMARY_LENGTH)
    values["eligibility"] = plain_text(aid.text("eligibility"))
    values["contact"] = plain_text(aid.text("contact"))
    values["rate_min"] = aid.rates["subvention_rate_lower_bound"]
    values["rate_max"] = aid.rates["subvention_rate_upper_bound"]
    values["opens_on"] = aid.dates["start_date"]
    values["permanent"] = key(aid.text("recurrence")) in PERMANENT_RECURRENCES
    values["closes_on"] = None if values["permanent"] else aid.dates["submission_deadline"]
    if values["permanent"] and aid.dates["submission_deadline"]:
        note(
            _("aide permanente : sa date de clôture (%(date)s) n'est pas reprise")
            % {"date": aid.dates["submission_deadline"]}
        )
    values["how_to_apply"] = _how_to_apply(aid)
    values["application_url"] = _url(aid, "application_url", note)
    values["source_url"] = _url(aid, "origin_url", note) or _url(aid, "url", note)
    values["last_verified_on"] = aid.updated_on
    values["external_id"] = aid.external_id
    return mapped


def _url(aid, name, note):
    """The absolute address of the aid's `name` field ("" when it has none or when it is not a valid one)."""
    value = aid.text(name).strip()
    if not value:
        return ""
    if value.startswith("/"):
        value = urljoin(SITE, value)
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        note(_("adresse %(field)s « %(url)s » invalide : non reprise") % {"field": name, "url": value})
        return ""
    if len(value) > URL_LENGTH:
        note(
            _("adresse %(field)s de plus de %(limit)d caractères : non reprise") % {"field": name, "limit": URL_LENGTH}
        )
        return ""
    return value


def _how_to_apply(aid):
    lines = []
    instructors = aid.strings("instructors")
    if instructors:
        lines.append(_("Dossier instruit par : %(names)s.") % {"names": ", ".join(instructors)})
    if aid.dates["predeposit_date"]:
        lines.append(
            _("Pré-dépôt du dossier avant le %(date)s.") % {"date": aid.dates["predeposit_date"].strftime("%d/%m/%Y")}
        )
    return "\n".join(lines)


# Writing ------------------------------------------------------------------------------------------------


def aid_index():
    """The live French guide of aids, under which aids are created; AidImportError when there is none."""
    index = AidIndexPage.objects.live().filter(locale__language_code="fr").order_by("path").first()
    if index is None:
        raise AidImportError(
            [
                _(
                    "Aucun guide des aides (AidIndexPage) publié en français : lancez « manage.py load_demo » "
                    "ou créez la page sous la page d'accueil dans l'administration."
                )
            ]
        )
    return index


def _related_ids(page, name):
    if name == COMMUNE_LINKS:
        return {link.commune_id for link in page.eligible_commune_links.all()}
    return {obj.pk for obj in getattr(page, name).all()}


def _changes(page, mapped):
    """The names of the fields whose mapped value differs from the page's."""
    changed = [name for name, value in mapped.values.items() if getattr(page, name) != value]
    for name, objects in mapped.relations.items():
        if _related_ids(page, name) != {obj.pk for obj in objects}:
            changed.append(name)
    return changed


def _apply(page, mapped, names=None):
    """Sets the mapped values on the page (only those of `names` when given): fields, parental many-to-many
    relations and the eligible communes (inline rows), all written when the page is saved or published."""
    for name, value in mapped.values.items():
        if names is None or name in names:
            setattr(page, name, value)
    for name, objects in mapped.relations.items():
        if names is not None and name not in names:
            continue
        if name == COMMUNE_LINKS:
            page.eligible_commune_links = [AidEligibleCommune(commune=commune) for commune in objects]
        else:
            setattr(page, name, objects)


def _slug(aid, taken):
    base = slugify(aid.text("slug")) or slugify(aid.name) or "aide"
    base = base[:80].strip("-")
    slug = base if base not in taken else f"{base}-{aid.external_id}"
    counter = 2
    while slug in taken:
        slug, counter = f"{base}-{aid.external_id}-{counter}", counter + 1
    taken.add(slug)
    return slug


def _validation_problem(page, exclude=None):
    """None when the page's values are valid, else a line saying which are not."""
    try:
        page.full_clean(exclude=exclude)
    except ValidationError as exc:
        problems = [f"{name} : {' '.join(messages)}" for name, messages in exc.message_dict.items()]
        return _("valeurs refusées (%(problems)s) : aide ignorée") % {"problems": " ; ".join(problems)}
    return None


def import_aids(json_file):
    """Imports the aids of a JSON file (a path or a file object); AidImportError lists every problem when
    the file or an aid is malformed, and then nothing is imported. Returns an ImportResult."""
    items, warnings = read_aids(json_file)
    aids = check_aids(items)
    index = aid_index()
    result = ImportResult(aids=len(aids), warnings=warnings)
    vocabulary = Vocabulary(aids, index.locale)
    existing = {}
    for page in AidPage.objects.child_of(index).filter(external_id__in=[aid.external_id for aid in aids]):
        existing.setdefault(page.external_id, page)
    taken = set(index.get_children().values_list("slug", flat=True))

    def report(aid, message):
        result.notes.append(
            _("aide %(id)s « %(name)s » : %(message)s") % {"id": aid.external_id, "name": aid.name, "message": message}
        )

    # Everything is mapped and validated in memory first; then written in one transaction.
    to_create, to_update = [], []
    for aid in aids:
        mapped = map_aid(aid, vocabulary)
        for message in mapped.notes:
            report(aid, message)
        if mapped.skip:
            report(aid, mapped.skip)
            result.skipped += 1
            continue
        page = existing.get(aid.external_id)
        if page is None:
            page = AidPage(slug=_slug(aid, taken), locale=index.locale)
            _apply(page, mapped)
            problem = _validation_problem(page, exclude=["path", "depth"])
            if problem:
                report(aid, problem)
                result.skipped += 1
                continue
            to_create.append(page)
        elif not page.live:
            report(aid, _("page dépubliée dans l'administration : laissée telle quelle"))
            result.skipped += 1
        elif changed := _changes(page, mapped):
            had_draft = page.has_unpublished_changes
            _apply(page, mapped, changed)
            problem = _validation_problem(page)
            if problem:
                report(aid, problem)
                result.skipped += 1
                continue
            if had_draft:
                report(aid, _("ses modifications non publiées sont remplacées (elles restent dans l'historique)"))
            to_update.append((page, changed))
        else:
            result.unchanged += 1

    with transaction.atomic():
        for page in to_create:
            index.add_child(instance=page)
            page.save_revision().publish()
        for page, _fields in to_update:
            page.save_revision().publish()
    result.created, result.updated = len(to_create), len(to_update)
    for page in to_create:
        result.written.append(_("aide %(id)s « %(name)s » : créée") % {"id": page.external_id, "name": page.title})
    for page, changed in to_update:
        result.written.append(
            _("aide %(id)s « %(name)s » : mise à jour (%(fields)s)")
            % {"id": page.external_id, "name": page.title, "fields": ", ".join(changed)}
        )
    return result
