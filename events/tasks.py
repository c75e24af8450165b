"""Emails of registrations, sent by background tasks that take primary keys and never send twice."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

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
}


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
    }
    return subjects[kind] % {"title": title}


def registration_email(registration, kind):
    """The EmailMultiAlternatives of one notice, in the attendee's language."""
    from events.ics import calendar_bytes

    event = registration.event
    statuses, with_ics = NOTICES[kind]
    language = registration.language or "fr"
    with translation.override(language):
        subject = notice_subject(kind, event.title)
        context = {
            "registration": registration,
            "event": event,
            "sessions": list(registration.sessions.order_by("start", "pk")),
            "private_url": registration.private_url(language),
            "event_url": event.full_url or "",
            "show_online_link": bool(event.online_url) and registration.holds_seat,
            "kind": kind,
        }
        attachments = []
        if with_ics:
            attachments.append(("evenement.ics", calendar_bytes([event], registration=registration), "text/calendar"))
    return build_email(
        to=[registration.email],
        subject=subject,
        template=f"event_{kind}",
        context=context,
        language=language,
        reply_to=[event.organiser_email] if event.organiser_email else None,
        attachments=attachments,
    )


@task()
def send_registration_notice(registration_id, kind):
    """Sends one kind of email for one registration, once: the notice row is checked under a lock."""
    from events.models import Registration, RegistrationNotice

    statuses, _with_ics = NOTICES[kind]
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("event").filter(pk=registration_id).first()
        )
        if registration is None or registration.anonymised_at or not registration.email:
            return False
        if registration.status not in statuses:  # overtaken by events (cancelled before the email left)
            return False
        if RegistrationNotice.objects.filter(registration=registration, kind=kind).exists():
            return False
        registration_email(registration, kind).send()
        RegistrationNotice.objects.create(registration=registration, kind=kind)
    return True


@task()
def send_event_message(message_id):
    """The organisers' message to every confirmed attendee, one delivery row each (restart-safe)."""
    from events.models import EventMessage, EventMessageDelivery, Registration

    message = EventMessage.objects.select_related("event").filter(pk=message_id).first()
    if message is None:
        return 0
    recipients = message.event.registrations.filter(status__in=Registration.HOLDING).exclude(email="")
    EventMessageDelivery.objects.bulk_create(
        [EventMessageDelivery(message=message, registration=r) for r in recipients], ignore_conflicts=True
    )
    sent = 0
    for delivery_id in message.deliveries.filter(sent_at=None).values_list("pk", flat=True):
        with transaction.atomic():
            delivery = (
                EventMessageDelivery.objects.select_for_update()
                .select_related("registration")
                .filter(pk=delivery_id, sent_at=None)
                .first()
            )
            if delivery is None or not delivery.registration.email:
                continue
            registration = delivery.registration
            with translation.override(registration.language or "fr"):
                email = build_email(
                    to=[registration.email],
                    subject=message.subject,
                    template="event_message",
                    context={
                        "message": message,
                        "event": message.event,
                        "registration": registration,
                        "private_url": registration.private_url(),
                        "event_url": message.event.full_url or "",
                    },
                    language=registration.language or "fr",
                    reply_to=[message.event.organiser_email] if message.event.organiser_email else None,
                )
            email.send()
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
            sent += 1
    return sent


@task()
def send_private_link(registration_id):
    """Sends the private link again to someone who tried to register twice (rate-limited by the form)."""
    from events.models import Registration

    registration = Registration.objects.select_related("event").filter(pk=registration_id, anonymised_at=None).first()
    if registration is None or not registration.email:
        return False
    language = registration.language or "fr"
    with translation.override(language):
        subject = _("Votre inscription : %(title)s") % {"title": registration.event.title}
        context = {
            "registration": registration,
            "event": registration.event,
            "sessions": list(registration.sessions.order_by("start", "pk")),
            "private_url": registration.private_url(language),
            "event_url": registration.event.full_url or "",
        }
    build_email(
        to=[registration.email], subject=subject, template="event_link", context=context, language=language
    ).send()
    return True
