"""Subscribing: the form on the archive page and in the footer, double opt-in, consent proof, bad input."""

import datetime
import html as htmllib
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from newsletter.models import Subscriber, SubscriberStatus

ARCHIVE = "/fr/newsletter/"


def page_text(response):
    return htmllib.unescape(response.content.decode())


def form_data(**overrides):
    data = {
        "email": "Camille.Martin@Mairie-Doullens.fr",
        "language": "fr",
        "programmes": ["pvd"],
        "thematics": ["commerce", "habitat"],
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def confirmation_link(message_text):
    match = re.search(r"https://centralites\.example(/newsletter/confirmer/[\w-]+/)", message_text)
    assert match, message_text
    return match.group(1)


def test_double_opt_in_from_the_archive_page_with_consent_proof(client, archive, smtp_server):
    page = client.get(ARCHIVE)
    assert page.status_code == 200
    html = page_text(page)
    assert 'id="inscription"' in html and 'name="email"' in html and 'name="pied-email"' in html

    response = client.post(
        "/newsletter/inscription/", form_data(), HTTP_USER_AGENT="Firefox de test", REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 303
    assert response["Location"] == f"{ARCHIVE}?inscription=merci#inscription"
    assert "Vérifiez votre messagerie" in page_text(client.get(response["Location"]))

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "camille.martin@mairie-doullens.fr"
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.consent_ip == "203.0.113.7"
    assert subscriber.consent_user_agent == "Firefox de test"
    assert subscriber.consent_source == "page"
    assert subscriber.consent_wording == "2026-11"
    assert subscriber.consent_at is not None and subscriber.confirmed_at is None
    assert subscriber.interest_slugs() == {"programmes": ["pvd"], "thematics": ["commerce", "habitat"]}

    # The confirmation email reached a real SMTP server, with an HTML part and a text part.
    [received] = smtp_server.to("camille.martin@mairie-doullens.fr")
    assert "Confirmez votre inscription" in received.message["Subject"]
    link = confirmation_link(received.part("text/plain"))
    assert link in received.part("text/html")

    # Following the link shows a button (mail scanners that open links confirm nothing); posting confirms.
    assert "Confirmer mon inscription" in page_text(client.get(link))
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    confirmed = client.post(link)
    assert confirmed.status_code == 200 and "Inscription confirmée" in page_text(confirmed)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE and subscriber.confirmed_at is not None

    # The link works once.
    again = client.post(link)
    assert again.status_code == 410 and "n'est plus valable" in page_text(again)


def test_the_footer_form_subscribes_from_any_page_in_english(client, archive, core_site):
    home = page_text(client.get("/fr/"))
    assert 'name="pied-email"' in home and "Lettre d'information" in home
    data = {f"pied-{key}": value for key, value in form_data(email="alex@example.org", language="en").items()}
    response = client.post("/newsletter/inscription/", data)
    assert response.status_code == 303
    subscriber = Subscriber.objects.get(email="alex@example.org")
    assert subscriber.consent_source == "footer" and subscriber.language == "en"
    [message] = mail.outbox
    assert message.to == ["alex@example.org"] and subscriber.confirmation_token in message.body


def test_the_confirmation_link_expires_after_seven_days(client, archive):
    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.UTC), tick=False):
        client.post("/newsletter/inscription/", form_data())
    link = confirmation_link(mail.outbox[0].body)
    with time_machine.travel(datetime.datetime(2026, 11, 8, 11, tzinfo=datetime.UTC), tick=False):
        expired = client.post(link)
    assert expired.status_code == 410 and "expiré" in page_text(expired)
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


def test_subscribing_again_never_reveals_whether_the_address_is_known(client, archive):
    known = client.post("/newsletter/inscription/", form_data())
    client.post(confirmation_link(mail.outbox[0].body))
    mail.outbox.clear()

    again = client.post("/newsletter/inscription/", form_data(programmes=[], thematics=[]))
    unknown = client.post("/newsletter/inscription/", form_data(email="personne@exemple.test"))
    assert again.status_code == unknown.status_code == known.status_code == 303
    assert again["Location"] == unknown["Location"]
    for response in (again, unknown):
        assert "Vérifiez votre messagerie" in page_text(client.get(response["Location"]))

    # The subscriber keeps their interests (a stranger cannot change them) and is told by email only.
    subscriber = Subscriber.objects.get(email="camille.martin@mairie-doullens.fr")
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.interest_slugs()["thematics"] == ["commerce", "habitat"]
    notices = [m for m in mail.outbox if m.to == ["camille.martin@mairie-doullens.fr"]]
    assert len(notices) == 1 and "déjà abonné" in notices[0].subject
    assert subscriber.token in notices[0].body


def test_a_person_who_left_can_come_back_through_a_new_confirmation(client, archive):
    client.post("/newsletter/inscription/", form_data())
    client.post(confirmation_link(mail.outbox[-1].body))
    subscriber = Subscriber.objects.get()
    client.post(f"/newsletter/desabonnement/{subscriber.token}/", {"List-Unsubscribe": "One-Click"})
    # The next day (one confirmation email per address per day).
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=timezone.now() - datetime.timedelta(days=1))
    client.post("/newsletter/inscription/", form_data())
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED  # until the new link is followed
    client.post(confirmation_link(mail.outbox[-1].body))
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE and subscriber.unsubscribed_at is None


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"email": "pas-une-adresse"}, "n'est pas valide"),
        ({"email": ""}, "Indiquez votre adresse électronique."),
        ({"consent": ""}, "Cochez cette case pour vous abonner."),
        ({"language": "de"}, "Sélectionnez un choix valide"),
        ({"thematics": ["inconnue"]}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_french_field_error_and_saves_nothing(client, archive, bad, message):
    response = client.post("/newsletter/inscription/", form_data(**bad))
    assert response.status_code == 200
    html = page_text(response)
    assert message in html and "fr-error-text" in html
    assert not Subscriber.objects.exists() and not mail.outbox


def test_the_archive_page_itself_accepts_the_form_when_the_endpoint_is_not_mounted(client, archive):
    response = client.post(ARCHIVE, form_data(email=""))
    assert response.status_code == 200 and "Indiquez votre adresse électronique." in page_text(response)
    response = client.post(ARCHIVE, form_data())
    assert response.status_code == 303 and Subscriber.objects.count() == 1


def test_the_honeypot_and_the_rate_limit(client, archive, settings, still_clock):
    settings.NEWSLETTER_SUBSCRIBE_RATE = "3/m"
    trapped = client.post("/newsletter/inscription/", form_data(website="http://spam.example"))
    assert "Votre envoi n'a pas pu être accepté." in page_text(trapped)
    assert not Subscriber.objects.exists()

    for number in range(2):
        client.post("/newsletter/inscription/", form_data(email=f"a{number}@exemple.test"))
    limited = client.post("/newsletter/inscription/", form_data(email="trop@exemple.test"))
    assert limited.status_code == 429 and "Trop de demandes" in page_text(limited)
    assert not Subscriber.objects.filter(email="trop@exemple.test").exists()
