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
