"""Helpers shared by every search box of the site (site search, listings, directory, the API).

Every text a visitor types into a search goes through `clean_query` before it reaches a search backend;
`restrict_to_search` and `search_results` then search each language's rows with that language's
text-search configuration (see hub.search_backend).
"""

import itertools
import re
import unicodedata

from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import OrderBy, Window
from django.db.models.functions import RowNumber
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from modelsearch.index import SearchField
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)


def clean_query(raw):
    """A user's query made safe for every backend: words only, lower case, bounded length and word count.

    SQLite FTS5 treats quotes, `-`, `:` and upper-case AND/OR/NOT as syntax and fails on unbalanced
    ones; PostgreSQL's tsquery has `& | ! : *` and nests one level per word (hundreds of words exhaust
    Python's recursion limit); NUL bytes are refused by PostgreSQL outright. People type those by
    accident, so they are dropped rather than interpreted.
    """
    text = str(raw or "")[: MAX_QUERY_LENGTH * 4]
    # Control and format characters (NUL, escapes, zero-width joiners) become separators.
    text = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    words = text.lower().split()[:MAX_QUERY_WORDS]
    return " ".join(words)[:MAX_QUERY_LENGTH].strip()


ELASTICSEARCH_MAX_HITS = 10_000


def _locales(queryset):
    """The locales of `queryset`'s rows, in one query that stops at each locale's first row (None when
    the model is not translatable)."""
    model = queryset.model
    if not any(field.name == "locale" for field in model._meta.get_fields()):
        return [None]

    return list(Locale.objects.filter(Exists(queryset.order_by().filter(locale=OuterRef("pk")))).order_by("pk"))


def search_results(queryset, terms, language=None, **kwargs):
    """The backend's search results for `terms` over `queryset`, in `language`'s text configuration.

    The database backend on PostgreSQL (hub.search_backend) stems each language with its own dictionary;
    other backends ignore the language.
    """

    backend = get_search_backend()
    results = backend.search(terms, queryset, **kwargs)
    compiler = getattr(results, "query_compiler", None)
    if language and compiler is not None and hasattr(compiler, "language"):
        compiler.language = language
    return results


def _language_scopes(queryset):
    """(language, every row of the model in that language) for each language of `queryset`'s rows."""
    everything = queryset.model._default_manager.all()
    for locale in _locales(queryset):
        if locale is None:
            yield None, everything
        else:
            # `locale` is a search filter field of every page; a join (`locale__language_code`) is not.
            yield locale.language_code, everything.filter(locale=locale)


RELEVANCE_ORDERED_HITS = 2000  # Elasticsearch only: beyond this many hits, the rest follow by id


def _descending(ordering):
    """Whether the backend sorts its first ordering term (the score) best-first descending."""

    if isinstance(ordering, OrderBy):
        return ordering.descending
    return str(ordering).startswith("-")


def rank_by_relevance(queryset, terms, language=None):
    """`queryset`'s rows matching `terms`, best match first, as one SQL query (None: not possible).

    With one language (a French listing) this is the backend's own ranked query, narrowed to
    `queryset` by a subquery. With several (an English listing shows French originals beside English
    translations), each language is ranked with its own dictionary and the rankings are interleaved:
    the first of each language, then the second of each… (`language`'s rows first at each position),
    by a window function over the matching rows. Elasticsearch, which holds its own ranking, orders
    its first hits in SQL by their rank (one CASE over at most RELEVANCE_ORDERED_HITS ids).
    """

    ranked = []
    for scope_language, scope in _language_scopes(queryset):
        results = search_results(scope, terms, language=scope_language, operator="and", order_by_relevance=True)
        ranked.append((scope_language, results))
    if any(not hasattr(results, "get_queryset") for _language, results in ranked):
        return _rank_by_hits(queryset, [results for _language, results in ranked])
    if not ranked:
        return queryset.none()
    own = queryset.order_by().values("pk")
    if len(ranked) == 1:
        return ranked[0][1].get_queryset().filter(pk__in=own)
    scores, descending = [], True
    for scope_language, results in ranked:
        matches = results.annotate_score("_score").get_queryset()
        descending = _descending(matches.query.order_by[0]) if matches.query.order_by else True
        score = Subquery(matches.order_by().filter(pk=OuterRef("pk")).values("_score")[:1])
        scores.append(When(locale__language_code=scope_language, then=score))
    score = Case(*scores, output_field=FloatField())
    position = Window(
        RowNumber(),
        partition_by=[F("locale_id")],
        order_by=[score.desc(nulls_last=True) if descending else score.asc(nulls_last=True), F("pk").desc()],
    )
    first = Case(When(locale__language_code=language, then=Value(0)), default=Value(1), output_field=IntegerField())
    conditions = None
    for _language, results in ranked:
        condition = Q(pk__in=results.get_queryset().order_by().values("pk"))
        conditions = condition if conditions is None else conditions | condition
    return queryset.filter(conditions).annotate(_position=position, _first=first).order_by("_position", "_first", "pk")


