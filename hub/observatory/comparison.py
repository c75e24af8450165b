"""The observatory's table: towns compared on one indicator, filtered, sorted, paginated, exported.

Query parameters (all optional; a wrong value is ignored and the page says so): `indicateur` (a slug),
`annee` (a year), `programme` (a programme's slug), `region` (a région's INSEE code), `population` (a band:
`lt3500`, `3500-20000`, `20000-50000`, `gt50000`), `tri` (`nom`, `departement`, `population`, `valeur`; a
leading `-` for descending order), `page`.

The towns are the communes of the programmes (of the chosen one, else of any); for an imported indicator,
the communes that have a value that year. The number of queries is the same whatever the number of towns:
the towns in one query, their values in one (or, for a computed indicator, in its own fixed number), the
programmes of the page's rows in one. Rows are sorted in Python: a few thousand towns at most.
"""

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from hub.models import Commune, Indicator, IndicatorValue, Programme, Region
from hub.models.territories import POPULATION_BANDS
from hub.territories import name_slug

from . import COMMUNE, TO_DATE, all_indicators, band_bounds, median_of, medians, value_at

PAGE_SIZE = 50
COLUMNS = {
    "nom": gettext_lazy("Commune"),
    "departement": gettext_lazy("Département"),
    "population": gettext_lazy("Population"),
    "valeur": gettext_lazy("Valeur"),
}
DEFAULT_SORT = "-valeur"


def _folded(text):
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in text if not unicodedata.combining(char)).casefold()


def commune_url(code, name):
    """The commune's territory page, when the site has territory pages (else "")."""
    try:
        return reverse("territory_commune", kwargs={"code": code, "slug": name_slug(name) or "commune"})
    except NoReverseMatch:
        return ""


@dataclass
class Town:
    pk: int
    code: str
    name: str
    population: int | None
    department_code: str
    department_name: str
    region_name: str
    value: object = None
    programmes: tuple = ()

    @property
    def url(self):
        return commune_url(self.code, self.name)


