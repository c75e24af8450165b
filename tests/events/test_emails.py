"""Emails through a real local SMTP server: MJML HTML plus text, .ics attachment, reminders sent once."""

import datetime

import time_machine
from django.core.management import call_command
from icalendar import Calendar

from events import registration as seats
from events.demo import build_index
from events.factories import RegistrationFactory, in_days
from events.models import RegistrationNotice
from events.tasks import send_registration_notice
from tests.events.conftest import person, seats_taken


def subject(message):
    return " ".join(str(message["Subject"]).split())


def parts(message):
    html = message.get_body(preferencelist=("html",)).get_content()
    plain = message.get_body(preferencelist=("plain",)).get_content()
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    return html, plain, attachments


def test_confirmation_arrives_with_html_text_and_an_ics_invitation(
    client, workshop, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{workshop.url}inscription/", person())
    [message] = smtp_inbox.to("camille.martin@mairie-abbeville.fr")
    assert subject(message) == "Inscription confirmée : Atelier vacance commerciale"
    html, plain, attachments = parts(message)
    assert "Votre inscription est confirmée" in html and 'style="' in html  # MJML rendered, CSS inlined
    assert "<mj-" not in html
    assert "Bonjour Camille," in plain and "/fr/evenements/inscription/" in plain
    calendar = Calendar.from_ical(attachments["evenement.ics"].get_content())
    [entry] = calendar.walk("VEVENT")
    registration = workshop.registrations.get()
    assert str(entry["UID"]) == f"registration-{registration.pk}@testserver"
    assert entry.decoded("DTSTART") == workshop.start and entry.decoded("DTEND") == workshop.end


def test_waitlist_notice_then_promotion_email(client, workshop, smtp_inbox, django_capture_on_commit_callbacks):
    RegistrationFactory(event=workshop)
    leaving = RegistrationFactory(event=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{workshop.url}inscription/", person(email="attente@example.fr"))
    [notice] = smtp_inbox.to("attente@example.fr")
    assert subject(notice).startswith("Liste d'attente")
    assert not parts(notice)[2]  # no invitation while waiting
    with django_capture_on_commit_callbacks(execute=True):
        seats.cancel(leaving)
    promotion = smtp_inbox.to("attente@example.fr")[1]
    assert subject(promotion).startswith("Une place s'est libérée")
    assert "evenement.ics" in parts(promotion)[2]


def test_a_notice_is_sent_once_whatever_the_retries(workshop, mailoutbox):
    registration = RegistrationFactory(event=workshop)
    assert send_registration_notice.call(registration.pk, "confirmation") is True
    assert send_registration_notice.call(registration.pk, "confirmation") is False
    assert len(mailoutbox) == 1
    # A notice that no longer fits the status is not sent (cancelled before the task ran).
    registration.status = "cancelled"
    registration.save()
    assert send_registration_notice.call(registration.pk, "reminder") is False


def test_english_registrations_link_to_the_english_agenda(agenda, workshop, mailoutbox):
    build_index(agenda.get_parent())
    registration = RegistrationFactory(event=workshop, language="en")
    send_registration_notice.call(registration.pk, "confirmation")
    assert f"http://testserver/en/events/registration/{registration.token}/" in mailoutbox[0].body


def test_reminders_go_once_to_confirmed_people_of_events_starting_soon(make_event, smtp_inbox):
    soon = make_event(start=in_days(1, hour=14), capacity=10)
    later = make_event(start=in_days(20), capacity=10)
    RegistrationFactory(event=soon, email="confirmee@example.fr")
    RegistrationFactory(event=soon, email="attente@example.fr", status="waitlisted")
    RegistrationFactory(event=soon, email="annulee@example.fr", status="cancelled")
    RegistrationFactory(event=later, email="plus-tard@example.fr")
    with time_machine.travel(soon.start - datetime.timedelta(hours=30), tick=False):
        call_command("send_event_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_event_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m["to"] for m in smtp_inbox.messages] == [["confirmee@example.fr"]]
    assert subject(smtp_inbox.messages[0]["message"]).startswith("Rappel")
    assert RegistrationNotice.objects.filter(kind="reminder").count() == 1


def test_approval_and_refusal_emails(make_event, mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(approval_required=True, capacity=1)
    accepted = RegistrationFactory(event=event, status="pending", email="oui@example.fr")
    refused = RegistrationFactory(event=event, status="pending", email="non@example.fr")
    third = RegistrationFactory(event=event, status="pending", email="trop@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        seats.approve(accepted)
        seats.refuse(refused)
        seats.approve(third)  # full: waiting list
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects["oui@example.fr"].startswith("Inscription acceptée")
    assert subjects["non@example.fr"].startswith("Inscription non retenue")
    assert subjects["trop@example.fr"].startswith("Liste d'attente")
    third.refresh_from_db()
    assert third.status == "waitlisted" and seats_taken(event) == 1
