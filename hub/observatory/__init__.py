"""The observatory: indicators per territory and year, imported or computed from the site's own content.

Two kinds of indicators share one interface (`slug`, `label`, `unit_label`, `definition_text`, `source`,
`licence`, `higher_is_better`, `illustrative`, `decimals`, `order`, `zero_when_missing`, `values_for(kind, pks)`):

- `hub.Indicator` rows, whose values (`hub.IndicatorValue`) come from files (`manage.py import_indicators`);
- `ComputedIndicator`s, always there and live, which the apps declare through the
  `hub_territory_indicators` hook (hub imports none of them):

      @hooks.register("hub_territory_indicators")
      def indicators():
          return ComputedIndicator(slug="projets", name=_("Projets"), compute=count_projects, ...)

  `compute(kind, pks)` answers for many territories at once, in a fixed number of queries whatever their
  number: `{territory pk: {year: number}}` for the territories of `kind` (one of hub.territory_pages.KINDS) whose primary key
  is in `pks` (a list or a queryset of primary keys; None: every territory of that kind). Most apps need
  nothing more than `values_by_territory`, which groups a queryset by territory and year.

A territory is a Commune, EPCI (or EPT), Department or Region row, or any object holding one as `obj`
(the territory pages' own wrapper): `place_of` reads either.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from hub.models import EPCI, Commune, Department, Indicator, IndicatorValue, Programme, Region
from hub.models.observatory import OPEN_LICENCE
from hub.models.territories import POPULATION_BANDS, population_band
from hub.territory_pages import COMMUNE, DEPARTMENT, INTERCOMMUNALITY, KIND_MODELS, REGION, Territory

HOOK = "hub_territory_indicators"


# Territories ------------------------------------------------------------------------------------------


def place_of(territory):
    """The Territory (hub.territory_pages) of a Commune, EPCI, Department or Region row, or of a wrapper
    holding one as `obj`; else None. Any commune has one here, a delegated one too (it has no page)."""
    if isinstance(territory, Territory):
        return territory
    obj = territory
    if not isinstance(obj, (Commune, EPCI, Department, Region)):
        obj = getattr(territory, "obj", None)
    for kind, model in KIND_MODELS.items():
        if isinstance(obj, model):
            return Territory(kind, obj)
    return None


def territory_paths(kind, commune="commune", department=None):
    """The ORM paths, from rows placed by a commune (`commune`; "" when the rows are communes) and maybe by a
    département of their own (`department`), to the territory of `kind` holding them. An EPCI holds its
    communes and an EPT its own, so a commune of the Grand Paris is in the métropole and in its EPT: two paths."""

    def path(name):
        return f"{commune}__{name}" if commune else name

    if kind == COMMUNE:
        return [commune or "pk"]
    if kind == INTERCOMMUNALITY:
        return [path("epci"), path("ept")]
    if kind == DEPARTMENT:
        return [department or path("department")]
    if kind == REGION:
        return [f"{department}__region" if department else path("department__region")]
    raise ValueError(kind)


def values_by_territory(queryset, kind, pks, *, value, year=None, commune="commune", department=None):
    """`{territory pk: {year: Decimal}}`: the aggregate `value` (Count("pk"), Sum("total_cost")…) of the rows
    of `queryset` per territory of `kind` and per `year` (an expression on the rows; None: one value per
    territory, under the key None). One query per path of `territory_paths` (two for EPCI, else one)."""
    result = {}
    for path in territory_paths(kind, commune, department):
        rows = queryset.order_by()
        if pks is None:
            rows = rows.filter(**{f"{path}__isnull": False})
        else:
            rows = rows.filter(**{f"{path}__in": pks})
        if year is not None:
            rows = rows.annotate(_observatory_year=year).values(path, "_observatory_year")
        else:
            rows = rows.values(path)
        rows = rows.annotate(_observatory_value=value)
        names = [path, "_observatory_year", "_observatory_value"] if year is not None else [path, "_observatory_value"]
        for row in rows.values_list(*names):
            pk, found = row[0], row[-1]
            row_year = row[1] if year is not None else None
            if found is None or (year is not None and row_year is None):
                continue
            years = result.setdefault(pk, {})
            years[row_year] = years.get(row_year, Decimal(0)) + Decimal(found)
    return result


# Indicators -------------------------------------------------------------------------------------------


@dataclass
class ComputedIndicator:
    """An indicator computed live from the site's content (see the module's docstring for `compute`).

    `cumulative`: `compute` gives what each year added (projects started, events held…) and the indicator
    is their running total, so its latest value is the total to date. `per_year` False: one value per
    territory, with no year (population). `zero_when_missing`: a territory `compute` says nothing about has
    0 (a count), so it still takes part in medians and comparisons. `higher_is_better` None: neither.
    """

    slug: str
    name: str
    compute: object
    unit: str = ""
    definition: str = ""
    source: str = ""
    licence: str = OPEN_LICENCE
    higher_is_better: bool | None = True
    cumulative: bool = True
    per_year: bool = True
    zero_when_missing: bool = True
    decimals: int = 0
    order: int = 50
    illustrative: bool = field(default=False, init=False)
    computed: bool = field(default=True, init=False)

    @property
    def label(self):
        return str(self.name)

    @property
    def unit_label(self):
        return str(self.unit)

    @property
    def definition_text(self):
        return str(self.definition)

    def values_for(self, kind, pks):
        found = self.compute(kind, pks) or {}
        if not self.per_year:
            return {pk: {None: Decimal(value)} for pk, value in found.items() if value is not None}
        if not self.cumulative:
            return found
        totals = {}
        for pk, years in found.items():
            running, series = Decimal(0), {}
            for year in sorted(y for y in years if y is not None):
                running += Decimal(years[year])
                series[year] = running
            totals[pk] = series
        return totals


def computed_indicators():
    """Every app's ComputedIndicator, in their order."""
    found = []
    for hook in hooks.get_hooks(HOOK):
        declared = hook()
        if isinstance(declared, ComputedIndicator):
            declared = [declared]
        found.extend(declared or [])
    return sorted(found, key=lambda indicator: (indicator.order, indicator.slug))


