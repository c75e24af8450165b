"""Issue 10, newsletter part: English archive and issues, English sends, drafting, the send screen's checks,
bad tokens and mail bombing through the subscription form."""

import datetime
import html as htmllib
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.models import Locale

from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import EventIndexPage
from newsletter.drafting import PLACEHOLDER
from newsletter.factories import NewsletterIssuePageFactory, SubscriberFactory
from newsletter.models import Delivery, NewsletterIssuePage, Subscriber, SubscriberStatus
from newsletter.rendering import render
from newsletter.sending import start_sending


def text(response):
    return htmllib.unescape(response.content.decode())


def english(page, **fields):
    """The page's English translation (its parent must be translated), published."""
    translated = page.copy_for_translation(Locale.objects.get(language_code="en"))
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return NewsletterIssuePage.objects.get(pk=translated.pk) if fields else translated


@pytest.fixture
def english_archive(archive):
    return english(archive)


def subscribe_data(**overrides):
    data = {"email": "cible@exemple.test", "language": "fr", "consent": "on", "website": ""}
    data.update(overrides)
    return data


# --- 29: bad tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/newsletter/confirmer/%00/", "/newsletter/desabonnement/%00/"])
def test_a_nul_byte_in_a_personal_link_is_a_404(client, archive, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"action": "unsubscribe"}).status_code == 404
    assert client.get(path.replace("%00", "abc%00def")).status_code == 404


# --- 31: nobody can make the site mail a third party repeatedly ----------------------------------------


def test_one_confirmation_email_per_address_per_day_and_none_after_a_complaint(client, archive, settings):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        first = client.post("/newsletter/inscription/", subscribe_data())
        link = re.search(r"/newsletter/confirmer/[\w-]+/", mail.outbox[0].body).group(0)
        for _ in range(3):
            again = client.post("/newsletter/inscription/", subscribe_data())
            assert again.status_code == first.status_code == 303 and again["Location"] == first["Location"]
    assert len(mail.outbox) == 1
    with time_machine.travel(datetime.datetime(2026, 12, 1, 20, tzinfo=datetime.UTC), tick=False):
        # The first link still works: nothing was replaced.
        assert client.post(link).status_code == 200
        assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE
        client.post("/newsletter/inscription/", subscribe_data())
        client.post("/newsletter/inscription/", subscribe_data())
    assert len(mail.outbox) == 2 and "déjà abonné" in mail.outbox[1].subject  # one notice
    with time_machine.travel(datetime.datetime(2026, 12, 2, 21, tzinfo=datetime.UTC), tick=False):
        client.post("/newsletter/inscription/", subscribe_data())
    assert len(mail.outbox) == 3  # the next day, one more

    SubscriberFactory(email="plainte@exemple.test", status=SubscriberStatus.COMPLAINED)
    with time_machine.travel(datetime.datetime(2026, 12, 5, 9, tzinfo=datetime.UTC), tick=False):
        answer = client.post("/newsletter/inscription/", subscribe_data(email="plainte@exemple.test"))
    assert answer.status_code == 303 and answer["Location"] == first["Location"]
    assert len(mail.outbox) == 3
    assert Subscriber.objects.get(email="plainte@exemple.test").status == SubscriberStatus.COMPLAINED


# --- 23: draft_newsletter -----------------------------------------------------------------------------


def _event(title, start):
    return EventPageFactory(
        parent=EventIndexPage.objects.first(), title=title, start=start, end=start + datetime.timedelta(hours=2)
    )


@pytest.fixture
def agenda(core_site):
    return EventIndexPageFactory(parent=core_site)


def _at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_draft_newsletter_on_the_first_of_december_drafts_the_december_issue(archive, time_machine):
    NewsletterIssuePageFactory(parent=archive, slug="2026-11", issue_date=datetime.date(2026, 11, 1))
    time_machine.move_to(datetime.datetime(2026, 12, 1, 6, tzinfo=datetime.UTC), tick=False)
    call_command("draft_newsletter", verbosity=0)
    draft = NewsletterIssuePage.objects.get(slug="2026-12")
    assert draft.issue_date == datetime.date(2026, 12, 1) and draft.title == "Lettre de décembre 2026"
    assert not draft.live
    # Once December exists, the next run drafts January; then nothing more.
    call_command("draft_newsletter", verbosity=0)
    assert NewsletterIssuePage.objects.filter(slug="2027-01", issue_date=datetime.date(2027, 1, 1)).exists()
    call_command("draft_newsletter", verbosity=0)
    assert NewsletterIssuePage.objects.count() == 3


