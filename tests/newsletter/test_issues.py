"""Issues: blocks that fill themselves, MJML rendered once with inlined CSS, archive, preview, test send, draft."""

import datetime
import html as htmllib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import timezone

from hub import emails
from newsletter.factories import NewsletterIssuePageFactory, SubscriberFactory
from newsletter.models import Delivery, IssueRendering, IssueSend, NewsletterIssuePage
from newsletter.rendering import TOKEN_PLACEHOLDER, ensure_renderings, render
from resources.factories import (
    ProjectIndexPageFactory,
    ProjectPageFactory,
    ResourceIndexPageFactory,
    ResourcePageFactory,
)


@pytest.fixture
def site_content(core_site, abbeville):
    projects = ProjectIndexPageFactory(parent=core_site)
    resources = ResourceIndexPageFactory(parent=core_site)
    old = ProjectPageFactory(
        parent=projects, title="Halles d'Abbeville", commune=abbeville, first_published_at=_at(2026, 9, 10)
    )
    new = ProjectPageFactory(
        parent=projects, title="Boutique à l'essai d'Abbeville", commune=abbeville, first_published_at=_at(2026, 10, 20)
    )
    guide = ResourcePageFactory(parent=resources, title="Guide des foncières commerciales")
    ResourcePage = type(guide)
    ResourcePage.objects.filter(pk=guide.pk).update(first_published_at=_at(2026, 10, 25))
    return {"old": old, "new": new, "guide": guide}


def _at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def test_the_email_is_responsive_html_with_inlined_css_absolute_links_and_a_text_part(archive, site_content):
    NewsletterIssuePageFactory(parent=archive, slug="2026-10", issue_date=datetime.date(2026, 10, 1))
    issue = NewsletterIssuePageFactory(parent=archive, slug="2026-11", issue_date=datetime.date(2026, 11, 1))
    rendered = render(issue, "fr")

    # MRML ignores <mj-style inline>: css-inline put the styles on the elements, where Gmail keeps them.
    assert 'style="color: #000091' in rendered.html or "color:#000091" in rendered.html.split("<a ", 2)[1]
    head, body = rendered.html.split("</head>")
    assert "<style" not in body
    assert "@media" in head  # the wide-screen column rules stay in the head
    assert 'href="/' not in rendered.html and 'src="/' not in rendered.html
    assert "https://centralites.example/fr/newsletter/2026-11/" in rendered.html

    # Automatic blocks: projects and resources published since the previous issue (1 October).
    assert "Boutique à l&#x27;essai d&#x27;Abbeville" in rendered.html or "Boutique à l'essai" in rendered.html
    assert "Halles d" not in rendered.html
    assert "Guide des foncières commerciales" in rendered.html
    assert "Boutique à l'essai d'Abbeville" in rendered.text
    assert f"https://centralites.example{site_content['new'].url}" in rendered.text
    assert TOKEN_PLACEHOLDER in rendered.text and TOKEN_PLACEHOLDER in rendered.html


def test_an_issue_is_rendered_once_per_revision_not_once_per_recipient(issue, core_site, monkeypatch, smtp_server):
    calls = []
    original = emails.mjml2html
    monkeypatch.setattr(emails, "mjml2html", lambda source: calls.append(1) or original(source))
    for _ in range(5):
        SubscriberFactory()
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    assert len(smtp_server.received) == 5 and len(calls) == 1
    ensure_renderings(issue)
    assert len(calls) == 1
    issue.subject = "Objet corrigé"
    issue.save_revision().publish()
    assert ensure_renderings(NewsletterIssuePage.objects.get(pk=issue.pk))["fr"].subject == "Objet corrigé"
    assert len(calls) == 2 and IssueRendering.objects.count() == 1


def test_the_web_archive_lists_live_issues_and_shows_no_personal_token(client, archive, issue, smtp_server):
    NewsletterIssuePageFactory(parent=archive, title="Brouillon de décembre", slug="2026-12", live=False)
    subscriber = SubscriberFactory()
    call_command("send_newsletter", str(issue.pk), verbosity=0)

    listing = htmllib.unescape(client.get("/fr/newsletter/").content.decode())
    assert "Lettre de novembre 2026" in listing and "Brouillon de décembre" not in listing
    page = client.get("/fr/newsletter/2026-11/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Édito" in text and "Bonne lecture" in text
    assert subscriber.token not in text and TOKEN_PLACEHOLDER not in text and "desabonnement" not in text


def test_the_admin_previews_the_email_and_sends_a_test_that_marks_nothing_sent(
    admin_client, issue, smtp_server, django_user_model
):
    preview = issue.serve_preview(_request(admin_client), "email")
    assert issue.subject.encode() in htmllib.unescape(preview.content.decode()).encode()
    assert ("email", "Courriel") in [(name, str(label)) for name, label in issue.preview_modes]
    assert admin_client.get(f"/admin/lettre/numero/{issue.pk}/courriel/").status_code == 200

    dashboard = admin_client.get(f"/admin/lettre/numero/{issue.pk}/")
    assert dashboard.status_code == 200 and "M'envoyer un test" in htmllib.unescape(dashboard.content.decode())
    response = admin_client.post(
        f"/admin/lettre/numero/{issue.pk}/", {"action": "test", "email": "redaction@centralites.example"}
    )
    assert response.status_code == 302
    [received] = smtp_server.received
    assert received.recipients == ["redaction@centralites.example"]
    assert received.message["Subject"].strip() == f"[TEST] {issue.subject}"
    assert not Delivery.objects.exists() and not IssueSend.objects.exists()

    # A draft can be tested too: what is tested is the latest revision.
    issue.subject = "Objet en cours de rédaction"
    issue.save_revision()
    admin_client.post(f"/admin/lettre/numero/{issue.pk}/", {"action": "test", "email": "redaction@centralites.example"})
    assert smtp_server.received[-1].message["Subject"].strip() == "[TEST] Objet en cours de rédaction"

    bad = admin_client.post(f"/admin/lettre/numero/{issue.pk}/", {"action": "test", "email": "pas une adresse"})
    assert bad.status_code == 200 and len(smtp_server.received) == 2


def _request(client):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def test_draft_newsletter_prepares_the_month_from_what_was_published_since(archive, site_content, time_machine):
    NewsletterIssuePageFactory(parent=archive, slug="2026-10", issue_date=datetime.date(2026, 10, 1))
    time_machine.move_to(datetime.datetime(2026, 12, 1, 6, tzinfo=datetime.UTC), tick=False)
    call_command("draft_newsletter", verbosity=0)
    draft = NewsletterIssuePage.objects.get(slug="2026-12")
    assert not draft.live and draft.issue_date == datetime.date(2026, 12, 1)
    assert draft.title == "Lettre de décembre 2026"
    [projects] = [block for block in draft.body if block.block_type == "featured_projects"]
    assert [page.pk for page in projects.value["projects"]] == [site_content["new"].pk]
    assert {block.block_type for block in draft.body} >= {"new_resources", "upcoming_events"}

    call_command("draft_newsletter", verbosity=0)  # December exists: January is drafted, December stays one
    assert NewsletterIssuePage.objects.filter(issue_date=datetime.date(2026, 12, 1)).count() == 1


def test_sending_an_unpublished_issue_is_refused_with_a_clear_message(archive):
    draft = NewsletterIssuePageFactory(parent=archive, slug="brouillon", live=False)
    with pytest.raises(CommandError, match="Publiez ce numéro"):
        call_command("send_newsletter", str(draft.pk), verbosity=0)
    with pytest.raises(CommandError, match="Aucun numéro"):
        call_command("send_newsletter", "999999", verbosity=0)
