"""The organisers' messages to an event's attendees: who receives them, what they read, and the task
that sends them.

The recipients are chosen when the organiser sends (confirmed people — checked-in ones included —,
the waiting list, the confirmed people of one session, or only those checked in) and written down as
one EventMessageDelivery row each, in the transaction that creates the message; the task then sends
every row not yet sent, each under a row lock, so a restarted worker never writes to anyone twice.
"""

import re

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from events.models import EventMessage, EventMessageDelivery, Registration, RegistrationStatus
from hub.emails import build_email, render_email

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
ATTENDED = "attended"
SESSION_PREFIX = "session-"

# A first line that is only a greeting ("Bonjour à toutes et à tous,", "Madame, Monsieur,"): every
# message already opens with "Bonjour <first name>,", so such a line would greet people twice.
_GREETING_WORDS = r"(bonjour|bonsoir|salut|hello|hi|dear|cher|chère|chers|chères|madame|monsieur|mesdames|messieurs)"
# The line ends with "," "!" or ":", or is the greeting word alone: "Bonjour voici le programme" stays.
GREETING = re.compile(rf"^\s*(?:{_GREETING_WORDS}\b[^\n.?]{{0,80}}[,!:]|{_GREETING_WORDS})\s*$", re.IGNORECASE)


def without_greeting(body):
    """The body without a leading greeting line (the template adds one, with the person's name)."""
    text = (body or "").replace("\r\n", "\n").strip("\n")
    first, _sep, rest = text.partition("\n")
    if GREETING.match(first):
        return rest.lstrip("\n")
    return text


def recipient_choices(event):
    """(value, label) for the recipients select, each with how many people it reaches."""
    choices = [
        (CONFIRMED, _("Inscrit·es confirmé·es, présent·es compris (%(n)s)")),
        (WAITLISTED, _("Liste d'attente (%(n)s)")),
        (ATTENDED, _("Présent·es seulement, déjà pointé·es (%(n)s)")),
    ]
    result = [(value, label % {"n": recipients(event, value).count()}) for value, label in choices]
    for session in event.ordered_sessions():
        value = f"{SESSION_PREFIX}{session.pk}"
        result.append(
            (
                value,
                _("Session « %(session)s » : inscrit·es confirmé·es (%(n)s)")
                % {"session": session, "n": recipients(event, value).count()},
            )
        )
    return result


def recipients(event, choice):
    """The registrations a choice reaches (never anonymised ones, never without an address)."""

    people = event.registrations.filter(anonymised_at=None).exclude(email="").order_by("created_at", "pk")
    if choice == CONFIRMED:
        return people.filter(status__in=Registration.HOLDING)
    if choice == WAITLISTED:
        return people.filter(status=RegistrationStatus.WAITLISTED)
    if choice == ATTENDED:
        return people.filter(status=RegistrationStatus.ATTENDED)
    if choice.startswith(SESSION_PREFIX) and choice[len(SESSION_PREFIX) :].isdigit():
        session_id = int(choice[len(SESSION_PREFIX) :])
        return people.filter(status__in=Registration.HOLDING, sessions__pk=session_id).distinct()
    return people.none()


class MessageForm(forms.Form):
    recipients = forms.ChoiceField(label=gettext_lazy("Destinataires"))
    subject = forms.CharField(label=gettext_lazy("Objet"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        help_text=gettext_lazy(
            "Chaque message commence déjà par « Bonjour Prénom, » : inutile d'ajouter une formule d'appel."
        ),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["recipients"].choices = recipient_choices(event)

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject:
            raise forms.ValidationError(_("L'objet tient sur une ligne."))
        return subject.strip()

    def clean_body(self):
        body = without_greeting(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError(_("Écrivez le message lui-même, après la formule d'appel."))
        return body

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("recipients")
        if choice and not recipients(self.event, choice).exists():
            self.add_error("recipients", _("Personne ne recevrait ce message : choisissez d'autres destinataires."))
        return cleaned


def event_link(event, language=None):
    """The event page's address from SITE_BASE_URL (never from the Site record), in `language` when
    translated: every link of an email is absolute under the site's public address."""
    page = event
    if language and language != event.locale.language_code:
        page = event.get_translations().live().filter(locale__language_code=language).first() or event
    parts = page.get_url_parts()
    return settings.SITE_BASE_URL + (parts[2] if parts else "/")


def _context(event, subject, body, registration, private_url):
    return {
        "message": {"subject": subject, "body": body},
        "event": event,
        "registration": registration,
        "sessions": list(registration.sessions.order_by("start", "pk")) if registration.pk else [],
        "private_url": private_url,
        "event_url": event_link(event, translation.get_language()),
    }


def message_email(message, registration):
    """The email one attendee receives, in their language, with their personal link."""
    language = registration.language or "fr"
    event = message.event
    with translation.override(language):
        context = _context(event, message.subject, message.body, registration, registration.private_url(language))
    return build_email(
        to=[registration.email],
        subject=message.subject,
        template="event_message",
        context=context,
        language=language,
        reply_to=[event.organiser_email] if event.organiser_email else None,
    )


def sample_registration(event, user):
    """A registration that is not saved, in the organiser's name, for the preview and the test email."""

    return Registration(event=event, first_name=user.first_name, last_name=user.last_name, email=user.email)


def sample_private_url(event):
    """Where the personal button of a preview points: the event page (each attendee gets their own link)."""
    return event_link(event, translation.get_language())


def preview(event, subject, body, user, language=None):
    """The message rendered exactly as sent (HTML and text), greeting the organiser by name."""
    registration = sample_registration(event, user)
    return render_email(
        "event_message", _context(event, subject, body, registration, sample_private_url(event)), language
    )


def self_test_email(event, subject, body, user):
    """The message sent to the organiser alone, before sending it to everyone."""
    registration = sample_registration(event, user)
    return build_email(
        to=[user.email],
        subject=_("[Test] %(subject)s") % {"subject": subject},
        template="event_message",
        context=_context(event, subject, body, registration, sample_private_url(event)),
        language=translation.get_language(),
        reply_to=[event.organiser_email] if event.organiser_email else None,
    )


def create_message(event, user, subject, body, choice):
    """The message and one delivery row per recipient, then the sending task once committed."""

    with transaction.atomic():
        message = EventMessage.objects.create(event=event, sent_by=user, subject=subject, body=body)
        people = list(recipients(event, choice).values_list("pk", flat=True))
        EventMessageDelivery.objects.bulk_create(
            [EventMessageDelivery(message=message, registration_id=pk) for pk in people]
        )
        message_id = message.pk
        transaction.on_commit(lambda: send_event_message.enqueue(message_id))
    return message, len(people)


@task()
def send_event_message(message_id):
    """Sends an organisers' message to each of its recipients not yet written to; returns how many."""

    message = EventMessage.objects.select_related("event").filter(pk=message_id).first()
    if message is None:
        return 0
    sent = 0
    for delivery_id in message.deliveries.filter(sent_at=None).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            delivery = (
                EventMessageDelivery.objects.select_for_update(of=("self",))
                .select_related("registration")
                .filter(pk=delivery_id, sent_at=None)
                .first()
            )
            if delivery is None:
                continue  # sent meanwhile by another worker
            registration = delivery.registration
            if (
                registration.email
                and registration.anonymised_at is None
                and registration.status != RegistrationStatus.CANCELLED
            ):
                message_email(message, registration).send()
                sent += 1
            # A person who cancelled or was anonymised since is skipped for good, not retried.
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
    return sent