def all_indicators(stored=None):
    """The computed indicators, then the imported ones (one query, unless `stored` gives them)."""
    computed = computed_indicators()
    taken = {indicator.slug for indicator in computed}
    stored = list(Indicator.objects.all()) if stored is None else stored
    return computed + [indicator for indicator in stored if indicator.slug not in taken]


def get_indicator(slug):
    """The indicator (computed or imported) with `slug`, or None; `slug` is compared, never sent to the database."""
    slug = (slug or "").strip()
    return next((indicator for indicator in all_indicators() if indicator.slug == slug), None)


# Reading values ---------------------------------------------------------------------------------------

TO_DATE = None  # the reference "year" of a cumulative or yearless indicator's latest value


def value_at(indicator, years, year=TO_DATE):
    """The value a territory's `years` ({year: value}) give at `year`: for a cumulative indicator the
    running total at the end of that year (the total to date with TO_DATE); for an imported one the value
    of that very year (the latest with TO_DATE); 0 or None when there is none."""
    missing = Decimal(0) if indicator.zero_when_missing else None
    if not years:
        return missing
    if None in years:
        return years[None]
    if year is TO_DATE:
        return years[max(years)]
    if indicator.cumulative:
        before = [y for y in years if y <= year]
        return years[max(before)] if before else missing
    return years.get(year, missing)


@dataclass
class Series:
    """One territory's values of one indicator: its points (year, value), ascending, and its latest."""

    indicator: object
    points: list
    latest: Decimal | None
    latest_year: int | None

    @property
    def has_trend(self):
        return len(self.points) >= 2


