"""One faceted-listing mechanism for the Projétothèque, the resource library and the directory.

A listing declares its facets; `FacetedListing` reads the query string, filters the queryset, counts each
facet's values for the current selection (disjunctive: a facet's own choice does not narrow its counts)
and paginates. Every count is one grouped SQL query, so the number of queries does not grow with rows.
"""

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hub.search import clean_query, relevance_ordered_ids


# Choice builders shared by the listings ------------------------------------------------------------
def taxonomy_choices(model, full_names=False):
    """Choices of a translatable taxonomy (programmes, thematics) in the current language, by slug.

    Programmes show their short name (ACV) in facets; forms that explain them pass `full_names`."""

    def choices(request=None):
        from django.utils.translation import get_language

        language = get_language()
        rows = model.objects.filter(locale__language_code=language).order_by("sort_order", "name")
        if not rows.exists():
            rows = model.objects.filter(locale__language_code="fr").order_by("sort_order", "name")
        short = model.__name__ == "Programme" and not full_names
        return [(row.slug, row.label if short else row.name) for row in rows]

    return choices


def region_choices(request):
    from hub.models import Region

    return list(Region.objects.order_by("name").values_list("code", "name"))


def department_choices(request):
    from hub.models import Department

    return [
        (code, f"{name} ({code})") for code, name in Department.objects.order_by("code").values_list("code", "name")
    ]


@dataclass
class FacetOption:
    value: str
    label: str
    count: int = 0
    selected: bool = False


@dataclass
class Facet:
    """A filter on one query-string parameter.

    `lookup` is the ORM path filtered with `__in` on the selected values; `choices` returns the
    (value, label) pairs offered; `ranges` maps each value to a Q when a value is a range or
    a computed set (population bands, years) rather than a column value.
    """

    param: str
    label: str
    lookup: str = ""
    choices: object = None  # callable(request) -> iterable of (value, label)
    multiple: bool = True
    ranges: dict = field(default_factory=dict)  # value -> Q, for computed values
    hide_empty: bool = True

    def offered(self, request):
        return list(self.choices(request)) if callable(self.choices) else list(self.choices or [])

    def parse(self, request, offered):
        raw = request.GET.getlist(self.param) if self.multiple else request.GET.getlist(self.param)[:1]
        known = {str(value) for value, _label in offered}
        # Unknown values are ignored rather than failing: shared URLs outlive the taxonomy.
        return [value for value in dict.fromkeys(v.strip() for v in raw) if value in known]

    def condition(self, values):
        if not values:
            return Q()
        if self.ranges or not self.lookup:
            condition = Q()
            for value in values:
                condition |= self.ranges[value]
            return condition
        return Q(**{f"{self.lookup}__in": values})

    def counts(self, queryset, offered):
        if self.ranges or not self.lookup:  # a computed facet, possibly with no value yet (an empty agenda)
            return self.range_counts_query(queryset, offered)
        rows = queryset.values(self.lookup).annotate(n=Count("pk", distinct=True)).order_by()
        return {str(row[self.lookup]): row["n"] for row in rows if row[self.lookup] is not None}

    def range_counts_query(self, queryset, offered):
        """All range counts in one query (conditional aggregation) instead of one query per range."""
        aggregates = {
            f"r{i}": Count("pk", filter=self.ranges[value], distinct=True) for i, (value, _l) in enumerate(offered)
        }
        totals = queryset.aggregate(**aggregates) if aggregates else {}
        return {value: totals[f"r{i}"] for i, (value, _l) in enumerate(offered)}


@dataclass
class Sort:
    value: str
    label: str
    ordering: tuple


RELEVANCE = "pertinence"
RELEVANCE_SORT = Sort(RELEVANCE, _("Pertinence"), ())


def _is_translatable(model):
    from wagtail.models import TranslatableMixin

    return issubclass(model, TranslatableMixin)


