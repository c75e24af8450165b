"""Helpers shared by every search box of the site (site search, Projétothèque, directory)."""

import re

MAX_QUERY_LENGTH = 200
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)


def clean_query(raw):
    """A user's query made safe for every backend: words only, lower case, bounded length.

    SQLite FTS5 treats quotes, `-`, `:` and upper-case AND/OR/NOT as syntax and fails on unbalanced
    ones; people type those characters by accident, so they are dropped rather than interpreted.
    """
    text = _NON_WORD.sub(" ", (raw or "")[:MAX_QUERY_LENGTH]).replace("_", " ")
    return " ".join(text.lower().split())


ELASTICSEARCH_MAX_HITS = 10_000


def restrict_to_search(queryset, terms):
    """`queryset` narrowed to the rows matching `terms`, still a queryset (so facets can count on it).

    With the database backends the match is an SQL subquery on the search index (one query, whatever
    the size); with Elasticsearch it is the list of matching ids.
    """
    if not terms:
        return queryset
    results = queryset.search(terms, operator="and", order_by_relevance=False)
    if hasattr(results, "get_queryset"):
        return queryset.filter(pk__in=results.get_queryset().values("pk"))
    return queryset.filter(pk__in=[obj.pk for obj in results[:ELASTICSEARCH_MAX_HITS]])