def test_the_drafted_issue_lists_only_events_still_to_come_on_its_send_date(archive, agenda, time_machine):
    NewsletterIssuePageFactory(parent=archive, slug="2026-11", issue_date=datetime.date(2026, 11, 1))
    time_machine.move_to(_at(2026, 11, 20, 9), tick=False)
    NewsletterIssuePageFactory(parent=archive, slug="2026-11-bis", issue_date=datetime.date(2026, 11, 15))
    _event("Atelier passé", _at(2026, 11, 10, 14))
    _event("Atelier d'avant le numéro", _at(2026, 11, 27, 14))
    _event("Rencontre de décembre", _at(2026, 12, 8, 14))
    call_command("draft_newsletter", verbosity=0)  # November has an issue: December's is drafted
    draft = NewsletterIssuePage.objects.get(slug="2026-12")
    rendered = render(draft, "fr")
    assert "Rencontre de décembre" in rendered.text
    assert "Atelier d'avant le numéro" not in rendered.text and "Atelier passé" not in rendered.text

    # Sent on 1 December at 10:00: an event that started at 9:00 that day is not announced either.
    _event("Petit-déjeuner du 1er", _at(2026, 12, 1, 9))
    draft.body[0].value["text"] = draft.body[0].block.child_blocks["text"].to_python("<p>Bonjour.</p>")
    draft.save_revision().publish()
    time_machine.move_to(_at(2026, 12, 1, 10), tick=False)
    start_sending(NewsletterIssuePage.objects.get(pk=draft.pk))
    rendered = render(NewsletterIssuePage.objects.get(pk=draft.pk), "fr")
    assert "Rencontre de décembre" in rendered.text and "Petit-déjeuner du 1er" not in rendered.text


# --- 24: placeholder, archive of sent issues, no second send ----------------------------------------


def test_an_issue_holding_the_placeholder_cannot_be_sent(admin_client, archive, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 6, tzinfo=datetime.UTC), tick=False)
    call_command("draft_newsletter", verbosity=0)
    draft = NewsletterIssuePage.objects.get(slug="2026-12")
    draft.save_revision().publish()
    SubscriberFactory()

    with pytest.raises(CommandError, match=re.escape(PLACEHOLDER)):
        call_command("send_newsletter", str(draft.pk), verbosity=0)
    page = admin_client.get(f"/admin/lettre/numero/{draft.pk}/")
    body = text(page)
    assert "texte provisoire" in body and PLACEHOLDER in body and "Édito" in body
    assert 'value="review"' not in body  # no send form
    posted = admin_client.post(f"/admin/lettre/numero/{draft.pk}/", {"action": "send", "confirm": "on"})
    assert PLACEHOLDER in text(posted) or posted.status_code == 302
    assert not Delivery.objects.exists()


def test_the_archive_lists_only_sent_issues_and_an_unsent_issue_is_hidden_from_visitors(
    client, admin_client, archive, smtp_server
):
    issue = NewsletterIssuePageFactory(parent=archive, title="Lettre de décembre 2026", slug="2026-12")
    assert "Lettre de décembre 2026" not in text(client.get("/fr/newsletter/"))
    assert client.get("/fr/newsletter/2026-12/").status_code == 404
    assert admin_client.get("/fr/newsletter/2026-12/").status_code == 200  # its editors can read it
    SubscriberFactory()
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    assert "Lettre de décembre 2026" in text(client.get("/fr/newsletter/"))
    assert client.get("/fr/newsletter/2026-12/").status_code == 200


def test_the_send_form_is_not_offered_again_once_sent(admin_client, issue, smtp_server):
    SubscriberFactory()
    before = text(admin_client.get(f"/admin/lettre/numero/{issue.pk}/"))
    assert 'value="review"' in before
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    after = text(admin_client.get(f"/admin/lettre/numero/{issue.pk}/"))
    assert 'value="review"' not in after and 'value="send"' not in after and "a été envoyé le" in after
    SubscriberFactory()
    admin_client.post(f"/admin/lettre/numero/{issue.pk}/", {"action": "send", "confirm": "on"})
    assert Delivery.objects.count() == 1


# --- 5: the English archive ---------------------------------------------------------------------------