def series_of(indicator, years, this_year=None):
    """A territory's Series from its `{year: value}`. A cumulative indicator's running total holds until
    something changes it: every year from the first to this one (or to a later year with data) has a point."""
    if years and None in years:
        return Series(indicator, [], years[None], None)
    points = sorted((year, value) for year, value in (years or {}).items())
    if not points:
        latest = Decimal(0) if indicator.zero_when_missing else None
        return Series(indicator, [], latest, None)
    if indicator.cumulative:
        last = max(points[-1][0], this_year or timezone.localdate().year)
        known, running, filled = dict(points), Decimal(0), []
        for year in range(points[0][0], last + 1):
            running = known.get(year, running)
            filled.append((year, running))
        return Series(indicator, filled, running, TO_DATE)
    return Series(indicator, points, points[-1][1], points[-1][0])


def median_of(values, count=None):
    """The median of `values`, completed with zeros up to `count` territories (those an indicator computed
    from the site's content has nothing for); None without any value."""
    values = [Decimal(value) for value in values if value is not None]
    if count is not None and count > len(values):
        values += [Decimal(0)] * (count - len(values))
    if not values:
        return None
    return Decimal(median(values))


@dataclass
class Comparison:
    """A territory's latest value against the median of its peers (`label` names them, `count` of them)."""

    label: str
    median: Decimal
    count: int
    value: Decimal
    higher_is_better: bool | None

    @property
    def position(self):
        if self.value > self.median:
            return "above"
        if self.value < self.median:
            return "below"
        return "equal"

    @property
    def favourable(self):
        """True when the value is on the better side of the median, False on the worse, None otherwise."""
        if self.higher_is_better is None or self.position == "equal":
            return None
        return (self.position == "above") == bool(self.higher_is_better)


@dataclass
class PeerGroup:
    """Territories a territory is compared with: `pks` (None: every territory of `kind`), `count` of them;
    `key` names the group among the stored medians (hub.observatory.medians)."""

    label: str
    kind: str
    pks: list | None
    count: int
    key: str = ""


def commune_group(programme_id, band):
    """The key of the towns of a programme in a population band among the stored medians."""
    return f"commune:{programme_id}:{band}"


def band_label(band):
    return next((label for key, label, _low, _high in POPULATION_BANDS if key == band), "")


def band_bounds(band):
    return next(((low, high) for key, _label, low, high in POPULATION_BANDS if key == band), (None, None))


def peer_groups(place):
    """A commune's peers are the towns of each of its programmes in its population band (one query, plus one
    for the programmes' names); another territory's, every territory of its kind (one count)."""
    if place.kind != COMMUNE:
        labels = {INTERCOMMUNALITY: _("intercommunalités"), DEPARTMENT: _("départements"), REGION: _("régions")}
        count = KIND_MODELS[place.kind].objects.count()
        return [PeerGroup(str(labels[place.kind]), place.kind, None, count, key=place.kind)]
    band = population_band(place.obj.population)
    if not band:
        return []
    low, high = band_bounds(band)
    through = Commune.programmes.through
    links = through.objects.filter(
        programme__in=through.objects.filter(commune_id=place.pk).values("programme_id"),
        commune__kind=Commune.Kind.CURRENT,
        commune__population__gte=low,
    )
    if high is not None:
        links = links.filter(commune__population__lt=high)
    by_programme = {}
    for programme_id, commune_id in links.values_list("programme_id", "commune_id"):
        by_programme.setdefault(programme_id, []).append(commune_id)
    if not by_programme:
        return []
    groups = []
    for programme in Programme.objects.filter(pk__in=by_programme).order_by("sort_order", "name"):
        pks = by_programme[programme.pk]
        label = _("communes %(programme)s %(band)s") % {
            "programme": programme_label(programme),
            "band": band_label(band),
        }
        groups.append(PeerGroup(str(label), COMMUNE, pks, len(pks), key=commune_group(programme.pk, band)))
    return groups


def programme_label(programme):
    """A programme's short name (ACV, PVD…): the same in every language, so no translation lookup."""
    return programme.short_name or programme.name


@dataclass
class Summary:
    """What a territory's indicator panel shows of one indicator."""

    indicator: object
    series: Series
    comparisons: list


