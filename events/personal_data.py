"""Registrations' personal data: export for one person, anonymisation on request or after retention."""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from events.models import CancelReason, Registration, RegistrationStatus
from events.registration import cancel

BLANKED = {
    "first_name": "",
    "last_name": "",
    "email": "",
    "organisation": "",
    "role": "",
    "accessibility_needs": "",
    "answers": {},
    "commune": None,
    "user": None,
}


def registrations_of(user):
    """The registrations linked to the account or made with its address."""

    condition = Q(user=user)
    if getattr(user, "email", ""):
        condition |= Q(email=user.email.strip().lower())
    return Registration.objects.filter(condition, anonymised_at=None)


def export_for(user):
    rows = []
    for registration in registrations_of(user).select_related("event", "commune").prefetch_related("sessions"):
        rows.append(
            {
                "evenement": registration.event.title,
                "date": registration.event.start.isoformat(),
                "adresse_page": registration.event.absolute_url(registration.language or "fr"),
                "statut": registration.status,
                "prenom": registration.first_name,
                "nom": registration.last_name,
                "email": registration.email,
                "structure": registration.organisation,
                "fonction": registration.role,
                "commune": registration.commune.name if registration.commune_id else "",
                "sessions": [s.title for s in registration.sessions.all()],
                "reponses": registration.answers,
                "besoins_accessibilite": registration.accessibility_needs,
                "consentement": registration.consent_at.isoformat() if registration.consent_at else None,
                "inscrit_le": registration.created_at.isoformat(),
                "pointe_le": registration.checked_in_at.isoformat() if registration.checked_in_at else None,
            }
        )
    return {"inscriptions_evenements": rows}


def anonymise(queryset, now=None):
    """Blanks names, addresses, answers and needs; keeps status and sessions so the counts stay right.

    First, registrations to events still to come are cancelled (their seats go to the waiting list, in
    order), and requests still pending or waiting of past events are closed: nobody anonymous is left
    for an organiser to accept or promote. No email leaves: the address is blank by the time the
    cancellation's task runs."""

    now = now or timezone.now()
    queryset = queryset.filter(anonymised_at=None)
    for registration in queryset.filter(status__in=Registration.ACTIVE, event__start__gt=now).order_by("pk"):
        cancel(registration, reason=CancelReason.ATTENDEE)
    queryset.filter(status__in=[RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED]).update(
        status=RegistrationStatus.CANCELLED, cancel_reason=CancelReason.ATTENDEE, cancelled_at=now
    )
    return queryset.update(**BLANKED, anonymised_at=now)


def retention_months():
    return settings.EVENTS_PERSONAL_DATA_RETENTION_MONTHS


def retention_cutoff(now=None):
    """Events that ended before this moment are past the retention period."""
    now = now or timezone.now()
    months = retention_months()
    year, month = divmod(now.month - 1 - months, 12)
    year += now.year
    month += 1
    day = min(
        now.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return now.replace(year=year, month=month, day=day)


def expired_registrations(now=None):
    return Registration.objects.filter(anonymised_at=None, event__end__lt=retention_cutoff(now))
