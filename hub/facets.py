"""One faceted-listing mechanism for the Projétothèque, the resource library, the agenda and the directory.

A listing declares its facets; `FacetedListing` reads the query string, selects the matching rows, counts
each facet's values for the current selection (disjunctive: a facet's own choice does not narrow its
counts) and paginates. Counts come from the listing's facet index (`FacetIndex`: one bitset per facet
value, built once per state of the content and cached), so their cost grows neither with the number of
rows nor with the number of facets selected; the page's rows come from one ordered query.
"""

import hashlib
import json
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import BooleanField, Case, F, TextField, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import TranslatableMixin

from hub.cache import built_once, cached_response, stamp
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
    choices: object = None  # callable(request) -> iterable of (value, label); None: the values found
    multiple: bool = True
    ranges: dict = field(default_factory=dict)  # value -> Q, for computed values
    hide_empty: bool = True
    label_lookup: str = ""  # with no `choices`: the ORM path of each value's label (else the value)
    newest_first: bool = False  # with no `choices`: values in descending order (years)

    def offered(self, request, index):
        if self.choices is None:
            labels = index.labels.get(self.param, {})
            if self.newest_first:
                return sorted(labels.items(), reverse=True)
            return sorted(labels.items(), key=lambda pair: (str(pair[1]).casefold(), pair[0]))
        return list(self.choices(request)) if callable(self.choices) else list(self.choices)

    def parse(self, request, offered):
        raw = request.GET.getlist(self.param) if self.multiple else request.GET.getlist(self.param)[:1]
        known = {str(value) for value, _label in offered}
        # Unknown values are ignored rather than failing: shared URLs outlive the taxonomy.
        return [value for value in dict.fromkeys(v.strip() for v in raw) if value in known]

    def rows(self, queryset):
        """(pk, value, label) for every value each row of `queryset` has: one query, at index build time.

        A row appears once per value it has (through a many-to-many relation, once per related row);
        a range facet gives each row the values of the ranges it falls in."""
        queryset = queryset.order_by()
        if self.ranges or not self.lookup:
            flags = {f"r{i}": _flag(condition) for i, condition in enumerate(self.ranges.values())}
            values = list(self.ranges)
            for pk, *inside in queryset.annotate(**flags).values_list("pk", *flags):
                for value, flag in zip(values, inside, strict=True):
                    if flag:
                        yield pk, value, value
            return
        columns = {"facet_value": Cast(self.lookup, TextField())}
        if self.label_lookup:
            columns["facet_label"] = F(self.label_lookup)
        for pk, value, *label in queryset.annotate(**columns).values_list("pk", *columns):
            if value is not None:
                yield pk, value, label[0] if label else value


def _flag(condition):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


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
    """`queryset` narrowed to rows whose `field` is in `ids`, bound as one parameter (not one per id)."""
    return queryset.filter(_AnyOf(field, ids))


class _AnyOf(Expression):
    """`field = ANY(%s::bigint[])`: one array parameter, which PostgreSQL probes by hashing and whose
    length the planner knows (`IN (SELECT unnest(…))` became a semi-join scanning the array per row).
    SQLite (development and tests) reads the same list from one JSON parameter."""

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

    def as_sqlite(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]


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