def summaries(territory):
    """For each indicator with something to say about `territory`: its series and its comparisons with the
    medians of the territory's peers. The number of queries depends on the number of indicators, not on
    the territory's size nor on its peers'."""
    from hub.observatory import medians  # noqa: PLC0415 (medians reads the indicators declared here)

    place = place_of(territory)
    if place is None:
        return []
    groups = peer_groups(place)
    peer_pks = sorted({pk for group in groups if group.pks is not None for pk in group.pks})
    everyone = any(group.pks is None for group in groups)
    stored = list(Indicator.objects.all())
    field_name = IndicatorValue.TERRITORY_FIELDS[place.kind]

    own = {}
    for indicator_id, year, value in IndicatorValue.objects.filter(**{field_name: place.pk}).values_list(
        "indicator_id", "year", "value"
    ):
        own.setdefault(indicator_id, {})[year] = value
    # The peers' values of the year each indicator's latest value is from: one query for every imported one.
    latest_years = {indicator_id: max(years) for indicator_id, years in own.items()}
    peer_values = {}
    if latest_years and (peer_pks or everyone):
        condition = Q()
        for indicator_id, year in latest_years.items():
            condition |= Q(indicator_id=indicator_id, year=year)
        rows = IndicatorValue.objects.filter(condition)
        rows = (
            rows.filter(**{f"{field_name}__isnull": False})
            if everyone
            else rows.filter(**{f"{field_name}__in": peer_pks})
        )
        for indicator_id, pk, value in rows.values_list("indicator_id", f"{field_name}_id", "value"):
            peer_values.setdefault(indicator_id, {})[pk] = {latest_years[indicator_id]: value}

    stored_medians = None
    found = []
    for indicator in all_indicators(stored):
        series = None
        comparisons = []
        if indicator.computed:
            # Its own value live; its peers' medians as last stored (hub.observatory.medians).
            series = series_of(indicator, indicator.values_for(place.kind, [place.pk]).get(place.pk, {}))
            if series.latest is not None and groups:
                if stored_medians is None:
                    stored_medians = medians.current()
                for group in groups:
                    typical = medians.comparison_of(stored_medians, indicator, group)
                    if typical is not None:
                        comparisons.append(Comparison(group.label, *typical, series.latest, indicator.higher_is_better))
            found.append(Summary(indicator, series, comparisons))
            continue
        years = own.get(indicator.pk)
        if not years:
            continue
        others = peer_values.get(indicator.pk, {})
        series = series_of(indicator, years)
        if series.latest is not None:
            for group in groups:
                members = others.keys() if group.pks is None else group.pks
                peer_list = [value_at(indicator, others.get(pk), series.latest_year) for pk in members]
                typical = median_of(peer_list, group.count if indicator.zero_when_missing else None)
                counted = group.count if indicator.zero_when_missing else len([v for v in peer_list if v is not None])
                if typical is not None and counted:
                    comparisons.append(
                        Comparison(group.label, typical, counted, series.latest, indicator.higher_is_better)
                    )
        found.append(Summary(indicator, series, comparisons))
    return found


# Population, from the shipped territory data -------------------------------------------------------------


def population_by_territory(kind, pks):
    """Population: a commune's own; an EPCI's, a département's or a région's the sum of its current communes'."""
    communes = Commune.objects.all()
    if kind == COMMUNE:
        rows = communes.filter(population__isnull=False)
        rows = rows.filter(pk__in=pks) if pks is not None else rows
        return dict(rows.values_list("pk", "population"))
    found = values_by_territory(
        communes.filter(kind=Commune.Kind.CURRENT), kind, pks, value=Sum("population"), commune=""
    )
    return {pk: years[None] for pk, years in found.items()}


population_indicator = ComputedIndicator(
    slug="population",
    name=_("Population"),
    unit=_("hab."),
    definition=_(
        "Population municipale légale de l'INSEE ; pour une intercommunalité, un département ou une région, "
        "la somme de celles de ses communes."
    ),
    source=_("INSEE, populations légales, par le découpage administratif d'Etalab"),
    compute=population_by_territory,
    higher_is_better=None,
    cumulative=False,
    per_year=False,
    order=0,
)