def _rank_by_hits(queryset, rankings):
    """Elasticsearch: its hits of each language, interleaved, ranked in SQL (the first
    RELEVANCE_ORDERED_HITS by rank, the others after them by id)."""

    rankings = [[obj.pk for obj in results[:ELASTICSEARCH_MAX_HITS]] for results in rankings]
    hits = list(dict.fromkeys(pk for row in itertools.zip_longest(*rankings) for pk in row if pk is not None))
    if not hits:
        return queryset.none()
    first = hits[:RELEVANCE_ORDERED_HITS]
    rank = Case(
        *(When(pk=pk, then=Value(i)) for i, pk in enumerate(first)),
        default=Value(len(first)),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=hits).order_by(rank, "pk")


def matching_ids(queryset, terms):
    """A subquery (or a list, for Elasticsearch) of the ids of `queryset`'s rows matching `terms`.

    The search runs over the whole model, filtered only by language (a filter every backend knows), so a
    listing may filter its rows on any column (`end`, `user__is_active`…) without declaring it to the
    search index; the narrowing to `queryset` happens in SQL afterwards.
    """
    subqueries = []
    for language, scope in _language_scopes(queryset):
        results = search_results(scope, terms, language=language, operator="and", order_by_relevance=False)
        if hasattr(results, "get_queryset"):
            subqueries.append(results.get_queryset().values("pk"))
        else:
            subqueries.append([obj.pk for obj in results[:ELASTICSEARCH_MAX_HITS]])
    return subqueries


def restrict_to_search(queryset, terms):
    """`queryset` narrowed to the rows matching `terms`, still a queryset (so facets can count on it).

    With the database backends the match is an SQL subquery on the search index (one query, whatever
    the size); with Elasticsearch it is the list of matching ids. Rows in several languages are each
    searched in their own language.
    """

    if not terms:
        return queryset
    condition = Q(pk__in=[])
    for ids in matching_ids(queryset, terms):
        condition |= Q(pk__in=ids)
    return queryset.filter(condition)


# Excerpts with the matched words highlighted ---------------------------------------------------------
EXCERPT_WORDS = 32
_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(word):
    """Lower case without accents, so "Équipement" matches "equipement"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _stems(terms):
    # A crude stem (the term less its last letters) stands for the backend's: "cycling" highlights "cycle",
    # "ateliers" highlights "atelier".
    return [term[: max(3, len(term) - 3)] for term in (_fold(t) for t in terms.split()) if term]


def page_text(page):
    """The indexed text of a page other than its title (what the search matched), as one plain string."""

    texts = []
    for name in ("search_description",):
        value = getattr(page, name, "")
        if value:
            texts.append(str(value))
    for field in page.get_search_fields():
        if isinstance(field, SearchField) and field.field_name != "title":
            try:
                value = field.get_value(page)
            except Exception:  # a computed field that cannot be read here is simply not part of the excerpt
                continue
            if isinstance(value, list | tuple):
                value = " ".join(str(v) for v in value)
            if value:
                texts.append(strip_tags(str(value)))
    return " ".join(" ".join(texts).split())


def highlight(text, terms, words=EXCERPT_WORDS):
    """HTML: a passage of `text` around the first matched word, matched words in <mark>, the rest escaped."""

    stems = _stems(terms)
    tokens = text.split()
    if not tokens:
        return ""

    def matches(token):
        return any(_fold(w).startswith(stem) for w in _WORD.findall(token) for stem in stems)

    first = next((i for i, token in enumerate(tokens) if matches(token)), 0)
    start = max(0, first - words // 3)
    window = tokens[start : start + words]
    parts = [_mark_token(token, stems, escape) for token in window]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return mark_safe(prefix + " ".join(parts) + suffix)


def _mark_token(token, stems, escape):
    out, last = [], 0
    for match in _WORD.finditer(token):
        out.append(escape(token[last : match.start()]))
        word = match.group(0)
        if any(_fold(word).startswith(stem) for stem in stems):
            out.append(f"<mark>{escape(word)}</mark>")
        else:
            out.append(escape(word))
        last = match.end()
    out.append(escape(token[last:]))
    return "".join(out)


def excerpt(page, terms):
    return highlight(page_text(page), terms)
