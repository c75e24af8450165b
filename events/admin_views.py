"""Organiser tools in the Wagtail admin: registrations per event, decisions, check-in, exports, messages."""

import io

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from events import registration as seats
from events.forms import EventMessageForm
from events.models import EventMessage, EventPage, Registration, RegistrationStatus
from hub.exports import csv_response, safe_cell

PERMISSION = "events.manage_registrations"


def can_manage(user):
    return user.is_active and (user.is_superuser or user.has_perm(PERMISSION))


def _require(request):
    if not can_manage(request.user):
        raise PermissionDenied


def event_list(request):
    _require(request)
    now = timezone.now()
    counts = Count("registrations", filter=Q(registrations__status__in=Registration.HOLDING))
    base = EventPage.objects.filter(locale__language_code="fr").annotate(
        confirmed=counts,
        waitlisted=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        pending=Count("registrations", filter=Q(registrations__status=RegistrationStatus.PENDING)),
    )
    return TemplateResponse(
        request,
        "events/admin/event_list.html",
        {
            "page_title": _("Inscriptions aux événements"),
            "header_icon": "date",
            "upcoming": base.filter(end__gte=now).order_by("start"),
            "past": base.filter(end__lt=now).order_by("-start")[:30],
        },
    )


def _filtered(request, event):
    registrations = (
        event.registrations.select_related("commune").prefetch_related("sessions").order_by("created_at", "pk")
    )
    status = request.GET.get("statut", "")
    if status in RegistrationStatus.values:
        registrations = registrations.filter(status=status)
    session = request.GET.get("session", "")
    if session.isdigit():
        registrations = registrations.filter(sessions__pk=int(session))
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        registrations = registrations.filter(
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(email__icontains=query)
            | Q(organisation__icontains=query)
        )
    return registrations, status, session, query


def _counts(event):
    rows = dict(event.registrations.values_list("status").annotate(n=Count("pk")).order_by())
    return [(value, label, rows.get(value, 0)) for value, label in RegistrationStatus.choices]


def registrations(request, event_id):
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    rows, status, session, query = _filtered(request, event)
    sessions = list(event.ordered_sessions())
    session_counts = seats.session_seats_taken([s.pk for s in sessions]) if sessions else {}
    return TemplateResponse(
        request,
        "events/admin/registrations.html",
        {
            "page_title": _("Inscriptions"),
            "page_subtitle": event.title,
            "header_icon": "group",
            "event": event,
            "registrations": rows,
            "counts": _counts(event),
            "seats_taken": event.seats_taken(),
            "sessions": [(s, session_counts.get(s.pk, 0)) for s in sessions],
            "statuses": RegistrationStatus.choices,
            "status": status,
            "session": session,
            "query": query,
            "querystring": request.GET.urlencode(),
            "questions": list(event.questions.all()),
        },
    )


def _back(request, event):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("events_registrations", args=[event.pk]))


ACTIONS = {
    "approve": (seats.approve, gettext_lazy("Inscription de %(name)s acceptée.")),
    "refuse": (seats.refuse, gettext_lazy("Inscription de %(name)s refusée.")),
    "promote": (seats.promote, gettext_lazy("%(name)s passe de la liste d'attente aux inscrits.")),
    "cancel": (lambda r: seats.cancel(r, reason="organiser"), gettext_lazy("Inscription de %(name)s annulée.")),
}


@require_POST
def registration_action(request, event_id, registration_id, action):
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    if action == "checkin":
        return _check_in(request, event, registration)
    if action not in ACTIONS:
        raise PermissionDenied
    function, success = ACTIONS[action]
    try:
        function(registration)
    except seats.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(success) % {"name": registration.full_name})
    return _back(request, event)


def _check_in(request, event, registration):
    try:
        registration, previous = seats.check_in(registration)
    except seats.RegistrationError as error:
        messages.error(request, f"{registration.full_name} : {error.message}")
    else:
        if previous is not None:
            messages.warning(
                request,
                _("Attention : %(name)s a déjà été pointé·e à %(time)s. Second passage signalé.")
                % {"name": registration.full_name, "time": timezone.localtime(previous).strftime("%H:%M")},
            )
        else:
            messages.success(request, _("%(name)s est pointé·e présent·e.") % {"name": registration.full_name})
    return _back(request, event)


def check_in_list(request, event_id):
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    query = (request.GET.get("q") or "").strip()[:100]
    rows = event.registrations.filter(status__in=Registration.HOLDING).order_by("last_name", "first_name", "pk")
    if query:
        rows = rows.filter(
            Q(last_name__icontains=query) | Q(first_name__icontains=query) | Q(organisation__icontains=query)
        )
    present = event.registrations.filter(status=RegistrationStatus.ATTENDED).count()
    return TemplateResponse(
        request,
        "events/admin/check_in.html",
        {
            "page_title": _("Pointage"),
            "page_subtitle": event.title,
            "header_icon": "tick",
            "event": event,
            "registrations": rows,
            "query": query,
            "present": present,
            "expected": event.seats_taken(),
        },
    )


def _export_rows(request, event):
    rows, _status, _session, _query = _filtered(request, event)
    questions = list(event.questions.all())
    header = [
        _("Prénom"),
        _("Nom"),
        _("Adresse électronique"),
        _("Structure"),
        _("Fonction"),
        _("Commune"),
        _("Statut"),
        _("Sessions"),
        _("Besoins d'accessibilité"),
        *[q.label for q in questions],
        _("Inscrit·e le"),
        _("Pointé·e à"),
    ]

    def records():
        for r in rows:
            yield [
                r.first_name,
                r.last_name,
                r.email,
                r.organisation,
                r.role,
                r.commune.name if r.commune_id else "",
                r.get_status_display(),
                " | ".join(s.title for s in r.sessions.all()),
                r.accessibility_needs,
                *[r.answers.get(q.key, "") for q in questions],
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else "",
            ]

    return header, records()


def export_csv(request, event_id):
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    header, records = _export_rows(request, event)
    return csv_response(header, records, f"inscriptions-{event.slug}.csv")


def export_xlsx(request, event_id):
    _require(request)
    from openpyxl import Workbook

    event = get_object_or_404(EventPage, pk=event_id)
    header, records = _export_rows(request, event)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Inscriptions")[:31])
    sheet.append([safe_cell(cell) for cell in header])
    for record in records:
        # Every cell as text, quoted when it starts like a formula: a name cannot run code in Excel.
        sheet.append([safe_cell(cell) for cell in record])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="inscriptions-{event.slug}.xlsx"'
    return response


def message_attendees(request, event_id):
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    recipients = event.registrations.filter(status__in=Registration.HOLDING).exclude(email="").count()
    if request.method == "POST":
        form = EventMessageForm(request.POST)
        if form.is_valid():
            from events.tasks import send_event_message

            with transaction.atomic():
                message = EventMessage.objects.create(event=event, sent_by=request.user, **form.cleaned_data)
                message_id = message.pk
                transaction.on_commit(lambda: send_event_message.enqueue(message_id))
            messages.success(request, _("Message envoyé à %(n)s personne(s) inscrite(s).") % {"n": recipients})
            return redirect(reverse("events_registrations", args=[event.pk]))
    else:
        form = EventMessageForm()
    return TemplateResponse(
        request,
        "events/admin/message.html",
        {
            "page_title": _("Écrire aux inscrits"),
            "page_subtitle": event.title,
            "header_icon": "mail",
            "event": event,
            "form": form,
            "recipients": recipients,
            "sent": event.messages.all()[:10],
        },
    )
