"""The organisers' exports of an event's registrations: CSV (streamed) and XLSX (typed cells).

Both take the same rows: one per registration, typed values (datetimes in Paris time, naive), one
column per session. Text is made safe from spreadsheet formulas in both formats (hub.exports.safe_cell).
"""

import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from events.models import PARIS, RegistrationStatus
from hub.exports import csv_response, safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy hh:mm"
MAX_WIDTH = 50


def paris(moment):
    """An aware datetime as Europe/Paris wall-clock time without tzinfo (what spreadsheets store)."""
    if moment is None:
        return None
    return timezone.localtime(moment, PARIS).replace(tzinfo=None)


def status_label(registration):
    """Checked-in people are confirmed people who came: their status reads "confirmée"."""
    if registration.status == RegistrationStatus.ATTENDED:
        return RegistrationStatus.CONFIRMED.label
    return registration.get_status_display()


def answer_text(value):
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def export_table(registrations, event):
    """(header, rows): typed values, one column per question (its label) and per session."""
    questions = list(event.questions.all())
    sessions = list(event.ordered_sessions())
    yes = _("oui")
    header = [
        _("Prénom"),
        _("Nom"),
        _("Adresse électronique"),
        _("Structure"),
        _("Fonction"),
        _("Commune"),
        _("Statut"),
        *[str(session) for session in sessions],
        _("Besoins d'accessibilité"),
        *[question.label for question in questions],
        _("Inscrit·e le"),
        _("Présent·e"),
        _("Pointé·e à"),
    ]

    def rows():
        for r in registrations:
            chosen = {s.pk for s in r.sessions.all()}
            yield [
                r.first_name,
                r.last_name,
                r.email,
                r.organisation,
                r.role,
                r.commune.name if r.commune_id else "",
                status_label(r),
                *[yes if session.pk in chosen else "" for session in sessions],
                r.accessibility_needs,
                *[answer_text(r.answers.get(question.key)) for question in questions],
                paris(r.created_at),
                yes if r.status == RegistrationStatus.ATTENDED else "",
                paris(r.checked_in_at),
            ]

    return header, rows()


def _csv_cell(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def csv_export(registrations, event):
    header, rows = export_table(registrations, event)
    return csv_response(header, ([_csv_cell(cell) for cell in row] for row in rows), f"inscriptions-{event.slug}.csv")


def _width(value):
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_export(registrations, event):
    header, rows = export_table(registrations, event)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Inscriptions")[:31]
    sheet.append([safe_cell(cell) for cell in header])
    widths = [_width(cell) for cell in header]
    for row in rows:
        # Text quoted when it starts like a formula (a name cannot run code); dates stay dates.
        values = [cell if isinstance(cell, datetime.datetime) else safe_cell(cell) for cell in row]
        sheet.append(values)
        widths = [max(w, _width(v)) for w, v in zip(widths, values, strict=True)]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = DATE_FORMAT
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 4) + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="inscriptions-{event.slug}.xlsx"'
    return response
