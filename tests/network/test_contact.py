"""The contact relay: the message reaches the member by email, nobody learns the address, limits hold."""

import pytest
from django.core import mail

from network.factories import MemberFactory
from network.models import ContactMessage

pytestmark = pytest.mark.django_db

URL = "/fr/annuaire/paula-publique/contact/"


def message(**overrides):
    data = {
        "sender_name": "Jean Commerçant",
        "sender_email": "jean@boutique.example",
        "subject": "Votre boutique à l'essai",
        "message": "Bonjour, comment avez-vous choisi le local ?",
    }
    data.update(overrides)
    return data


def test_a_visitor_writes_and_the_member_receives_it_with_reply_to_the_sender(
    client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, message())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Votre message est transmis" in page
    assert people["public"].user.email not in page
    sent = mail.outbox[-1]
    assert sent.to == [people["public"].user.email]
    assert sent.reply_to == ["jean@boutique.example"]
    assert "comment avez-vous choisi le local" in sent.body
    assert "Votre boutique à l'essai" in sent.subject
    log = ContactMessage.objects.get()
    assert (log.recipient, log.sender_email, log.status) == (people["public"], "jean@boutique.example", "sent")


def test_a_member_writes_under_the_account_identity(client, people, django_capture_on_commit_callbacks):
    writer = people["members"]
    client.force_login(writer.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, message(sender_name="Quelqu'un d'autre", sender_email="faux@example.org"))
    assert mail.outbox[-1].reply_to == [writer.user.email]
    assert ContactMessage.objects.get().sender_name == writer.full_name


def test_bad_input_gets_field_errors_and_sends_nothing(client, people):
    response = client.post(URL, message(sender_email="pas-une-adresse", message=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Saisissez une adresse e-mail valide" in html or "adresse électronique valide" in html
    assert not mail.outbox and not ContactMessage.objects.exists()


def test_honeypot_sends_nothing(client, people):
    client.post(URL, message(website="http://spam.example"))
    assert not mail.outbox and not ContactMessage.objects.exists()


def test_a_sender_is_limited_per_hour(client, people, settings, django_capture_on_commit_callbacks):
    settings.NETWORK_CONTACT_PER_SENDER_PER_HOUR = 2
    other = MemberFactory(first_name="Olga", last_name="Autre")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, message()).status_code == 302
        assert client.post(f"/fr/annuaire/{other.slug}/contact/", message()).status_code == 302
        refused = client.post(URL, message(subject="Encore"))
    assert refused.status_code == 429
    assert "trop de messages" in refused.content.decode()
    assert len(mail.outbox) == 2 and ContactMessage.objects.count() == 2


def test_a_recipient_is_limited_per_day(client, people, settings, django_capture_on_commit_callbacks):
    settings.NETWORK_CONTACT_PER_RECIPIENT_PER_DAY = 2
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            response = client.post(
                URL,
                message(sender_email=f"personne{number}@example.org"),
                REMOTE_ADDR=f"10.0.0.{number + 1}",
            )
    assert response.status_code == 429
    assert "a reçu beaucoup de messages" in response.content.decode()
    assert len(mail.outbox) == 2


def test_hidden_members_only_and_opted_out_members_cannot_be_contacted_by_visitors(client, people):
    quiet = MemberFactory(first_name="Quentin", last_name="Silence", accepts_messages=False)
    for slug in ("hugo-masque", "marc-reserve", quiet.slug):
        assert client.post(f"/fr/annuaire/{slug}/contact/", message()).status_code == 404
    assert "Écrire à" not in client.get(f"/fr/annuaire/{quiet.slug}/").content.decode()
    assert not mail.outbox
