"""Territory pages: every commune, EPCI/EPT, département and région is a page of the site (a Django view, not a
Wagtail page), at `/fr/territoires/<kind>/<code>-<slug>/` and `/en/territories/…`.

The core gives each page its identity (name, kind, population), its parents and children, the programmes it
belongs to, and finds territories by name, code or postcode. What the apps have there (projects, events,
members) comes through the `hub_territory_sections` hook (hub.registry): hub imports none of them. An app's
section filters its rows with `Territory.where(...)`, which knows how each kind of territory contains a
commune, so every app agrees on what "in this territory" means.

Communes with a page are the current ones and the municipal districts (Paris, Lyon, Marseille); delegated
and associated communes share their code with a current commune and have none.
"""

import re
import unicodedata

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hub.models import EPCI, Commune, Department, Programme, Region
from hub.registry import territory_content, territory_sections
from hub.territories import name_slug

COMMUNE, INTERCOMMUNALITY, DEPARTMENT, REGION = "commune", "epci", "departement", "region"
KINDS = (COMMUNE, INTERCOMMUNALITY, DEPARTMENT, REGION)
KIND_MODELS = {COMMUNE: Commune, INTERCOMMUNALITY: EPCI, DEPARTMENT: Department, REGION: Region}
KIND_PLURALS = {
    COMMUNE: _("Communes"),
    INTERCOMMUNALITY: _("Intercommunalités"),
    DEPARTMENT: _("Départements"),
    REGION: _("Régions"),
}
PAGE_COMMUNE_KINDS = (Commune.Kind.CURRENT, Commune.Kind.MUNICIPAL_DISTRICT)
CHILDREN_PER_PAGE = 60
LICENCE = {"name": "Licence Ouverte 2.0", "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}


class Territory:
    """One territory as its page shows it: `kind` (one of KINDS) and the model row `obj`."""

    def __init__(self, kind, obj):
        self.kind = kind
        self.obj = obj

    def __repr__(self):
        return f"<Territory {self.kind} {self.code}>"

    def __eq__(self, other):
        return isinstance(other, Territory) and (self.kind, self.obj.pk) == (other.kind, other.obj.pk)

    def __hash__(self):
        return hash((self.kind, self.obj.pk))

    @property
    def pk(self):
        return self.obj.pk

    @classmethod
    def of(cls, obj):
        """The territory of a Commune, EPCI, Department or Region row (None for a commune without a page)."""
        if isinstance(obj, Commune):
            return cls(COMMUNE, obj) if obj.kind in PAGE_COMMUNE_KINDS else None
        if isinstance(obj, EPCI):
            return cls(INTERCOMMUNALITY, obj)
        if isinstance(obj, Department):
            return cls(DEPARTMENT, obj)
        if isinstance(obj, Region):
            return cls(REGION, obj)
        return None

    @property
    def code(self):
        if self.kind == COMMUNE:
            return self.obj.insee_code
        if self.kind == INTERCOMMUNALITY:
            return self.obj.siren
        return self.obj.code

    @property
    def name(self):
        return self.obj.name

    @property
    def slug(self):
        stored = getattr(self.obj, "slug", "") if self.kind in (DEPARTMENT, REGION) else ""
        return stored or name_slug(self.obj.name) or self.kind

    @property
    def kind_label(self):
        if self.kind in (COMMUNE, INTERCOMMUNALITY):
            return self.obj.get_kind_display()
        return _("département") if self.kind == DEPARTMENT else _("région")

    @property
    def code_label(self):
        if self.kind == INTERCOMMUNALITY:
            return _("SIREN")
        return _("code INSEE")

    @staticmethod
    def commune_url(code, name):
        """A commune page's path in the active language, from its code and name alone (no row needed)."""
        return reverse(f"territory_{COMMUNE}", kwargs={"code": code, "slug": name_slug(name) or COMMUNE})

    def url(self, language=None):
        """The page's path in `language` (the active one by default)."""
        with translation.override(language or get_language()):
            return reverse(f"territory_{self.kind}", kwargs={"code": self.code, "slug": self.slug})

    def data_url(self, language=None):
        """The page's open data (communes only)."""
        if self.kind != COMMUNE:
            return ""
        with translation.override(language or get_language()):
            return reverse("territory_commune_data", kwargs={"code": self.code, "slug": self.slug})

    def where(self, commune="commune", department=None):
        """A filter on rows placed by a commune (the ORM path `commune`; "" when the rows are communes), or
        for a département or a région by a département of their own (`department`, as members have)."""
        pk = self.obj.pk

        def path(name):
            return f"{commune}__{name}" if commune else name

        if self.kind == COMMUNE:
            return Q(**{commune or "pk": pk})
        if self.kind == INTERCOMMUNALITY:
            return Q(**{path("epci"): pk}) | Q(**{path("ept"): pk})
        if self.kind == DEPARTMENT:
            return Q(**{department or path("department"): pk})
        return Q(**{f"{department}__region" if department else path("department__region"): pk})

    def outline_url(self):
        """Its outline for maps (GeoJSON), the same in every language."""
        return reverse("territory_outline", kwargs={"kind": self.kind, "code": self.code})

    def facet(self):
        """The listings' facet selecting exactly this territory (`departement`, `region`), or None."""
        if self.kind == DEPARTMENT:
            return "departement"
        if self.kind == REGION:
            return "region"
        return None


# Finding a page --------------------------------------------------------------------------------------------


def lookup(kind, code):
    """The territory of `kind` with `code` (any letter case), or None."""
    code = (code or "").upper()
    if kind == COMMUNE:
        obj = (
            Commune.objects.select_related("department__region", "epci", "ept")
            .filter(insee_code=code, kind__in=PAGE_COMMUNE_KINDS)
            .first()
        )
    elif kind == INTERCOMMUNALITY:
        obj = EPCI.objects.filter(siren=code).first()
    elif kind == DEPARTMENT:
        obj = Department.objects.select_related("region").filter(code=code).first()
    elif kind == REGION:
        obj = Region.objects.filter(code=code).first()
    else:
        obj = None
    return Territory(kind, obj) if obj is not None else None


# What a page shows ---------------------------------------------------------------------------------------


def parents(territory):
    """The territories containing this one, nearest first: EPCI and EPT, département(s), région(s)."""
    obj = territory.obj
    if territory.kind == COMMUNE:
        found = [Territory.of(e) for e in (obj.epci, obj.ept) if e is not None]
        if obj.department_id:
            found += [Territory.of(obj.department), Territory.of(obj.department.region)]
        return found
    if territory.kind == INTERCOMMUNALITY:
        members = Commune.objects.filter(Q(epci=obj) | Q(ept=obj)).values("department")
        departments = list(Department.objects.filter(pk__in=members).select_related("region").order_by("code"))
        regions = list({d.region_id: d.region for d in departments}.values())
        return [Territory.of(d) for d in departments] + [Territory.of(r) for r in regions]
    if territory.kind == DEPARTMENT:
        return [Territory.of(obj.region)]
    return []


def breadcrumb_trail(territory, found_parents):
    """The breadcrumb between « Territoires » and the page: région › département › EPCI (one of each)."""
    by_kind = {}
    for parent in found_parents:
        by_kind.setdefault(parent.kind, parent)
    return [by_kind[kind] for kind in (REGION, DEPARTMENT, INTERCOMMUNALITY) if kind in by_kind]


def population(territory):
    if territory.kind in (COMMUNE, INTERCOMMUNALITY):
        return territory.obj.population
    communes = Commune.objects.filter(territory.where(""), kind=Commune.Kind.CURRENT)
    return communes.aggregate(total=Sum("population"))["total"]


def children(territory, page_number=None):
    """(label, a page of child territories or None): an EPCI's communes (paginated), a département's EPCI,
    a région's départements."""
    obj = territory.obj
    if territory.kind == INTERCOMMUNALITY:
        communes = (
            Commune.objects.filter(Q(epci=obj) | Q(ept=obj), kind=Commune.Kind.CURRENT)
            .select_related("department")
            .order_by("name", "insee_code")
        )
        page = Paginator(communes, CHILDREN_PER_PAGE).get_page(page_number)
        page.territories = [Territory.of(c) for c in page.object_list]
        return _("Communes membres"), page
    if territory.kind == DEPARTMENT:
        communes = Commune.objects.filter(department=obj)
        epcis = EPCI.objects.filter(Q(pk__in=communes.values("epci")) | Q(pk__in=communes.values("ept")))
        page = Paginator(epcis.order_by("name"), CHILDREN_PER_PAGE).get_page(page_number)
        page.territories = [Territory.of(e) for e in page.object_list]
        return _("Intercommunalités"), page
    if territory.kind == REGION:
        page = Paginator(obj.departments.order_by("code"), CHILDREN_PER_PAGE).get_page(page_number)
        page.territories = [Territory.of(d) for d in page.object_list]
        return _("Départements"), page
    return "", None


def _localized(programmes):
    """The programmes in the active language when translated (one query), else as they are."""
    language = (get_language() or "fr").split("-")[0]
    keys = [p.translation_key for p in programmes]
    own = {
        p.translation_key: p for p in Programme.objects.filter(translation_key__in=keys, locale__language_code=language)
    }
    return [own.get(p.translation_key, p) for p in programmes]


def programmes(territory):
    """A commune's programmes; for a wider territory, each programme with its number of communes there."""
    if territory.kind == COMMUNE:
        rows = list(territory.obj.programmes.order_by("sort_order", "name"))
        return [{"programme": p, "communes": None} for p in _localized(rows)]
    rows = list(
        Programme.objects.filter(territory.where("communes"))
        .annotate(n=Count("communes", distinct=True))
        .order_by("sort_order", "name")
    )
    return [{"programme": p, "communes": row.n} for p, row in zip(_localized(rows), rows, strict=True)]


def viewer_of(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def page_context(request, territory):
    """Everything the page's template shows, the apps' sections included (see the registry)."""
    found_parents = parents(territory)
    children_label, children_page = children(territory, request.GET.get("page"))
    sections = territory_sections(request, territory, viewer_of(request))
    return {
        "territory": territory,
        "parents": found_parents,
        "breadcrumb_trail": [{"url": reverse("territory_index"), "title": _("Territoires")}]
        + [{"url": p.url(), "title": p.name} for p in breadcrumb_trail(territory, found_parents)],
        "population": population(territory),
        "postcodes": [c for c in territory.obj.postcodes.split(",") if c] if territory.kind == COMMUNE else [],
        "programmes": programmes(territory),
        "children_label": children_label,
        "children_page": children_page,
        "sections": [s for s in sections if s.items],
        # Points an app's section puts on the page's map (`extra["map_points"]`: name, lat, lon, count, url).
        "map_points": [point for s in sections for point in s.extra.get("map_points", ())],
        "has_content": has_content(sections),
        "scopes": section_scopes(sections),
    }


def has_content(sections):
    return any(section.own and section.count for section in sections)


def section_scopes(sections):
    return sorted({scope for section in sections for scope in section.scopes})


def open_data(request, territory, sections):
    """A commune page's data as JSON-ready values; `sections` are the apps' for an anonymous visitor."""
    obj = territory.obj

    def ref(other):
        if other is None:
            return None
        return {
            "code": other.code,
            "name": other.name,
            "kind": other.kind,
            "url": request.build_absolute_uri(other.url()),
        }

    return {
        "licence": LICENCE,
        "kind": territory.kind,
        "commune_kind": obj.kind,
        "insee_code": obj.insee_code,
        "name": obj.name,
        "url": request.build_absolute_uri(territory.url()),
        "population": obj.population,
        "postcodes": [code for code in obj.postcodes.split(",") if code],
        "epci": ref(Territory.of(obj.epci) if obj.epci_id else None),
        "ept": ref(Territory.of(obj.ept) if obj.ept_id else None),
        "department": ref(Territory.of(obj.department) if obj.department_id else None),
        "region": ref(Territory.of(obj.department.region) if obj.department_id else None),
        "programmes": [{"slug": p["programme"].slug, "name": p["programme"].name} for p in programmes(territory)],
        "counts": {section.key: section.count for section in sections if section.own},
    }


# The sitemap ---------------------------------------------------------------------------------------------


def territories_with_content():
    """Every territory whose page has content of its own for an anonymous visitor (see TerritoryContent)."""
    commune_ids, department_ids = set(), set()
    for content in territory_content():
        commune_ids.update(content.communes)
        department_ids.update(content.departments)
    commune_ids.discard(None)
    department_ids.discard(None)
    communes = Commune.objects.filter(pk__in=commune_ids, kind__in=PAGE_COMMUNE_KINDS)
    groupings = Commune.objects.filter(pk__in=commune_ids)
    epcis = EPCI.objects.filter(Q(pk__in=groupings.values("epci")) | Q(pk__in=groupings.values("ept")))
    departments = Department.objects.filter(pk__in=department_ids)
    regions = Region.objects.filter(pk__in=departments.values("region"))
    found = []
    for queryset in (regions, departments, epcis, communes.only("pk", "kind", "insee_code", "name")):
        found += [Territory.of(obj) for obj in queryset.order_by("pk")]
    return found


# Finding territories by name, code or postcode -----------------------------------------------------------

MAX_QUERY_LENGTH = 100
COMMUNE_CODE = re.compile(r"\d[\dAB]\d{3}")
DEPARTMENT_CODE = re.compile(r"\d{2,3}|2[AB]")
SIREN = re.compile(r"\d{9}")
LIMITS = {COMMUNE: 20, INTERCOMMUNALITY: 10, DEPARTMENT: 10, REGION: 5}


def clean_territory_query(raw):
    """A visitor's text, without control characters, spaces collapsed, bounded."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(raw or "")[: MAX_QUERY_LENGTH * 4])
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def find_territories(raw, limits=None):
    """Territories matching a name (start of a word, accents and case ignored), an INSEE code, a SIREN or a
    postcode: {kind: [Territory]} with at most `limits[kind]` of each (one more is read to tell there are
    more: `more` lists the kinds cut short). A fixed number of queries, whatever the text."""
    limits = {**LIMITS, **(limits or {})}
    text = clean_territory_query(raw)
    found = {kind: [] for kind in KINDS}
    more = set()
    if not text:
        return found, more
    compact = text.replace(" ", "").upper()
    communes = Commune.objects.filter(kind__in=PAGE_COMMUNE_KINDS).select_related("department")
    epcis = EPCI.objects.all()
    departments = Department.objects.select_related("region")
    regions = Region.objects.all()
    if SIREN.fullmatch(compact):
        queries = {INTERCOMMUNALITY: epcis.filter(siren=compact)}
    elif COMMUNE_CODE.fullmatch(compact):
        matches = Q(insee_code=compact) | Q(postcodes__contains=compact) if compact.isdigit() else Q(insee_code=compact)
        first = Case(When(insee_code=compact, then=Value(0)), default=Value(1), output_field=IntegerField())
        queries = {COMMUNE: communes.filter(matches).annotate(_first=first).order_by("_first", "-population", "name")}
    elif DEPARTMENT_CODE.fullmatch(compact):
        queries = {DEPARTMENT: departments.filter(code=compact), REGION: regions.filter(code=compact)}
    else:
        slug = name_slug(text)
        if not slug:
            return found, more
        word = Q(slug__startswith=slug) | Q(slug__contains=f"-{slug}")
        first = Case(When(slug__startswith=slug, then=Value(0)), default=Value(1), output_field=IntegerField())
        words = Q()
        for part in re.findall(r"\w+", text):
            words &= Q(name__icontains=part)
        queries = {
            COMMUNE: communes.filter(word).annotate(_first=first).order_by("_first", "-population", "name"),
            INTERCOMMUNALITY: epcis.filter(words).order_by("-population", "name"),
            DEPARTMENT: departments.filter(word).annotate(_first=first).order_by("_first", "code"),
            REGION: regions.filter(word).annotate(_first=first).order_by("_first", "name"),
        }
    for kind, queryset in queries.items():
        rows = list(queryset[: limits[kind] + 1])
        if len(rows) > limits[kind]:
            more.add(kind)
        found[kind] = [Territory.of(row) for row in rows[: limits[kind]]]
    return found, more


def homonyms(territories):
    """The names borne by several of these communes (their département tells them apart)."""
    names = [t.name.casefold() for t in territories]
    return {name for name in names if names.count(name) > 1}