class FacetedListing:
    """Reads a request against a base queryset and a set of facets; everything a listing template needs."""

    page_size = 20
    MAX_RELEVANCE_ORDERED = 2000  # beyond this many matches, a keyword's results keep the first sort

    def __init__(self, request, base_queryset, facets, sorts, search=None, page_size=None, language=None):
        self.request = request
        self.language = (language or get_language() or "fr").split("-")[0]
        if _is_translatable(base_queryset.model):
            # Items are written in French: each one is listed once, as its translation in the visitor's
            # language when one is live and public, else as the original (see hub.i18n).
            from hub.i18n import localized_items

            base_queryset = localized_items(base_queryset, self.language)
        self.base_queryset = base_queryset
        self.facets = facets
        self.search = search  # callable(queryset, terms) -> queryset restricted to matching rows
        if page_size:
            self.page_size = page_size
        self.query = (request.GET.get("q") or "").strip()[:200]
        self.terms = clean_query(self.query)
        # With a keyword the results are sorted by relevance first (the database backends rank matches).
        self.sorts = [RELEVANCE_SORT, *sorts] if self.terms and search is not None else list(sorts)
        sorts = self.sorts
        self._offered = {facet.param: facet.offered(request) for facet in facets}
        self.selected = {facet.param: facet.parse(request, self._offered[facet.param]) for facet in facets}
        sort_values = [s.value for s in sorts]
        requested_sort = request.GET.get("tri", "")
        self.sort = requested_sort if requested_sort in sort_values else (sort_values[0] if sort_values else "")

    # Querysets -------------------------------------------------------------------------------------
    # The text match and each selected facet are evaluated once, as sets of ids; every scope (the results,
    # and each facet's counts, which ignore that facet's own selection) is then an intersection of sets,
    # queried by primary key. Joins and the full-text match never repeat across the facet queries.
    MAX_ID_LIST = 30_000  # beyond this, bound parameters get heavy: fall back to nested subqueries

    def searched_queryset(self):
        queryset = self.base_queryset
        if self.terms and self.search is not None:
            queryset = self.search(queryset, self.terms)
        return queryset

    @cached_property
    def _base_ids(self):
        return set(self.searched_queryset().values_list("pk", flat=True))

    @cached_property
    def _facet_ids(self):
        ids = {}
        for facet in self.facets:
            values = self.selected[facet.param]
            if values:
                # Not restricted to the base rows here: the intersection with them happens in Python.
                ids[facet.param] = set(
                    self.base_queryset.model._default_manager.filter(facet.condition(values))
                    .values_list("pk", flat=True)
                    .distinct()
                )
        return ids

    def _by_ids(self, ids):
        return self.base_queryset.model._default_manager.filter(pk__in=sorted(ids))

    def _uses_id_sets(self):
        return len(self._base_ids) <= self.MAX_ID_LIST

    def filtered_ids(self, exclude=None):
        ids = set(self._base_ids)
        for param, matching in self._facet_ids.items():
            if param != exclude:
                ids &= matching
        return ids

    def filtered_queryset(self, exclude=None):
        if self._uses_id_sets():
            return self._by_ids(self.filtered_ids(exclude))
        queryset = self.searched_queryset()
        condition = Q()
        for facet in self.facets:
            if facet.param != exclude:
                condition &= facet.condition(self.selected[facet.param])
        return queryset.filter(condition).distinct() if condition else queryset

    @cached_property
    def _relevance_ids(self):
        """The filtered ids, best match first (None when there are too many to order in Python)."""
        ids = (
            self.filtered_ids() if self._uses_id_sets() else set(self.filtered_queryset().values_list("pk", flat=True))
        )
        if len(ids) > self.MAX_RELEVANCE_ORDERED:
            return None
        ordered = [pk for pk in relevance_ordered_ids(self.base_queryset, self.terms) if pk in ids]
        seen = set(ordered)
        return ordered + sorted(ids - seen)  # rows the ranking did not return keep a stable place

    def _ranked(self):
        return self.sort == RELEVANCE and self.terms and self._relevance_ids is not None

    def results(self):
        queryset = self.filtered_queryset()
        if self._ranked():
            from django.db.models import Case, IntegerField, Value, When

            ordered = self._relevance_ids
            if not ordered:
                return queryset.order_by("pk")
            return queryset.order_by(
                Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ordered)), output_field=IntegerField()),
                "pk",
            )
        for sort in self.sorts:
            if sort.value == self.sort and sort.ordering:
                return queryset.order_by(*sort.ordering)
        fallback = next((sort for sort in self.sorts if sort.ordering), None)
        return queryset.order_by(*fallback.ordering) if fallback else queryset

    # Facets with counts ------------------------------------------------------------------------------
    def facet_groups(self):
        groups = []
        for facet in self.facets:
            offered = self._offered[facet.param]
            scope = self.filtered_queryset(exclude=facet.param)
            counts = facet.counts(scope, offered)
            selected = set(self.selected[facet.param])
            options = [
                FacetOption(str(value), str(label), counts.get(str(value), 0), str(value) in selected)
                for value, label in offered
            ]
            if facet.hide_empty:
                options = [o for o in options if o.count or o.selected]
            groups.append({"facet": facet, "options": options, "selected_count": len(selected)})
        return groups

    # Pagination and links --------------------------------------------------------------------------
    def page(self, prepare=None):
        """The requested page of results; `prepare` adds select/prefetch to the queryset before slicing.

        Translatable items carry `content_language` and `in_other_language` (hub.i18n.mark_languages)."""
        from hub.i18n import mark_languages

        if self._ranked():
            # Relevance: paginate the ordered ids, then load only the page's rows.
            page = self._paginate(self._relevance_ids)
            rows = self._by_ids(page.object_list)
            if prepare is not None:
                rows = prepare(rows)
            by_pk = {row.pk: row for row in rows}
            page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
        else:
            results = self.results()
            if prepare is not None:
                results = prepare(results)
            page = self._paginate(results)
        if _is_translatable(self.base_queryset.model):
            page.object_list = mark_languages(list(page.object_list), self.language)
        return page

    def _paginate(self, rows):
        paginator = Paginator(rows, self.page_size)
        try:
            return paginator.page(self.request.GET.get("page", 1))
        except PageNotAnInteger:
            return paginator.page(1)
        except EmptyPage:
            return paginator.page(paginator.num_pages)

    def active_filters(self):
        """(label, url without that value) for each applied filter, for "remove" buttons."""
        chips = []
        labels = {
            facet.param: dict((str(v), str(lab)) for v, lab in self._offered[facet.param]) for facet in self.facets
        }
        for facet in self.facets:
            for value in self.selected[facet.param]:
                chips.append(
                    {
                        "label": labels[facet.param].get(value, value),
                        "facet": facet.label,
                        "url": self.url(remove=(facet.param, value)),
                    }
                )
        return chips

    def fixed_params(self):
        """Parameters every link and the filter form keep (a listing's mode, say); none by default."""
        return []

    extra_params = ()  # names of further query parameters a listing reads (its mode, say)

    def known_params(self):
        """Every query parameter name this listing reads: the response cache keys on these alone."""
        return ["q", "tri", "page", *(facet.param for facet in self.facets), *self.extra_params]

    @property
    def fixed_querystring(self):
        return urlencode(self.fixed_params())

    def params(self):
        pairs = list(self.fixed_params())
        if self.query:
            pairs.append(("q", self.query))
        for facet in self.facets:
            pairs.extend((facet.param, value) for value in self.selected[facet.param])
        if self.sort and self.sorts and self.sort != self.sorts[0].value:
            pairs.append(("tri", self.sort))
        return pairs

    def querystring(self, remove=None, **extra):
        pairs = [pair for pair in self.params() if pair != remove]
        pairs.extend((key, value) for key, value in extra.items())
        return urlencode(pairs)

    def url(self, remove=None):
        qs = self.querystring(remove=remove)
        return f"?{qs}" if qs else "?"

    @property
    def is_filtered(self):
        return bool(self.query or any(self.selected.values()))


def listing_response(request, page, build_listing, prepare=None, extra_context=None, present=None):
    """The response of a faceted listing page: cached for anonymous visitors, else rendered.

    `build_listing()` returns the FacetedListing; `extra_context(listing)` adds what one listing alone
    needs (the Projétothèque's map points, say); `present(item)` wraps each result of the page for the
    template, as `items` (the directory shows each profile through what the viewer may see).
    """
    from django.template.response import TemplateResponse

    from hub.cache import cached_response

    built = {}

    def render():
        listing = built["listing"] = build_listing()
        context = page.get_context(request)
        page_obj = listing.page(prepare=prepare)
        context.update(listing=listing, page_obj=page_obj, facet_groups=listing.facet_groups())
        context["items"] = [present(item) for item in page_obj] if present else list(page_obj)
        if extra_context is not None:
            context.update(extra_context(listing))
        return TemplateResponse(request, page.get_template(request), context)

    return cached_response(request, render, params=lambda: built["listing"].known_params())
