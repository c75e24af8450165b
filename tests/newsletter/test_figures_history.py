"""The admin's overview of the issues counts their figures in one query, and sends appear in the page's history."""

import datetime
import html as htmllib
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.models import PageLogEntry

from hub.models import Programme
from newsletter.apps import MANAGERS_GROUP, ensure_managers_group
from newsletter.factories import NewsletterIssuePageFactory, SubscriberFactory
from newsletter.models import Delivery, DeliveryStatus, Subscriber, SubscriberStatus


@pytest.fixture
def manager(client, django_user_model):
    ensure_managers_group()
    user = django_user_model.objects.create_user("gestion", "gestion@centralites.example", "mot-de-passe-solide")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(user)
    return user


def _issues_with_deliveries(archive, count, subscribers):
    """`count` issues, each sent to the four subscribers: 2 sent (one later unsubscribed), 1 failed, 1 queued."""
    now = timezone.now()
    issues = []
    for n in range(count):
        issue = NewsletterIssuePageFactory(
            parent=archive, live=False, issue_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n)
        )
        Delivery.objects.bulk_create(
            [
                Delivery(issue=issue, subscriber=subscribers[0], status=DeliveryStatus.SENT, sent_at=now),
                Delivery(issue=issue, subscriber=subscribers[1], status=DeliveryStatus.SENT, sent_at=now),
                Delivery(issue=issue, subscriber=subscribers[2], status=DeliveryStatus.FAILED, error="550"),
                Delivery(issue=issue, subscriber=subscribers[3], bounced_at=now),
            ]
        )
        issues.append(issue)
    Subscriber.objects.filter(pk=subscribers[1].pk).update(
        status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=now + datetime.timedelta(hours=1)
    )
    return issues


def _overview_rows(content):
    """Each issue row of the overview as its cells' text: title, date, recipients, sent, failed, bounced, left."""
    body = htmllib.unescape(content.decode()).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows.append(cells)
    return rows


@pytest.mark.parametrize("count", [3, 30])
def test_the_overview_counts_every_issues_figures_in_one_query(client, manager, archive, count):
    subscribers = [SubscriberFactory() for _ in range(4)]
    issues = _issues_with_deliveries(archive, count, subscribers)
    client.get("/admin/lettre/")  # warms what the admin caches per process (menus, content types)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/lettre/")
    assert response.status_code == 200
    rows = _overview_rows(response.content)
    assert len(rows) == count
    titles = {issue.title for issue in issues}
    for title, _date, total, sent, failed, bounced, unsubscribed in rows:
        assert title.split(" — ")[0] in titles
        assert (total, sent, failed, bounced, unsubscribed) == ("4", "2", "1", "1", "1")
    delivery_queries = [q["sql"] for q in queries.captured_queries if "newsletter_delivery" in q["sql"]]
    assert len(delivery_queries) == 1, delivery_queries


def test_the_overview_runs_as_many_queries_for_30_issues_as_for_3(client, manager, archive):
    subscribers = [SubscriberFactory() for _ in range(4)]
    _issues_with_deliveries(archive, 3, subscribers)
    client.get("/admin/lettre/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/lettre/")
    _issues_with_deliveries(archive, 27, subscribers)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/admin/lettre/")
    assert len(_overview_rows(response.content)) == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_an_issue_without_deliveries_shows_zeros(client, manager, archive):
    issue = NewsletterIssuePageFactory(parent=archive, live=False)
    [row] = _overview_rows(client.get("/admin/lettre/").content)
    assert row[0] == issue.title and row[2:] == ["0", "0", "0", "0", "0"]


def _history(client, page):
    response = client.get(f"/admin/pages/{page.pk}/history/")
    assert response.status_code == 200
    return htmllib.unescape(response.content.decode())


def test_a_send_and_a_test_send_appear_in_the_issues_history(admin_client, admin_user, issue, smtp_server):
    programme = Programme.objects.get(slug="pvd", locale__language_code="fr")
    followers = [SubscriberFactory() for _ in range(2)]
    for subscriber in followers:
        subscriber.programmes.add(programme)
    SubscriberFactory()  # follows nothing: outside the segment
    url = f"/admin/lettre/numero/{issue.pk}/"

    with translation.override("fr"):
        response = admin_client.post(url, {"action": "test", "email": "relecture@centralites.example"})
        assert response.status_code == 302
        response = admin_client.post(url, {"action": "send", "programmes": [programme.pk], "confirm": "on"})
        assert response.status_code == 302
        page = _history(admin_client, issue)

    assert "Test de la lettre" in page and "Test envoyé à relecture@centralites.example" in page
    assert "Envoi de la lettre" in page and f"Envoyé à 2 abonné·es ({programme.name})" in page
    sent = PageLogEntry.objects.get(page=issue, action="newsletter.send")
    assert sent.user == admin_user and sent.data["recipients"] == 2
    assert PageLogEntry.objects.get(page=issue, action="newsletter.test_send").user == admin_user


def test_a_send_from_the_command_line_is_in_the_history_without_a_user(admin_client, issue, smtp_server):
    SubscriberFactory()
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    entry = PageLogEntry.objects.get(page=issue, action="newsletter.send")
    assert entry.user is None and entry.data == {"recipients": 1, "programmes": [], "thematics": []}
    with translation.override("fr"):
        assert "Envoyé à 1 abonné·e" in _history(admin_client, issue)
