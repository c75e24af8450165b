"""The attendee's private link: see the registration, change sessions, cancel; the waiting list moves up."""

import datetime

from events.factories import RegistrationFactory
from events.models import Registration
from tests.events.conftest import person, seats_taken, text


def private(registration):
    return f"/fr/evenements/inscription/{registration.token}/"


def cancel(client, registration):
    """The attendee asks to cancel, is asked to confirm, confirms."""
    asked = client.post(private(registration), {"action": "cancel"})
    assert asked.status_code == 302 and asked["Location"] == private(registration) + "annuler/"
    return client.post(asked["Location"], {"confirm": "oui"})


def test_an_unknown_or_anonymised_token_is_not_found(client, workshop):
    assert client.get("/fr/evenements/inscription/pas-un-jeton/").status_code == 404
    gone = RegistrationFactory(event=workshop, email="", first_name="", anonymised_at=workshop.start)
    assert client.get(private(gone)).status_code == 404


def test_tokens_are_long_random_and_unique(workshop):
    first, second = RegistrationFactory(event=workshop), RegistrationFactory(event=workshop)
    assert first.token != second.token and len(first.token) >= 40


def test_the_online_link_is_shown_only_to_confirmed_attendees(client, make_event):
    event = make_event(format="en-ligne", online_url="https://visio.example.org/salle-secrete", venue="", capacity=1)
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    assert "salle-secrete" in text(client.get(private(confirmed)))
    assert "salle-secrete" not in text(client.get(private(waiting)))
    assert "salle-secrete" not in text(client.get(event.url))
    assert "salle-secrete" not in client.get(f"/api/v2/pages/{event.pk}/").content.decode()
    assert "salle-secrete" not in client.get(f"{event.url}evenement.ics").content.decode()


def test_cancelling_frees_the_seat_and_promotes_the_first_waitlisted_person(
    client, workshop, django_capture_on_commit_callbacks, mailoutbox
):
    leaving = RegistrationFactory(event=workshop, email="leaving@example.fr")
    RegistrationFactory(event=workshop)
    RegistrationFactory(
        event=workshop,
        status="waitlisted",
        email="first@example.fr",
        waitlisted_at=workshop.start - datetime.timedelta(days=20),
    )
    second_waiting = RegistrationFactory(
        event=workshop,
        status="waitlisted",
        email="second@example.fr",
        waitlisted_at=workshop.start - datetime.timedelta(days=10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = cancel(client, leaving)
    assert response.status_code == 302 and response["Location"].endswith("?annulee=1")
    assert "Votre inscription est annulée" in text(client.get(response["Location"]))
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses["leaving@example.fr"] == "cancelled"
    assert statuses["first@example.fr"] == "confirmed"
    assert statuses["second@example.fr"] == "waitlisted"
    assert seats_taken(workshop) == 2
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects["leaving@example.fr"].startswith("Inscription annulée")
    assert subjects["first@example.fr"].startswith("Une place s'est libérée")
    assert "second@example.fr" not in subjects
    promotion = next(m for m in mailoutbox if m.to == ["first@example.fr"])
    assert promotion.attachments[0].filename == "evenement.ics"
    # Cancelling twice changes nothing and sends nothing more.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(private(leaving) + "annuler/", {"confirm": "oui"})
    assert mailoutbox == [] and Registration.objects.get(pk=second_waiting.pk).status == "waitlisted"


def test_an_attendee_changes_sessions_within_capacity(client, assises, django_capture_on_commit_callbacks):
    event, sessions = assises
    mine = RegistrationFactory(event=event, sessions=[sessions["a"]])
    RegistrationFactory(event=event, sessions=[sessions["c"]])
    url = private(mine)
    assert "Changer de sessions" in text(client.get(url))
    # Atelier C is full (one seat, taken): refused, nothing changes.
    response = client.post(url, {"action": "sessions", "sessions": [sessions["c"].pk]})
    assert response.status_code == 400 and "Plus de place dans : Atelier C" in text(response)
    assert list(mine.sessions.all()) == [sessions["a"]]
    # Overlapping choice: refused with a field error.
    response = client.post(url, {"action": "sessions", "sessions": [sessions["a"].pk, sessions["b"].pk]})
    assert response.status_code == 400 and "ont lieu en même temps" in text(response)
    # A free session: accepted.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "sessions", "sessions": [sessions["b"].pk, sessions["pleniere"].pk]})
    assert response.status_code == 302
    assert set(mine.sessions.all()) == {sessions["b"], sessions["pleniere"]}


def test_leaving_a_full_session_lets_a_waitlisted_person_in(client, assises, django_capture_on_commit_callbacks):
    event, sessions = assises
    mine = RegistrationFactory(event=event, sessions=[sessions["c"]])
    waiting = RegistrationFactory(event=event, status="waitlisted", sessions=[sessions["c"]], waitlisted_at=event.start)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(private(mine), {"action": "sessions", "sessions": [sessions["a"].pk]})
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert seats_taken(sessions["c"]) == 1


def test_a_cancelled_person_can_register_again_on_the_same_row(
    client, workshop, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{workshop.url}inscription/", person())
    registration = Registration.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, registration)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{workshop.url}inscription/", person())
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed" and Registration.objects.count() == 1
    assert [m.subject.split(" :")[0] for m in mailoutbox] == [
        "Inscription confirmée",
        "Inscription annulée",
        "Inscription confirmée",
    ]
