"""Organiser tools in the Wagtail admin: registrations per event, decisions, check-in, exports, messages.

"Présent·e" is a state of a confirmed registration: the stored status `attended` counts as confirmed in
the filters, the counts and the exports, and a check-in can be undone (back to `confirmed`).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from events import exports, messaging
from events import registration as seats
from events.models import EventPage, Registration, RegistrationStatus
from events.viewsets import can_manage, status_filter

SEARCH_LENGTH = 100


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


def _search(registrations, query, with_email=True):
    if not query:
        return registrations
    condition = Q(last_name__icontains=query) | Q(first_name__icontains=query) | Q(organisation__icontains=query)
    if with_email:
        condition |= Q(email__icontains=query)
    return registrations.filter(condition)


def _query(request):
    return (request.GET.get("q") or "").replace("\x00", "").strip()[:SEARCH_LENGTH]


def _session(request, event):
    """The session chosen in the query string, as a string pk ("" when none or not one of this event's)."""
    value = request.GET.get("session", "")
    if value.isdigit() and event.sessions.filter(pk=int(value)).exists():
        return value
    return ""


def _filtered(request, event):
    registrations = (
        event.registrations.select_related("commune").prefetch_related("sessions").order_by("created_at", "pk")
    )
    status = request.GET.get("statut", "")
    status = status if status in RegistrationStatus.values else ""
    registrations = status_filter(registrations, status)
    session = _session(request, event)
    if session:
        registrations = registrations.filter(sessions__pk=int(session))
    query = _query(request)
    registrations = _search(registrations, query)
    return registrations, status, session, query


def _counts(event):
    rows = dict(event.registrations.values_list("status").annotate(n=Count("pk")).order_by())
    labels = {
        RegistrationStatus.CONFIRMED: _("confirmées, présent·es compris"),
        RegistrationStatus.ATTENDED: _("présent·es (pointé·es)"),
    }
    counts = []
    for value, label in RegistrationStatus.choices:
        n = rows.get(value, 0)
        if value == RegistrationStatus.CONFIRMED:
            n += rows.get(RegistrationStatus.ATTENDED, 0)
        counts.append((value, labels.get(value, label), n))
    return counts


def _export_query(event, status, session, query):
    """The registrations viewset's filters for what this page shows (its exports are that table)."""

    params = {"event": event.pk, "status": status, "session": session, "q": query}
    return urlencode({key: value for key, value in params.items() if value})


def _answers(registration, questions):
    """(label, text) of each answer, in the questions' order; an answer to a deleted question keeps its key."""
    labels = {q.key: q.label for q in questions}
    answers = registration.answers or {}
    ordered = [key for key in labels if key in answers] + [key for key in answers if key not in labels]
    return [(labels.get(key, key), exports.answer_text(answers[key])) for key in ordered]


def registrations(request, event_id):
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    rows, status, session, query = _filtered(request, event)
    sessions = list(event.ordered_sessions())
    questions = list(event.questions.all())
    rows = list(rows)
    for row in rows:
        row.answer_items = _answers(row, questions)
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
            "seats_taken": event.seats_taken,
            "sessions": [(s, s.seats_taken) for s in sessions],
            "statuses": [(value, label) for value, label, _n in _counts(event)],
            "status": status,
            "session": session,
            "query": query,
            "export_query": _export_query(event, status, session, query),
            "questions": questions,
            "can_edit_event": event.permissions_for_user(request.user).can_edit(),
        },
    )


def _back(request, event):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("events_registrations", args=[event.pk]))


@transaction.atomic
def undo_check_in(registration):
    """Back to confirmed, as if never checked in (the seat stays taken: nothing to promote)."""
    seats.lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.ATTENDED:
        raise seats.RegistrationError(_("Cette personne n'est pas pointée présente."))
    registration.status = RegistrationStatus.CONFIRMED
    registration.checked_in_at = None
    registration.save(update_fields=["status", "checked_in_at", "updated_at"])
    return registration


ACTIONS = {
    "approve": (seats.approve, gettext_lazy("Inscription de %(name)s acceptée.")),
    "refuse": (seats.refuse, gettext_lazy("Inscription de %(name)s refusée.")),
    "promote": (seats.promote, gettext_lazy("%(name)s passe de la liste d'attente aux inscrits.")),
    "cancel": (lambda r: seats.cancel(r, reason="organiser"), gettext_lazy("Inscription de %(name)s annulée.")),
    "uncheckin": (undo_check_in, gettext_lazy("Pointage de %(name)s annulé : inscription confirmée.")),
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
    """The confirmed people (checked in or not) of the event or of one session, searchable by name."""
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    query = _query(request)
    session = _session(request, event)
    expected = event.registrations.filter(status__in=Registration.HOLDING)
    if session:
        expected = expected.filter(sessions__pk=int(session))
    rows = _search(expected, query, with_email=False).order_by("last_name", "first_name", "pk")
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
            "session": session,
            "sessions": list(event.ordered_sessions()),
            "present": expected.filter(status=RegistrationStatus.ATTENDED).count(),
            "expected": expected.count(),
        },
    )


def message_attendees(request, event_id):
    """Write to the attendees: choose who, preview, send a test to oneself, then send to everyone."""
    _require(request)
    event = get_object_or_404(EventPage, pk=event_id)
    rendered = None
    if request.method == "POST":
        form = messaging.MessageForm(request.POST, event=event)
        action = request.POST.get("action", "send")
        if form.is_valid():
            data = form.cleaned_data
            if action == "preview":
                rendered = messaging.preview(
                    event, data["subject"], data["body"], request.user, translation.get_language()
                )
            elif action == "test":
                if not request.user.email:
                    form.add_error(None, _("Votre compte n'a pas d'adresse électronique : ajoutez-en une."))
                else:
                    messaging.self_test_email(event, data["subject"], data["body"], request.user).send()
                    messages.success(request, _("Message de test envoyé à %(email)s.") % {"email": request.user.email})
                    rendered = messaging.preview(
                        event, data["subject"], data["body"], request.user, translation.get_language()
                    )
            else:
                _message, count = messaging.create_message(
                    event, request.user, data["subject"], data["body"], data["recipients"]
                )
                messages.success(
                    request,
                    translation.ngettext("Message envoyé à %(n)s personne.", "Message envoyé à %(n)s personnes.", count)
                    % {"n": count},
                )
                return redirect(reverse("events_registrations", args=[event.pk]))
    else:
        initial = {"recipients": request.GET.get("destinataires", messaging.CONFIRMED)}
        form = messaging.MessageForm(initial=initial, event=event)
    return TemplateResponse(
        request,
        "events/admin/message.html",
        {
            "page_title": _("Écrire aux inscrits"),
            "page_subtitle": event.title,
            "header_icon": "mail",
            "event": event,
            "form": form,
            "rendered": rendered,
            "sent": event.messages.annotate(
                recipients=Count("deliveries"),
                delivered=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False)),
            )[:10],
        },
    )
