"""Streaming CSV/JSON exports shared by the apps, safe against spreadsheet formula injection."""

import csv
import json

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet will show as text: values starting like a formula get a leading quote."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_response(header, rows, filename):
    """Streams rows as UTF-8 CSV (with a BOM so spreadsheet software detects the encoding)."""
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(records, filename=None):
    """Streams an iterable of dicts as one JSON array."""

    def generate():
        yield "["
        for position, record in enumerate(records):
            yield ("," if position else "") + json.dumps(record, ensure_ascii=False, default=str)
        yield "]"

    response = StreamingHttpResponse(generate(), content_type="application/json; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
