"""Helpers shared by every search box of the site (site search, listings, directory, the API).

Every text a visitor types into a search goes through `clean_query` before it reaches a search backend;
`restrict_to_search` and `search_results` then search each language's rows with that language's
text-search configuration (see hub.search_backend).
"""

import re
import unicodedata

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


def _languages(queryset):
    """The language codes of the rows of `queryset` (None when the model is not translatable)."""
    model = queryset.model
    if not any(field.name == "locale" for field in model._meta.get_fields()):
        return [None]
    return list(queryset.order_by().values_list("locale__language_code", flat=True).distinct())


def search_results(queryset, terms, language=None, **kwargs):
    """The backend's search results for `terms` over `queryset`, in `language`'s text configuration.

    The database backend on PostgreSQL (hub.search_backend) stems each language with its own dictionary;
    other backends ignore the language.
    """
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    results = backend.search(terms, queryset, **kwargs)
    compiler = getattr(results, "query_compiler", None)
    if language and compiler is not None and hasattr(compiler, "language"):
        compiler.language = language
    return results


def _language_scopes(queryset):
    """(language, every row of the model in that language) for each language of `queryset`'s rows."""
    everything = queryset.model._default_manager.all()
    for language in _languages(queryset):
        if language is None:
            yield None, everything
        else:
            from wagtail.models import Locale

            # `locale` is a search filter field of every page; a join (`locale__language_code`) is not.
            yield language, everything.filter(locale=Locale.objects.filter(language_code=language).first())


def relevance_ordered_ids(queryset, terms, limit=ELASTICSEARCH_MAX_HITS):
    """The ids of the model's rows matching `terms`, best first, each language ranked in its own.

    Rankings of different languages are interleaved (first of each, then second of each…): their
    scores come from different dictionaries and are not comparable.
    """
    rankings = []
    for language, scope in _language_scopes(queryset):
        results = search_results(scope, terms, language=language, operator="and", order_by_relevance=True)
        if hasattr(results, "get_queryset"):
            rankings.append(list(results.get_queryset().values_list("pk", flat=True)[:limit]))
        else:
            rankings.append([obj.pk for obj in results[:limit]])
    ordered, seen = [], set()
    for position in range(max((len(r) for r in rankings), default=0)):
        for ranking in rankings:
            if position < len(ranking) and ranking[position] not in seen:
                seen.add(ranking[position])
                ordered.append(ranking[position])
    return ordered


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
    from django.db.models import Q

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
    from django.utils.html import strip_tags
    from modelsearch.index import SearchField

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
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

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
