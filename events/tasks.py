"""Emails of registrations, sent by background tasks that take primary keys and never send twice."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from events.apps import ORGANISERS_GROUP
from events.ics import registration_calendar
from events.models import EventSession, Registration, RegistrationNotice
from hub.emails import build_email

# kind → (statuses in which it still makes sense to send it, attach the .ics)
NOTICES = {
    "confirmation": (("confirmed", "attended"), True),
    "waitlist": (("waitlisted",), False),
    "pending": (("pending",), False),
    "promotion": (("confirmed", "attended"), True),
    "approval": (("confirmed", "attended"), True),
    "refusal": (("cancelled",), False),
    "cancellation": (("cancelled",), False),
    "reminder": (("confirmed",), True),
    # "sessions-<n>": the sessions changed (n = the registration's calendar_sequence then).
    "sessions": (("confirmed", "attended", "waitlisted", "pending"), True),
}
# Notices that put the event in the attendee's calendar (a later cancellation removes it).
CALENDAR_NOTICES = ("confirmation", "promotion", "approval", "reminder")


def notice_family(kind):
    return kind.partition("-")[0] if kind.startswith("sessions-") else kind


def notice_subject(kind, title):
    subjects = {
        "confirmation": _("Inscription confirmée : %(title)s"),
        "waitlist": _("Liste d'attente : %(title)s"),
        "pending": _("Demande d'inscription reçue : %(title)s"),
        "promotion": _("Une place s'est libérée : %(title)s"),
        "approval": _("Inscription acceptée : %(title)s"),
        "refusal": _("Inscription non retenue : %(title)s"),
        "cancellation": _("Inscription annulée : %(title)s"),
        "reminder": _("Rappel : %(title)s"),
        "sessions": _("Sessions modifiées : %(title)s"),
    }
    return subjects[notice_family(kind)] % {"title": title}


def display_sessions(registration, display, sessions=None):
    """The registration's sessions (French rows, which hold the seats) titled in the page's language."""
    titles = (
        dict(display.sessions.values_list("translation_key", "title")) if display.pk != registration.event_id else {}
    )
    sessions = list(registration.sessions.order_by("start", "pk")) if sessions is None else sessions
    for session in sessions:
        session.title = titles.get(session.translation_key, session.title)
    return sessions


def had_calendar(registration):
    notices = RegistrationNotice.objects.filter(registration=registration)
    return notices.filter(kind__in=CALENDAR_NOTICES).exists() or notices.filter(kind__startswith="sessions-").exists()


def registration_email(registration, kind, dropped=()):
    """The EmailMultiAlternatives of one notice, in the attendee's language, its links from SITE_BASE_URL."""

    event = registration.event
    family = notice_family(kind)
    _statuses, with_ics = NOTICES[family]
    language = registration.language or "fr"
    with translation.override(language):
        display = event.in_language(language)
        subject = notice_subject(kind, display.title)
        sessions = display_sessions(registration, display)
        context = {
            "registration": registration,
            "event": display,
            "sessions": sessions,
            "private_url": registration.private_url(language),
            "event_url": display.absolute_url(),
            "show_online_link": bool(event.online_url) and registration.holds_seat,
            "kind": family,
        }
        attachments = []
        if with_ics and registration.holds_seat:
            content = registration_calendar(registration, sessions=sessions, display=display)
            attachments.append(("evenement.ics", content, "text/calendar"))
        if family == "sessions" and dropped and registration.holds_seat:
            removed = display_sessions(registration, display, list(EventSession.objects.filter(pk__in=dropped)))
            content = registration_calendar(registration, sessions=removed, cancel=True, display=display)
            attachments.append(("sessions-annulees.ics", content, "text/calendar"))
        if family == "cancellation" and had_calendar(registration):
            content = registration_calendar(registration, sessions=sessions, cancel=True, display=display)
            attachments.append(("annulation.ics", content, "text/calendar"))
    return build_email(
        to=[registration.email],
        subject=subject,
        template=f"event_{family}",
        context=context,
        language=language,
        reply_to=[event.organiser_email] if event.organiser_email else None,
        attachments=attachments,
    )


@task()
def send_registration_notice(registration_id, kind, dropped=None):
    """Sends one kind of email for one registration, once: the notice row is checked under a lock."""

    statuses, _with_ics = NOTICES[notice_family(kind)]
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None or registration.anonymised_at or not registration.email:
            return False
        if registration.status not in statuses:  # overtaken by events (cancelled before the email left)
            return False
        if RegistrationNotice.objects.filter(registration=registration, kind=kind).exists():
            return False
        registration_email(registration, kind, dropped or ()).send()
        RegistrationNotice.objects.create(registration=registration, kind=kind)
    return True


def organisers_of(event):
    """Who is told of a registration awaiting approval: the active members of the organisers' group and
    the users given the right to manage registrations (superusers only through those), plus the page's
    owner when they hold that right."""

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    permission = (
        Q(groups__name=ORGANISERS_GROUP)
        | Q(user_permissions__codename="manage_registrations", user_permissions__content_type__app_label="events")
        | Q(groups__permissions__codename="manage_registrations", groups__permissions__content_type__app_label="events")
    )
    chosen = list(users.filter(permission).distinct().order_by("pk"))
    owner = event.owner
    if owner is not None and owner.is_active and owner.email and owner not in chosen:
        if owner.has_perm("events.manage_registrations"):
            chosen.append(owner)
    return chosen


@task()
def send_pending_to_organisers(registration_id):
    """Tells the organisers that a registration awaits their approval (one email each, in French, the
    admin's language), with an absolute link to the event's pending registrations."""

    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None or registration.status != "pending" or not registration.email:
            return 0
        if RegistrationNotice.objects.filter(registration=registration, kind="organisers").exists():
            return 0
        event = registration.event
        admin_url = settings.SITE_BASE_URL + reverse("events_registrations", args=[event.pk])
        admin_url += "?statut=pending"
        sent = 0
        for organiser in organisers_of(event):
            with translation.override("fr"):
                email = build_email(
                    to=[organiser.email],
                    subject=_("Inscription à valider : %(title)s") % {"title": event.title},
                    template="event_pending_organisers",
                    context={
                        "registration": registration,
                        "event": event,
                        "organiser": organiser,
                        "admin_url": admin_url,
                        "event_url": event.absolute_url(),
                    },
                    language="fr",
                )
            sent += email.send()
        RegistrationNotice.objects.create(registration=registration, kind="organisers")
    return sent


@task()
def send_private_link(registration_id):
    """Sends the private link again to someone who tried to register twice (rate-limited by the form)."""

    registration = Registration.objects.select_related("event").filter(pk=registration_id, anonymised_at=None).first()
    if registration is None or not registration.email:
        return False
    language = registration.language or "fr"
    with translation.override(language):
        display = registration.event.in_language(language)
        subject = _("Votre inscription : %(title)s") % {"title": display.title}
        context = {
            "registration": registration,
            "event": display,
            "sessions": display_sessions(registration, display),
            "private_url": registration.private_url(language),
            "event_url": display.absolute_url(),
        }
    build_email(
        to=[registration.email], subject=subject, template="event_link", context=context, language=language
    ).send()
    return True
