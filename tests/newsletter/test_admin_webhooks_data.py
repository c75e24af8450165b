"""Bounce/complaint webhooks, the admin's send page and figures, the managers' group, personal data, demo."""

import base64
import html as htmllib
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail import hooks

from hub.models import Programme
from newsletter.apps import MANAGERS_GROUP, ensure_managers_group
from newsletter.demo import load_demo
from newsletter.factories import NewsletterIssuePageFactory, SubscriberFactory
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    NewsletterIndexPage,
    NewsletterIssuePage,
    Subscriber,
    SubscriberStatus,
)
from newsletter.sending import figures

AUTH = "HTTP_AUTHORIZATION", "Basic " + base64.b64encode(b"anymail:secret-de-test").decode()


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "anymail:secret-de-test"}


@pytest.fixture
def sent_issue(issue, smtp_server):
    subscribers = [SubscriberFactory() for _ in range(3)]
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    return issue, subscribers


def test_a_brevo_hard_bounce_marks_the_address_and_the_next_issue_skips_it(
    client, sent_issue, webhook_secret, archive, smtp_server
):
    issue, (bouncing, soft, _other) = sent_issue
    events = [
        {"event": "hard_bounce", "email": bouncing.email.upper(), "ts_epoch": 1795000000000, "message-id": "<a@b>"},
        {"event": "soft_bounce", "email": soft.email, "ts_epoch": 1795000000000, "message-id": "<c@d>"},
    ]
    for event in events:
        response = client.post(
            "/newsletter/webhooks/brevo/tracking/", json.dumps(event), content_type="application/json", **dict([AUTH])
        )
        assert response.status_code == 200
    bouncing.refresh_from_db()
    soft.refresh_from_db()
    assert bouncing.status == SubscriberStatus.BOUNCED and soft.status == SubscriberStatus.ACTIVE
    assert figures(issue)["bounced"] == 1

    following = NewsletterIssuePageFactory(parent=archive, slug="2026-12")
    smtp_server.received.clear()
    call_command("send_newsletter", str(following.pk), verbosity=0)
    assert bouncing.email not in [r.recipients[0] for r in smtp_server.received]
    assert len(smtp_server.received) == 2


def test_a_mailjet_spam_complaint_marks_the_address(client, sent_issue, webhook_secret):
    issue, (complaining, *_rest) = sent_issue
    payload = [{"event": "spam", "email": complaining.email, "time": 1795000000, "MessageID": 1234}]
    response = client.post(
        "/newsletter/webhooks/mailjet/tracking/", json.dumps(payload), content_type="application/json", **dict([AUTH])
    )
    assert response.status_code == 200
    complaining.refresh_from_db()
    assert complaining.status == SubscriberStatus.COMPLAINED
    assert figures(issue)["complained"] == 1


def test_webhooks_refuse_posts_without_the_secret(client, sent_issue, settings):
    _issue, (subscriber, *_rest) = sent_issue
    event = json.dumps({"event": "hard_bounce", "email": subscriber.email})
    settings.ANYMAIL = {}
    assert client.post("/newsletter/webhooks/brevo/tracking/", event, content_type="application/json").status_code in (
        404,
        302,
    )
    settings.ANYMAIL = {"WEBHOOK_SECRET": "anymail:secret-de-test"}
    wrong = "Basic " + base64.b64encode(b"anymail:devine").decode()
    response = client.post(
        "/newsletter/webhooks/brevo/tracking/", event, content_type="application/json", HTTP_AUTHORIZATION=wrong
    )
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE


def test_the_send_page_shows_figures_and_a_progress_bar_while_sending(client, issue, django_user_model, core_site):
    ensure_managers_group()
    manager = django_user_model.objects.create_user("gestion", "gestion@centralites.example", "mot-de-passe-solide")
    manager.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(manager)
    subscribers = [SubscriberFactory() for _ in range(4)]
    now = timezone.now()
    Delivery.objects.create(issue=issue, subscriber=subscribers[0], status=DeliveryStatus.SENT, sent_at=now)
    Delivery.objects.create(issue=issue, subscriber=subscribers[1], status=DeliveryStatus.FAILED, error="550")
    Delivery.objects.create(issue=issue, subscriber=subscribers[2])
    Delivery.objects.create(issue=issue, subscriber=subscribers[3], status=DeliveryStatus.SENT, sent_at=now)
    Subscriber.objects.filter(pk=subscribers[3].pk).update(
        status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=now + timezone.timedelta(hours=1)
    )

    page = htmllib.unescape(client.get(f"/admin/lettre/numero/{issue.pk}/").content.decode())
    assert '<progress id="newsletter-progress" max="100" value="75"' in page
    assert "Envoi en cours" in page
    progress = client.get(f"/admin/lettre/numero/{issue.pk}/progression/").json()
    assert progress == {
        "total": 4,
        "queued": 1,
        "sending": 0,
        "sent": 2,
        "failed": 1,
        "bounced": 0,
        "complained": 0,
        "unsubscribed": 1,
        "running": True,
        "percent": 75,
    }
    overview = client.get("/admin/lettre/")
    assert overview.status_code == 200 and issue.title in htmllib.unescape(overview.content.decode())