class TownComparison:
    """Reads the query string once; `towns()` are the sorted rows, `page()` one page of them."""

    def __init__(self, params):
        self.notices = []
        stored = list(Indicator.objects.all())
        self.indicators = all_indicators(stored)
        self.indicator = self._indicator(params.get("indicateur"), stored)
        self.programmes = self._programmes()
        self.regions = list(Region.objects.order_by("name").values_list("code", "name"))
        self.bands = [(key, label) for key, label, _low, _high in POPULATION_BANDS]
        self.programme = self._choice(params, "programme", [slug for slug, _label in self.programmes])
        self.region = self._choice(params, "region", [code for code, _name in self.regions])
        self.band = self._choice(params, "population", [key for key, _label in self.bands])
        self.sort = params.get("tri") or DEFAULT_SORT
        if self.sort.lstrip("-") not in COLUMNS:
            self.notices.append(_("Tri inconnu : le tableau est trié par valeur."))
            self.sort = DEFAULT_SORT
        self._requested_year = (params.get("annee") or "").strip()
        self._towns = None
        self.years = []
        self.year = TO_DATE
        self.year_chosen = False

    # Reading the parameters -------------------------------------------------------------------------
    def _indicator(self, slug, stored):
        slug = (slug or "").strip()
        by_slug = {indicator.slug: indicator for indicator in self.indicators}
        if slug in by_slug:
            return by_slug[slug]
        if slug:
            self.notices.append(_("Indicateur inconnu : voici le premier de la liste."))
        # Imported indicators first (the observatory's purpose), else the first computed beyond population.
        return next(
            (indicator for indicator in self.indicators if not indicator.computed),
            next((indicator for indicator in self.indicators if indicator.per_year), self.indicators[0]),
        )

    def _programmes(self):
        """(slug, label) of the programmes, in the active language when translated (one query)."""
        language = (get_language() or "fr").split("-")[0]
        rows = list(
            Programme.objects.filter(locale__language_code__in={language, "fr"})
            .select_related("locale")
            .order_by("sort_order", "name")
        )
        own = [row for row in rows if row.locale.language_code == language]
        french = {row.slug: row.pk for row in rows if row.locale.language_code == "fr"}
        self._programme_pks = french
        return [(row.slug, row.name) for row in (own or [row for row in rows if row.locale.language_code == "fr"])]

    def _choice(self, params, name, allowed):
        value = (params.get(name) or "").strip()
        if value and value not in allowed:
            labels = {"programme": _("Programme"), "region": _("Région"), "population": _("Population")}
            self.notices.append(
                _("Valeur inconnue pour le filtre « %(filter)s », ignorée : « %(value)s ».")
                % {"filter": labels[name], "value": value[:40]}
            )
            return ""
        return value

    # The rows ---------------------------------------------------------------------------------------
    def _filters(self, prefix=""):
        """The chosen programme, région and band as a condition on communes (reached through `prefix`)."""
        condition = Q(**{f"{prefix}kind__in": [Commune.Kind.CURRENT, Commune.Kind.MUNICIPAL_DISTRICT]})
        if self.programme:
            condition &= Q(**{f"{prefix}programmes": self._programme_pks.get(self.programme)})
        if self.region:
            condition &= Q(**{f"{prefix}department__region__code": self.region})
        if self.band:
            low, high = band_bounds(self.band)
            condition &= Q(**{f"{prefix}population__gte": low})
            if high is not None:
                condition &= Q(**{f"{prefix}population__lt": high})
        return condition

    def _stored_years(self):
        rows = IndicatorValue.objects.filter(indicator=self.indicator, commune__isnull=False)
        return list(rows.order_by("-year").values_list("year", flat=True).distinct())

    def _pick_year(self, default):
        text = self._requested_year
        if not text:
            return default
        if text.isdigit() and int(text) in self.years:
            self.year_chosen = True
            return int(text)
        self.notices.append(_("Année sans valeur : « %(year)s » ; voici la plus récente.") % {"year": text[:10]})
        return default

    def towns(self):
        if self._towns is not None:
            return self._towns
        columns = (
            "insee_code",
            "name",
            "population",
            "department__code",
            "department__name",
            "department__region__name",
        )
        indicator = self.indicator
        if not indicator.computed:
            # Read from the values (a few thousand at most), not from the 35,000 communes.
            self.years = self._stored_years()
            self.year = self._pick_year(self.years[0] if self.years else None)
            rows = IndicatorValue.objects.filter(self._filters("commune__"), indicator=indicator, year=self.year)
            found = [
                Town(*row[:-1], value=row[-1])
                for row in rows.order_by().values_list("commune_id", *(f"commune__{c}" for c in columns), "value")
            ]
        else:
            # The programmes' towns (those of the chosen one), whatever their value: a count is 0 where none.
            towns = Commune.objects.filter(
                self._filters(),
                pk__in=Commune.programmes.through.objects.values("commune_id"),
            )
            rows = list(towns.order_by().values_list("pk", *columns))
            # As last stored for every programme town (hub.observatory.medians), else computed now.
            stored = medians.town_values(indicator)
            if stored is None:
                computed = indicator.values_for(COMMUNE, towns.order_by().values("pk"))
            else:
                computed = {row[0]: stored[row[0]] for row in rows if row[0] in stored}
            if indicator.per_year:
                self.years = sorted({year for years in computed.values() for year in years}, reverse=True)
                self.year = self._pick_year(TO_DATE)
            found = [Town(*row, value=value_at(indicator, computed.get(row[0]), self.year)) for row in rows]
        for town in found:
            town.department_code = town.department_code or ""
            town.department_name = town.department_name or ""
            town.region_name = town.region_name or ""
        self._towns = self._sorted(found)
        return self._towns

    def _sorted(self, towns):
        column, descending = self.sort.lstrip("-"), self.sort.startswith("-")
        by_name = sorted(towns, key=lambda town: (_folded(town.name), town.code))
        if column == "nom":
            return list(reversed(by_name)) if descending else by_name
        key = {
            "departement": lambda town: town.department_code,
            "population": lambda town: town.population,
            "valeur": lambda town: town.value,
        }[column]
        known = [town for town in by_name if key(town) is not None]
        unknown = [town for town in by_name if key(town) is None]
        # A stable sort on the name-sorted list: ties stay in alphabetical order; rows without a value last.
        return sorted(known, key=key, reverse=descending) + unknown

    def median(self):
        return median_of(town.value for town in self.towns())

    def page(self, number):
        paginator = Paginator(self.towns(), PAGE_SIZE)
        page = paginator.get_page(number)
        self._add_programmes(page.object_list)
        return page

    def _add_programmes(self, towns):
        labels = {}
        pks = [town.pk for town in towns]
        if pks:
            for commune_id, short, name in (
                Commune.programmes.through.objects.filter(commune_id__in=pks)
                .order_by("programme__sort_order")
                .values_list("commune_id", "programme__short_name", "programme__name")
            ):
                labels.setdefault(commune_id, []).append(short or name)
        for town in towns:
            town.programmes = tuple(labels.get(town.pk, ()))

    # Links ------------------------------------------------------------------------------------------
    def params(self, **changes):
        """The query parameters of this view, with `changes` (a None value drops one)."""
        pairs = {
            "indicateur": self.indicator.slug,
            "annee": self.year if self.year_chosen else None,
            "programme": self.programme,
            "region": self.region,
            "population": self.band,
            "tri": self.sort if self.sort != DEFAULT_SORT else None,
        }
        pairs.update(changes)
        return [(key, value) for key, value in pairs.items() if value not in (None, "")]

    @property
    def querystring(self):
        """The parameters without the page (the pagination component adds it)."""
        return urlencode(self.params())

    def sort_links(self):
        """For each column: its label, the link sorting by it (the other way when it is the current one)
        and its aria-sort state."""
        current, descending = self.sort.lstrip("-"), self.sort.startswith("-")
        links = []
        for column, label in COLUMNS.items():
            if column == current:
                target = column if descending else f"-{column}"
                state = "descending" if descending else "ascending"
            else:
                target = f"-{column}" if column in ("population", "valeur") else column
                state = ""
            links.append(
                {
                    "column": column,
                    "label": label,
                    "url": "?" + urlencode(self.params(tri=target)),
                    "state": state,
                    "descending_next": target.startswith("-"),
                }
            )
        return links
