"""One faceted-listing mechanism for the Projétothèque, the resource library and the directory.

A listing declares its facets; `FacetedListing` reads the query string, filters the queryset, counts each
facet's values for the current selection (disjunctive: a facet's own choice does not narrow its counts)
and paginates. Every count is one grouped SQL query, so the number of queries does not grow with rows.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection, connections
from django.db.models import BooleanField, Count, F, Q, TextField
from django.db.models.expressions import Expression
from django.db.models.functions import Cast
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import TranslatableMixin

from hub.cache import cached_response
from hub.i18n import localized_items, mark_languages
from hub.models import Department, Region
from hub.search import clean_query, rank_by_relevance


# Choice builders shared by the listings ------------------------------------------------------------
def taxonomy_choices(model, full_names=False):
    """Choices of a translatable taxonomy (programmes, thematics) in the current language, by slug.

    Programmes show their short name (ACV) in facets; forms that explain them pass `full_names`.
    One query: the rows of the current language and of French, the French ones used only when the
    current language has none."""

    def choices(request=None):
        language = (get_language() or "fr").split("-")[0]
        rows = list(
            model.objects.filter(locale__language_code__in={language, "fr"})
            .select_related("locale")
            .order_by("sort_order", "name")
        )
        own = [row for row in rows if row.locale.language_code == language]
        rows = own or [row for row in rows if row.locale.language_code == "fr"]
        short = model.__name__ == "Programme" and not full_names
        return [(row.slug, row.label if short else row.name) for row in rows]

    return choices


def region_choices(request):
    return list(Region.objects.order_by("name").values_list("code", "name"))


def department_choices(request):
    return [
        (code, f"{name} ({code})") for code, name in Department.objects.order_by("code").values_list("code", "name")
    ]


@dataclass
class FacetOption:
    value: str
    label: str
    count: int = 0
    selected: bool = False


def _lookup_fields(model, lookup):
    """The model fields a lookup path (`programmes__slug__in`, `commune__population__gte`) walks through."""
    fields = []
    for part in lookup.split("__"):
        if model is None:
            break
        try:
            field = model._meta.get_field(part)
        except Exception:  # a transform or a lookup (`year`, `in`, `gte`): the path ends here
            break
        fields.append(field)
        model = field.related_model if field.is_relation else None
    return fields


def _is_multivalued(model, lookup):
    """Whether a row can match `lookup` through several related rows (a many-to-many or reverse relation)."""
    return any(field.many_to_many or field.one_to_many for field in _lookup_fields(model, lookup))


def _may_repeat(model, lookup):
    """Whether grouping rows on `lookup` can count one row twice for one value: through a many-to-many
    relation whose link table does not make each (row, value) pair unique (Django's own link tables do)."""
    for step in _lookup_fields(model, lookup):
        if step.one_to_many:
            return True
        if step.many_to_many:
            through = getattr(step.remote_field, "through", None)
            if through is None or not through._meta.auto_created:
                return True
    return False


def _q_lookups(condition):
    for child in condition.children:
        if isinstance(child, Q):
            yield from _q_lookups(child)
        else:
            yield child[0]


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

    def multivalued(self, model):
        if self.ranges or not self.lookup:
            return any(_is_multivalued(model, lookup) for q in self.ranges.values() for lookup in _q_lookups(q))
        return _is_multivalued(model, self.lookup)

    def restriction(self, model, values):
        """The Q narrowing rows of `model` to `values`, never multiplying rows.

        Through a many-to-many relation it is `pk IN (subquery)`: the database evaluates the join
        inside the subquery, the listing's own query keeps one row per item (no DISTINCT), and a count
        grouped on that same relation is not narrowed by it."""
        condition = self.condition(values)
        if not values or not self.multivalued(model):
            return condition
        return Q(pk__in=model._default_manager.filter(condition).order_by().values("pk"))

    def counts(self, queryset, offered):
        """{value: number of rows of `queryset`}, in one grouped query."""
        if self.ranges or not self.lookup:  # a computed facet, possibly with no value yet (an empty agenda)
            return self.range_counts_query(queryset, offered, self.multivalued(queryset.model))
        return {value: n for value, n in self.grouped(queryset) if value is not None}

    def grouped(self, queryset):
        """(value as text, number of rows) of `queryset` grouped on this facet's column, as a queryset
        (None for a computed facet). COUNT(DISTINCT) (a sort) only where a link table could hold a
        pair twice."""
        if self.ranges or not self.lookup:
            return None
        distinct = _may_repeat(queryset.model, self.lookup)
        return (
            queryset.order_by()
            .annotate(facet_value=Cast(self.lookup, TextField()))
            .values("facet_value")
            .annotate(n=Count("pk", distinct=distinct))
            .values_list("facet_value", "n")
        )

    def range_counts_query(self, queryset, offered, distinct=False):
        """All range counts in one query (conditional aggregation) instead of one query per range."""
        aggregates = {
            f"r{i}": Count("pk", filter=self.ranges[value], distinct=distinct) for i, (value, _l) in enumerate(offered)
        }
        totals = queryset.order_by().aggregate(**aggregates) if aggregates else {}
        return {value: totals[f"r{i}"] for i, (value, _l) in enumerate(offered)}


@dataclass
class Sort:
    value: str
    label: str
    ordering: tuple


RELEVANCE = "pertinence"
RELEVANCE_SORT = Sort(RELEVANCE, _("Pertinence"), ())


def _is_translatable(model):
    return issubclass(model, TranslatableMixin)


def _in_array(queryset, ids, field="pk"):
    """`queryset` narrowed to rows whose `field` is in `ids`, bound as one PostgreSQL array parameter
    (not one parameter per id); elsewhere (SQLite in development) a plain `IN`."""

    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": ids})
    return queryset.filter(_AnyOf(field, ids))


class _AnyOf(Expression):
    """`field = ANY(%s::bigint[])`: one array parameter, which PostgreSQL probes by hashing and whose
    length the planner knows (`IN (SELECT unnest(…))` became a semi-join scanning the array per row)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field, ids):
        super().__init__()
        self.column, self.ids = F(field), list(ids)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s::bigint[])", [*params, self.ids]


in_ids = _in_array  # for the exports, which read their rows in chunks


class _Counted:
    """A queryset whose number of rows is already known: the paginator slices it and reads `count`."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]

    def __iter__(self):
        return iter(self.queryset)

    def __getattr__(self, name):  # values_list, select_related… keep the known count
        attribute = getattr(self.queryset, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def call(*args, **kwargs):
            result = attribute(*args, **kwargs)
            if hasattr(result, "query") and name in _COUNT_KEEPING:
                return _Counted(result, self._count)
            return result

        return call


# Queryset methods that change what each row loads, never which rows: the known count still holds.
_COUNT_KEEPING = {"select_related", "prefetch_related", "only", "defer", "values", "values_list"}


class FacetedListing:
    """Reads a request against a base queryset and a set of facets; everything a listing template needs.

    Every query it sends is built in SQL from the same parts (the base rows, the text match as a
    subquery on the search index, each selected facet as a condition or a `pk IN (subquery)`), so
    its number of queries and of bound parameters does not depend on how many rows match: no list of
    ids travels from the database to Python and back.
    """

    page_size = 20

    def __init__(self, request, base_queryset, facets, sorts, search=None, page_size=None, language=None):
        self.request = request
        self.language = (language or get_language() or "fr").split("-")[0]
        if _is_translatable(base_queryset.model):
            # Items are written in French: each one is listed once, as its translation in the visitor's
            # language when one is live and public, else as the original (see hub.i18n).

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
    def searched_queryset(self):
        """The base rows matching the keywords (a subquery on the search index), built once."""
        if not hasattr(self, "_searched"):
            queryset = self.base_queryset
            if self.terms and self.search is not None:
                queryset = self._matched_once(self.search(queryset, self.terms))
            self._searched = queryset
        return self._searched

    def _matched_once(self, searched):
        """On PostgreSQL the text match is evaluated once, its ids bound back as one array parameter.

        Every facet count repeats the listing's conditions; as a subquery the match (a tsquery over every
        index entry of the model, which the planner also misestimates) would run once per count.
        Elsewhere (SQLite, in development and tests) it stays a subquery."""

        if connection.vendor != "postgresql":
            return searched
        return _in_array(self.base_queryset, list(searched.order_by().values_list("pk", flat=True)))

    def _restricted(self, queryset, exclude=None):
        model = queryset.model
        for facet in self.facets:
            values = self.selected[facet.param]
            if values and facet.param != exclude:
                queryset = queryset.filter(facet.restriction(model, values))
        return queryset

    def filtered_queryset(self, exclude=None):
        """The matching rows, one per item, with every selected facet applied but `exclude`'s."""
        return self._restricted(self.searched_queryset(), exclude)

    def _ranked(self):
        return self.sort == RELEVANCE and bool(self.terms) and self.search is not None

    def _selected_ids(self):
        """PostgreSQL only: the ids of every row of the selection (keyword and facets), as one array.

        The keyword's match is already an array (`_matched_once`), so this query does no text search;
        its length is the number of results, and ranking is asked only for these rows."""
        if not hasattr(self, "_ids"):
            self._ids = list(self.filtered_queryset().order_by().values_list("pk", flat=True))
        return self._ids

    def results(self):
        if self._ranked():
            if connection.vendor == "postgresql":
                # The selection is known (an array of ids): rank those rows only, and count the array,
                # not the ranked query (which would evaluate the text match and its scores again).
                ids = self._selected_ids()
                # The rows to rank are named by the array alone (not the base conditions again): the planner
                # then starts from those ids, not from the text match it underestimates.
                rows = _in_array(self.base_queryset.model._default_manager.all(), ids)
                ranked = rank_by_relevance(rows, self.terms, self.language)
                if ranked is not None:
                    return _Counted(ranked, len(ids))
            else:
                # Ranked over the faceted rows; the ranking itself restricts them to the matches.
                ranked = rank_by_relevance(self._restricted(self.base_queryset), self.terms, self.language)
                if ranked is not None:
                    return ranked
        queryset = self.filtered_queryset()
        for sort in self.sorts:
            if sort.value == self.sort and sort.ordering:
                return queryset.order_by(*sort.ordering)
        fallback = next((sort for sort in self.sorts if sort.ordering), None)
        return queryset.order_by(*fallback.ordering) if fallback else queryset.order_by("pk")

    # Facets with counts ------------------------------------------------------------------------------
    def facet_counts(self):
        """{param: {value: count}} for every facet, each counted over the selection without its own choice.

        The grouped counts of every column facet travel in one query (UNION ALL of the groupings,
        one round trip and one planning instead of one per facet); computed facets (ranges) add one
        aggregate query each."""

        counts, parts, params = {}, [], []
        for facet in self.facets:
            scope = self.filtered_queryset(exclude=facet.param)
            grouped = facet.grouped(scope)
            if grouped is None:
                counts[facet.param] = facet.counts(scope, self._offered[facet.param])
                continue
            counts[facet.param] = {}
            try:
                sql, sql_params = grouped.query.sql_with_params()
            except EmptyResultSet:  # the scope can match nothing (an empty id list, say): no counts
                continue
            parts.append(f"SELECT %s, t.facet_value, t.n FROM ({sql}) t")
            params.extend([facet.param, *sql_params])
        if parts:
            with connections[self.base_queryset.db].cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                for param, value, n in cursor.fetchall():
                    if value is not None:
                        counts[param][value] = n
        return counts

    def facet_groups(self):
        groups = []
        all_counts = self.facet_counts()
        for facet in self.facets:
            offered = self._offered[facet.param]
            counts = all_counts[facet.param]
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
