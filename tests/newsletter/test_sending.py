"""Sending an issue through a real local SMTP server: everyone once, segments, retries, unsubscribe links."""

import html as htmllib
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hub.models import Thematic
from newsletter.factories import SubscriberFactory
from newsletter.models import Delivery, DeliveryStatus, Subscriber, SubscriberStatus
from newsletter.sending import claim_batch, drain, figures, start_sending

UNSUBSCRIBE = re.compile(r"<https://centralites\.example(/newsletter/desabonnement/([\w-]{43})/)>")


@pytest.fixture
def audience(core_site):
    commerce = Thematic.objects.get(slug="commerce", locale__language_code="fr")
    habitat = Thematic.objects.get(slug="habitat", locale__language_code="fr")
    active = [SubscriberFactory() for _ in range(7)]
    active[0].thematics.set([commerce])
    active[1].thematics.set([commerce, habitat])
    active[2].thematics.set([habitat])
    others = [
        SubscriberFactory(status=status)
        for status in (
            SubscriberStatus.PENDING,
            SubscriberStatus.UNSUBSCRIBED,
            SubscriberStatus.BOUNCED,
            SubscriberStatus.COMPLAINED,
        )
    ]
    return {"active": active, "others": others, "commerce": commerce}


def test_an_issue_reaches_every_active_subscriber_once_with_one_click_unsubscribe(issue, audience, smtp_server):
    call_command("send_newsletter", str(issue.pk), verbosity=0)

    recipients = sorted(r for received in smtp_server.received for r in received.recipients)
    assert recipients == sorted(s.email for s in audience["active"])
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count() == 7

    tokens = set()
    for received in smtp_server.received:
        message = received.message
        subscriber = Subscriber.objects.get(email=received.recipients[0])
        assert message["Subject"].strip() == issue.subject
        assert message["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
        path, token = UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"].strip()).groups()
        assert token == subscriber.token
        tokens.add(token)
        # A visible link in both parts too.
        assert f"https://centralites.example{path}" in received.part("text/plain")
        assert f"https://centralites.example{path}" in received.part("text/html")
        assert "XNL" not in received.data.decode("utf-8", "replace")
    assert len(tokens) == 7  # personal, per subscriber

    # Sending again adds nobody and sends nothing twice.
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    assert len(smtp_server.received) == 7


def test_a_segment_gets_only_the_subscribers_who_chose_its_interests(issue, audience, smtp_server):
    call_command("send_newsletter", str(issue.pk), "--thematique", "commerce", verbosity=0)
    assert sorted(r.recipients[0] for r in smtp_server.received) == sorted(s.email for s in audience["active"][:2])
    # Widening to everyone later sends only to those who did not get it yet.
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    recipients = [r.recipients[0] for r in smtp_server.received]
    assert len(recipients) == len(set(recipients)) == 7


def test_the_one_click_post_needs_no_cookie_answers_200_and_can_be_repeated(issue, audience, smtp_server):
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    received = smtp_server.received[0]
    path, token = UNSUBSCRIBE.fullmatch(received.message["List-Unsubscribe"].strip()).groups()

    provider = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token, like a mail provider
    body = "List-Unsubscribe=One-Click"
    first = provider.post(path, body, content_type="application/x-www-form-urlencoded")
    assert first.status_code == 200 and not first.has_header("Location")
    subscriber = Subscriber.objects.get(token=token)
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    when = subscriber.unsubscribed_at

    second = provider.post(path, body, content_type="application/x-www-form-urlencoded")
    assert second.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED and subscriber.unsubscribed_at == when
    assert figures(issue)["unsubscribed"] == 1

    unknown = provider.post("/newsletter/desabonnement/pas-un-jeton/", body, content_type="text/plain")
    assert unknown.status_code == 410


def test_the_unsubscribe_page_changes_interests_or_unsubscribes(client, audience):
    subscriber = audience["active"][2]
    page = client.get(f"/newsletter/desabonnement/{subscriber.token}/")
    assert page.status_code == 200
    text = htmllib.unescape(page.content.decode())
    assert "Me désabonner" in text and "Choisir mes thèmes et ma langue" in text and subscriber.email in text

    saved = client.post(
        f"/newsletter/desabonnement/{subscriber.token}/",
        {"action": "preferences", "language": "en", "programmes": ["acv"], "thematics": ["mobilites"]},
    )
    # Answered in the language just chosen.
    assert saved.status_code == 200 and "Preferences saved" in htmllib.unescape(saved.content.decode())
    subscriber.refresh_from_db()
    assert subscriber.language == "en" and subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.interest_slugs() == {"programmes": ["acv"], "thematics": ["mobilites"]}

    bad = client.post(f"/newsletter/desabonnement/{subscriber.token}/", {"action": "preferences", "language": "xx"})
    assert "Select a valid choice" in htmllib.unescape(bad.content.decode())  # the page speaks their language
    subscriber.refresh_from_db()
    assert subscriber.language == "en"

    left = client.post(f"/newsletter/desabonnement/{subscriber.token}/", {"action": "unsubscribe"})
    assert left.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_a_refusing_server_makes_the_batch_wait_then_the_send_resumes(issue, audience, smtp_server, settings):
    smtp_server.refuse_next = 3
    call_command("send_newsletter", str(issue.pk), verbosity=0)

    assert smtp_server.refused == 3
    recipients = [r.recipients[0] for r in smtp_server.received]
    assert sorted(recipients) == sorted(s.email for s in audience["active"])  # each exactly once
    deliveries = Delivery.objects.filter(issue=issue)
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Three refused attempts, retried after the backoff, then one accepted attempt per row.
    assert sum(deliveries.values_list("attempts", flat=True)) == 7 + 3
    assert max(deliveries.values_list("attempts", flat=True)) > 1


def test_a_server_that_keeps_refusing_ends_in_failed_rows(issue, audience, smtp_server, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    smtp_server.refuse_next = 1000
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    assert not smtp_server.received
    state = figures(issue)
    assert state["failed"] == 7 and state["sent"] == 0 and not state["running"]
    assert "451" in Delivery.objects.filter(issue=issue).first().error


def test_someone_who_leaves_before_their_turn_is_not_sent_to(issue, audience, smtp_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    start_sending(issue)
    leaving = audience["active"][3]
    Subscriber.objects.filter(pk=leaving.pk).update(status=SubscriberStatus.UNSUBSCRIBED)

    drain(issue.pk)
    assert leaving.email not in [r.recipients[0] for r in smtp_server.received]
    assert len(smtp_server.received) == 6
    assert Delivery.objects.get(subscriber=leaving).status == DeliveryStatus.FAILED


def test_sending_is_throttled_by_the_setting(issue, audience, smtp_server, settings):
    settings.NEWSLETTER_MAX_PER_SECOND = 20
    started = time.monotonic()
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    assert len(smtp_server.received) == 7
    assert time.monotonic() - started >= 6 / 20


def test_rows_left_sending_by_a_dead_worker_are_claimed_again_after_the_timeout(issue, audience, settings):
    settings.NEWSLETTER_SENDING_TIMEOUT = 60
    for subscriber in audience["active"][:3]:
        Delivery.objects.create(issue=issue, subscriber=subscriber)
    _claim, first = claim_batch(issue.pk, size=2)
    assert len(first) == 2
    # Another worker, now: only the row nobody holds.
    _claim, second = claim_batch(issue.pk, size=10)
    assert [r["pk"] for r in second] == [Delivery.objects.order_by("pk").last().pk]
    # Two minutes later the first worker is presumed dead: its rows are claimed again.
    later = timezone.now() + timezone.timedelta(seconds=120)
    _claim, third = claim_batch(issue.pk, size=10, now=later)
    assert sorted(r["pk"] for r in third) == sorted(r["pk"] for r in first + second)