def test_the_english_archive_lists_english_translations_and_marks_french_originals(
    client, archive, english_archive, smtp_server
):
    translated = NewsletterIssuePageFactory(parent=archive, title="Lettre de novembre", slug="2026-11")
    french_only = NewsletterIssuePageFactory(
        parent=archive, title="Lettre d'octobre", slug="2026-10", issue_date=datetime.date(2026, 10, 1)
    )
    english(translated, title="November letter", slug="2026-11", subject="The November letter")
    for issue in (translated, french_only):
        start_sending(issue)

    listing = client.get("/en/newsletter/")
    body = text(listing)
    assert "November letter" in body and "Lettre de novembre" not in body
    assert 'href="/en/newsletter/2026-11/"' in body
    assert re.search(r'<h3 class="fr-card__title" lang="fr"><a href="/fr/newsletter/2026-10/">Lettre d\'octobre', body)
    assert body.count("In French") == 1
    assert client.get("/en/newsletter/2026-11/").status_code == 200
    french = text(client.get("/fr/newsletter/"))
    assert "Lettre de novembre" in french and "November letter" not in french and "En français" not in french


# --- 8: English subscribers receive the English issue ---------------------------------------------------


def test_english_subscribers_receive_the_english_issue(archive, english_archive, smtp_server):
    issue = NewsletterIssuePageFactory(parent=archive, title="Lettre de décembre", slug="2026-12")
    english(issue, title="December letter", slug="2026-12", subject="The December letter")
    french = SubscriberFactory(language="fr")
    british = SubscriberFactory(language="en")
    call_command("send_newsletter", str(issue.pk), verbosity=0)
    [to_french] = smtp_server.to(french.email)
    [to_british] = smtp_server.to(british.email)
    assert to_french.message["Subject"].strip() == issue.subject
    assert to_british.message["Subject"].strip() == "The December letter"
    assert "https://centralites.example/en/newsletter/2026-12/" in to_british.part("text/plain")
    assert 'lang="en"' in to_british.part("text/html")


def test_the_send_screen_says_how_many_english_subscribers_get_the_french_issue(admin_client, issue, smtp_server):
    SubscriberFactory(language="fr")
    english_speakers = [SubscriberFactory(language="en") for _ in range(2)]
    review = admin_client.post(f"/admin/lettre/numero/{issue.pk}/", {"action": "review"})
    body = text(review)
    assert "Ce numéro va partir à 3 abonné·es." in body
    assert "2 abonné·es anglophones recevront la version française" in body
    assert 'value="send"' in body and not Delivery.objects.exists()  # nothing sent before confirming

    confirmed = admin_client.post(f"/admin/lettre/numero/{issue.pk}/", {"action": "send", "confirm": "on"})
    assert confirmed.status_code == 302
    assert {r.recipients[0] for r in smtp_server.received} >= {s.email for s in english_speakers}
    assert all(r.message["Subject"].strip() == issue.subject for r in smtp_server.received)


# --- 7: every newsletter view in English, and the English confirmation email --------------------------


def test_an_english_visitor_subscribes_confirms_and_manages_the_subscription_in_english(
    client, archive, english_archive, smtp_server
):
    french_browser = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
    archive_page = client.get("/en/newsletter/")
    assert archive_page.status_code == 200 and 'lang="en"' in archive_page.content.decode()[:200]

    # A mistake on the English page is answered in English, whatever the browser prefers.
    wrong = client.post(
        "/newsletter/inscription/", subscribe_data(email="", language="en", langue_page="en"), **french_browser
    )
    assert wrong.status_code == 200 and "Enter your email address." in text(wrong)

    done = client.post(
        "/newsletter/inscription/",
        subscribe_data(email="alex@example.org", language="en", langue_page="en"),
        **french_browser,
    )
    assert done.status_code == 303 and done["Location"] == "/en/newsletter/?inscription=merci#inscription"
    assert "Check your inbox" in text(client.get(done["Location"]))

    [received] = smtp_server.to("alex@example.org")
    assert received.message["Subject"].strip() == "Confirm your newsletter subscription"
    body = received.part("text/plain")
    link = re.search(r"https://centralites\.example(/newsletter/confirmer/[\w-]+/)", body)
    assert link, body
    assert "Confirm my subscription" in text(client.get(link.group(1), **french_browser))
    confirmed = client.post(link.group(1), **french_browser)
    assert confirmed.status_code == 200 and "You will receive the next newsletter" in text(confirmed)
    assert '<html lang="en"' in confirmed.content.decode()

    subscriber = Subscriber.objects.get(email="alex@example.org")
    manage = client.get(f"/newsletter/desabonnement/{subscriber.token}/", **french_browser)
    assert "Unsubscribe me" in text(manage) and '<html lang="en"' in manage.content.decode()
    left = client.post(f"/newsletter/desabonnement/{subscriber.token}/", {"action": "unsubscribe"}, **french_browser)
    assert "Me désabonner" not in text(left) and left.status_code == 200