def test_the_admin_send_action_with_a_segment(client, issue, django_user_model, core_site, smtp_server):
    ensure_managers_group()
    manager = django_user_model.objects.create_user("gestion", "gestion@centralites.example", "mot-de-passe-solide")
    manager.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    editor = django_user_model.objects.create_user("redac", "redac@centralites.example", "mot-de-passe-solide")
    editor.groups.add(Group.objects.get(name="Editors"))
    pvd = Programme.objects.get(slug="pvd", locale__language_code="fr")
    follower, _other = SubscriberFactory(), SubscriberFactory()
    follower.programmes.set([pvd])

    client.force_login(editor)
    assert client.post(f"/admin/lettre/numero/{issue.pk}/", {"action": "send", "confirm": "on"}).status_code in (
        302,
        403,
    )
    assert not Delivery.objects.exists()

    client.force_login(manager)
    unconfirmed = client.post(f"/admin/lettre/numero/{issue.pk}/", {"action": "send", "programmes": [pvd.pk]})
    assert "Cochez la confirmation" in htmllib.unescape(unconfirmed.content.decode())
    assert not Delivery.objects.exists()
    response = client.post(
        f"/admin/lettre/numero/{issue.pk}/", {"action": "send", "programmes": [pvd.pk], "confirm": "on"}
    )
    assert response.status_code == 302
    assert [r.recipients for r in smtp_server.received] == [[follower.email]]


def test_the_managers_group_is_created_once_with_its_permissions(db):
    first = ensure_managers_group()
    second = ensure_managers_group()
    assert first.pk == second.pk and Group.objects.filter(name=MANAGERS_GROUP).count() == 1
    codenames = set(first.permissions.values_list("codename", flat=True))
    assert {"send_newsletter", "view_subscriber", "change_subscriber", "access_admin"} <= codenames


def test_personal_data_export_and_erasure_hooks(db, django_user_model, issue, smtp_server):
    user = django_user_model.objects.create_user("camille", "Camille@Mairie.example", "mot-de-passe-solide")
    subscriber = SubscriberFactory(email="camille@mairie.example", consent_ip="203.0.113.9")
    call_command("send_newsletter", str(issue.pk), verbosity=0)

    [export] = [fn(user) for fn in ours("network_personal_data")]
    json.dumps(export)
    assert export["email"] == "camille@mairie.example" and export["consent"]["ip"] == "203.0.113.9"
    assert export["issues_received"] == 1

    for fn in ours("network_erase_personal_data"):
        fn(user)
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert figures(issue)["sent"] == 1  # the issue keeps its figures, without the person
    assert [fn(user) for fn in ours("network_personal_data")] == [{}]


def ours(hook_name):
    """The newsletter's functions for a hook other apps register too."""
    return [fn for fn in hooks.get_hooks(hook_name) if fn.__module__ == "newsletter.wagtail_hooks"]


def test_the_demo_has_subscribers_in_every_status_and_two_sent_issues(core_site):
    sizes = {"subscribers": 40}
    load_demo(core_site, sizes, 2018, io.StringIO())
    load_demo(core_site, sizes, 2018, io.StringIO())  # again: nothing duplicated
    assert Subscriber.objects.count() == 40
    assert set(Subscriber.objects.values_list("status", flat=True)) == set(SubscriberStatus.values)
    issues = NewsletterIssuePage.objects.live()
    assert issues.count() == 2
    for issue in issues:
        assert figures(issue)["sent"] == Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).count()
    assert NewsletterIssuePage.objects.first().get_parent().url == "/fr/newsletter/"

    assert NewsletterIndexPage.objects.get(locale__language_code="en").url == "/en/newsletter/"