class FacetIndex:
    """Which rows of a listing's base set carry each facet value: one bitset per value (bit i: the i-th
    row in primary-key order), like the inverted index of a search engine.

    Built by one query per facet (`Facet.rows`) and kept in the cache until the content it was built from
    changes (hub.cache stamps: the listing's scopes and the global generation). A request's counts are
    then intersections of these bitsets, whatever the selection: `(selection & value).bit_count()` runs
    in C over n/64 machine words, so counting costs no query and no loop over rows; the rows of the
    requested page are read from the database, named by one array of ids."""

    # Part of every cache key: a deploy that changes what an index holds never reads one of the old shape.
    FORMAT = 2

    def __init__(self, ids, bits, labels, flags):
        self.ids = ids  # array of primary keys, ascending
        self.bits = bits  # {param: {value: bitset}}
        self.labels = labels  # {param: {value: label}} for facets offering the values found
        self.flags = flags  # {name: bitset} of the listing's further conditions
        self.everything = (1 << len(ids)) - 1
        self.key = None  # its cache key, when cached: what it derives from (a keyword's matches) is keyed on it

    @classmethod
    def build(cls, base, facets, flags):
        ids = array("q", base.order_by("pk").values_list("pk", flat=True))
        position = {pk: i for i, pk in enumerate(ids)}
        bits, labels = {}, {}
        for facet in facets:
            found, names = {}, {}
            for pk, value, label in facet.rows(base):
                value = str(value)
                if value not in found:
                    found[value], names[value] = [], str(label)
                found[value].append(position[pk])
            bits[facet.param] = {value: cls._bitset(rows, len(ids)) for value, rows in found.items()}
            if facet.choices is None:
                labels[facet.param] = names
        flagged = {
            name: cls._bitset(
                (position[pk] for pk in base.order_by().filter(condition).values_list("pk", flat=True)), len(ids)
            )
            for name, condition in flags.items()
        }
        return cls(ids, bits, labels, flagged)

    @staticmethod
    def _bitset(positions, length):
        """The bitset of `positions` among `length` rows."""
        raw = bytearray((length + 7) // 8)
        for i in positions:
            raw[i >> 3] |= 1 << (i & 7)
        return int.from_bytes(raw, "little")

    def of(self, pks):
        """The bitset of the rows among `pks` (a search's matches)."""
        ids, positions = self.ids, []
        for pk in pks:
            i = bisect_left(ids, pk)
            if i < len(ids) and ids[i] == pk:
                positions.append(i)
        return self._bitset(positions, len(ids))

    def pks(self, bitset):
        """The primary keys of the rows of `bitset`, ascending."""
        ids = self.ids
        return [ids[i] for i, bit in enumerate(reversed(f"{bitset:b}")) if bit == "1"] if bitset else []


def facet_index(base, facets, flags, scopes):
    """The facet index of `base`: from the cache when the content it depends on has not changed since
    (`scopes`, see hub.cache.stamp), else built; with `scopes` None (a base that depends on the time,
    say), built for this request alone."""
    if scopes is None:
        return FacetIndex.build(base, facets, flags)
    try:
        sql, params = base.order_by("pk").values_list("pk").query.sql_with_params()
    except EmptyResultSet:
        return FacetIndex(array("q"), {}, {}, {})
    # The database itself (not its alias): two sites sharing one cache never share an index.
    database = {k: connections[base.db].settings_dict.get(k) for k in ("HOST", "PORT", "NAME")}
    spec = [(f.param, f.lookup, f.label_lookup, list(f.ranges.items())) for f in facets] + sorted(flags.items())
    identity = hashlib.sha256(
        repr((FacetIndex.FORMAT, database, sql, params, spec, stamp(scopes))).encode()
    ).hexdigest()
    key = f"hub:facet-index:{identity}"
    with _recent_lock:
        index = _recent.get(key)
        if index is not None:
            _recent.move_to_end(key)
            return index
    # After a publication, the members' requests arriving together wait for one build (they are not served
    # from the response cache).
    index = built_once(key, lambda: FacetIndex.build(base, facets, flags), settings.HUB_FACET_INDEX_TIMEOUT)
    index.key = key
    with _recent_lock:
        _recent[key] = index
        while len(_recent) > RECENT_INDEXES:
            _recent.popitem(last=False)
    return index


# The last indexes each process used, by key: the key holds the content's stamp, read afresh for every
# request, so an index found here is never stale; it spares reading it from the cache (Redis) again.
RECENT_INDEXES = 8
_recent = OrderedDict()
_recent_lock = threading.Lock()


class FacetedListing:
    """Reads a request against a base queryset and a set of facets; everything a listing template needs.

    The selection (keywords, facet values) is a bitset over the listing's facet index: counts, the
    number of results and whether any of them has a flag (`has`) come from the index; the results'
    rows from one ordered query naming the selected rows by one array parameter (PostgreSQL) or a
    JSON list (SQLite, in development and tests). `scopes` names what the base set depends on (hub.cache),
    for the index to be cached; `flags` are further conditions the listing asks about (`has`);
    `items_locale_id`, the locale of the base's items when known (a French listing then needs no
    translation lookup).
    """

    page_size = 20

    def __init__(
        self,
        request,
        base_queryset,
        facets,
        sorts,
        search=None,
        page_size=None,
        language=None,
        scopes=None,
        flags=None,
        items_locale_id=None,
    ):
        self.request = request
        self.language = (language or get_language() or "fr").split("-")[0]
        if _is_translatable(base_queryset.model):
            # Items are written in French: each one is listed once, as its translation in the visitor's
            # language when one is live and public, else as the original (see hub.i18n).
            base_queryset = localized_items(base_queryset, self.language, items_locale_id)
        self.base_queryset = base_queryset
        self.facets = facets
        self.search = search  # callable(queryset, terms) -> queryset restricted to matching rows
        if page_size:
            self.page_size = page_size
        self.query = (request.GET.get("q") or "").strip()[:200]
        self.terms = clean_query(self.query)
        self.index = facet_index(base_queryset, facets, flags or {}, scopes)
        # With a keyword the results are sorted by relevance first (the database backends rank matches).
        self.sorts = [RELEVANCE_SORT, *sorts] if self.terms and search is not None else list(sorts)
        sorts = self.sorts
        self._offered = {facet.param: facet.offered(request, self.index) for facet in facets}
        self.selected = {facet.param: facet.parse(request, self._offered[facet.param]) for facet in facets}
        sort_values = [s.value for s in sorts]
        requested_sort = request.GET.get("tri", "")
        self.sort = requested_sort if requested_sort in sort_values else (sort_values[0] if sort_values else "")

    # The selection, as bitsets of the index -----------------------------------------------------------
    def _union(self, facet):
        """The rows having any of the values selected in `facet` (every row when none is)."""
        values = self.selected[facet.param]
        if not values:
            return self.index.everything
        bits, union = self.index.bits.get(facet.param, {}), 0
        for value in values:
            union |= bits.get(value, 0)
        return union

    def _matched(self):
        """The rows matching the keywords (all rows without any), as a bitset: one query to the search
        backend over every row, kept beside the facet index for the same state of the content (the next
        request with these keywords, whatever its facets, then sends no text search)."""
        if not hasattr(self, "_matches"):
            self._matches = self.index.everything
            if self.terms and self.search is not None:
                key = None
                if self.index.key is not None:
                    digest = hashlib.sha256(f"{self.language}|{self.terms}".encode()).hexdigest()
                    key = f"{self.index.key}:q:{digest}"
                    found = cache.get(key)
                    if found is not None:
                        self._matches = found
                        return found
                matched = self.search(self.base_queryset, self.terms).order_by().values_list("pk", flat=True)
                self._matches = self.index.of(matched)
                if key is not None:
                    cache.set(key, self._matches, timeout=settings.HUB_FACET_INDEX_TIMEOUT)
        return self._matches

    def selection(self, exclude=None):
        """The bitset of the rows matching the keywords and every selected facet but `exclude`: within a
        facet values are OR-ed, across facets AND-ed."""
        selection = self._matched()
        for facet in self.facets:
            if self.selected[facet.param] and facet.param != exclude:
                selection &= self._union(facet)
        return selection

    def count(self):
        return self.selection().bit_count()

    def has(self, flag):
        """Whether any result carries `flag` (one of the listing's `flags`)."""
        return bool(self.selection() & self.index.flags.get(flag, 0))

    def filtered_queryset(self):
        """The matching rows, one per item, as a queryset (unordered)."""
        selection = self.selection()
        if selection == self.index.everything:
            return self.base_queryset
        return _in_array(self.base_queryset.model._default_manager.all(), self.index.pks(selection))

    def _ranked(self):
        return self.sort == RELEVANCE and bool(self.terms) and self.search is not None

    def results(self):
        rows = self.filtered_queryset()
        if self._ranked():
            ranked = rank_by_relevance(rows, self.terms, self.language)
            if ranked is not None:
                return _Counted(ranked, self.count())
        ordering = next((sort.ordering for sort in self.sorts if sort.value == self.sort and sort.ordering), None)
        if ordering is None:
            ordering = next((sort.ordering for sort in self.sorts if sort.ordering), ("pk",))
        return _Counted(rows.order_by(*ordering), self.count())

    # Facets with counts ------------------------------------------------------------------------------
    def facet_counts(self):
        """{param: {value: count}} for every facet, each counted over the selection without its own choice
        (disjunctive facets), by intersecting bitsets."""
        counts = {}
        for facet in self.facets:
            scope = self.selection(exclude=facet.param)
            counts[facet.param] = {
                value: (scope & bits).bit_count() for value, bits in self.index.bits.get(facet.param, {}).items()
            }
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
        """The requested page of results; `prepare` adds select/prefetch to the queryset of its rows.

        The page's ids are chosen by the ordered query on its sort columns alone; only those rows are then
        read whole (sorting every matching row with its body would cost more the more rows there are).
        Translatable items carry `content_language` and `in_other_language` (hub.i18n.mark_languages)."""

        page = self._paginate(self.results().values_list("pk", flat=True))
        pks = list(page.object_list)
        rows = _in_array(self.base_queryset.model._default_manager.all(), pks)
        if prepare is not None:
            rows = prepare(rows)
        by_pk = {row.pk: row for row in rows}
        page.object_list = [by_pk[pk] for pk in pks if pk in by_pk]
        if _is_translatable(self.base_queryset.model):
            page.object_list = mark_languages(page.object_list, self.language)
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
                        "param": facet.param,
                        "value": value,
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


def listing_response(request, page, build_listing, prepare=None, extra_context=None, present=None, scopes=None):
    """The response of a faceted listing page: cached for anonymous visitors, else rendered.

    `build_listing()` returns the FacetedListing; `extra_context(listing)` adds what one listing alone
    needs (the Projétothèque's map points, say); `present(item)` wraps each result of the page for the
    template, as `items` (the directory shows each profile through what the viewer may see); `scopes`, what
    the cached response depends on (hub.cache; by default the page, whose descendants it lists).
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

    return cached_response(request, render, params=lambda: built["listing"].known_params(), scopes=scopes)
