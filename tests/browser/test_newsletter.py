"""A visitor subscribes from the site footer, confirms from the email, then unsubscribes from the letter's link."""

import re

import pytest
from django.core import mail
from wagtail.models import Locale

from hub import demo
from newsletter.factories import NewsletterIndexPageFactory, NewsletterIssuePageFactory, SubscriberFactory
from newsletter.models import Subscriber, SubscriberStatus

pytestmark = pytest.mark.browser


def test_subscribe_from_the_footer_confirm_and_unsubscribe(browser_page, live_server, demo_site, settings):
    settings.SITE_BASE_URL = live_server.url
    page = browser_page
    page.goto(f"{live_server.url}/fr/")
    footer = page.locator("footer")
    footer.get_by_label("Adresse électronique").fill("dominique.visiteur@exemple.test")
    footer.locator("summary").click()
    # DSFR draws checkboxes on their labels: a person clicks the label.
    footer.locator("label", has_text="Développement économique et commercial").click()
    footer.locator("label", has_text="J'accepte de recevoir").click()
    assert footer.get_by_label(re.compile("J'accepte de recevoir")).is_checked()
    footer.get_by_role("button", name="S'abonner").click()
    page.wait_for_url(re.compile(r"/fr/newsletter/\?inscription=merci"))
    assert page.get_by_text("Vérifiez votre messagerie").is_visible()

    subscriber = Subscriber.objects.get(email="dominique.visiteur@exemple.test")
    assert subscriber.status == SubscriberStatus.PENDING and subscriber.consent_source == "footer"
    link = re.search(r"https?://\S+/newsletter/confirmer/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirmer mon inscription").click()
    assert page.get_by_role("heading", name="Inscription confirmée").is_visible()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.interest_slugs()["thematics"] == ["commerce"]

    page.goto(f"{live_server.url}/newsletter/desabonnement/{subscriber.token}/")
    page.get_by_role("button", name="Me désabonner").click()
    assert page.get_by_role("heading", name="Vous êtes désabonné·e").is_visible()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def _newsletter_site():
    """The French archive and its English translation, with one sent-ready issue that has no English version."""

    demo.build_taxonomy()
    home = demo.build_site()
    archive = NewsletterIndexPageFactory(parent=home)
    archive.copy_for_translation(Locale.objects.get(language_code="en")).save_revision().publish()
    return NewsletterIssuePageFactory(parent=archive, title="Lettre de décembre 2026", slug="2026-12")


def test_an_english_visitor_subscribes_confirms_and_unsubscribes_in_english(
    browser_contexts, live_server, transactional_db, smtp_server, settings
):
    """The English journey: footer form on /en/, English email, English confirmation and unsubscribe pages."""
    settings.SITE_BASE_URL = live_server.url
    _newsletter_site()
    page = browser_contexts.new_page(bypass_csp=False)  # a browser preferring French: the pages follow the visitor
    page.goto(f"{live_server.url}/en/")
    footer = page.locator("footer")
    footer.get_by_label("Email address").fill("alex.visitor@example.org")
    footer.locator("summary").click()
    footer.locator("label", has_text="English").first.click()
    footer.locator("label", has_text="I agree to receive").click()
    footer.get_by_role("button", name="Subscribe").click()
    page.wait_for_url(re.compile(r"/en/newsletter/\?inscription=merci"))
    assert page.get_by_text("Check your inbox").first.is_visible()

    [received] = [m for m in smtp_server.messages if m["to"] == ["alex.visitor@example.org"]]
    assert received["message"]["Subject"].strip() == "Confirm your newsletter subscription"
    body = received["message"].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/newsletter/confirmer/[\w-]+/", body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Confirm my subscription").click()
    assert page.get_by_text("You will receive the next newsletter").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"

    subscriber = Subscriber.objects.get(email="alex.visitor@example.org")
    assert subscriber.status == SubscriberStatus.ACTIVE and subscriber.language == "en"
    page.goto(f"{live_server.url}/newsletter/desabonnement/{subscriber.token}/")
    page.get_by_role("button", name="Unsubscribe me").click()
    assert page.locator("html").get_attribute("lang") == "en"
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_a_manager_reviews_who_gets_the_french_issue_then_sends_once(
    browser_page, live_server, transactional_db, smtp_server, settings, django_user_model
):
    """The newsletter manager's journey: choose, read the English fallback count, confirm, and no second send."""

    settings.SITE_BASE_URL = live_server.url
    issue = _newsletter_site()
    SubscriberFactory(email="francophone@exemple.test", language="fr")
    SubscriberFactory(email="anglophone@example.org", language="en")
    django_user_model.objects.create_superuser("gestion", "gestion@centralites.example", "mot-de-passe-solide")

    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill('input[name="username"]', "gestion")
    page.fill('input[name="password"]', "mot-de-passe-solide")
    page.locator('button[type="submit"]').first.click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{live_server.url}/admin/lettre/numero/{issue.pk}/")
    page.get_by_role("button", name="Vérifier avant l'envoi").click()

    warning = page.locator("[data-english-fallback]")
    assert warning.get_attribute("data-english-fallback") == "1"
    assert "1 abonné·e anglophone recevra la version française" in warning.inner_text()
    assert not smtp_server.messages  # nothing leaves before the manager confirms
    page.locator("label", has_text="Je confirme l'envoi").click()
    page.get_by_role("button", name="Lancer l'envoi").click()
    # The answer page comes after the POST: wait for it (a loaded machine takes its time).
    page.get_by_text("Envoi lancé : 2 destinataires ajoutés.").wait_for(timeout=30_000)
    for _ in range(300):
        if len(smtp_server.messages) >= 2:
            break
        page.wait_for_timeout(100)
    recipients = sorted(m["to"][0] for m in smtp_server.messages)
    assert recipients == ["anglophone@example.org", "francophone@exemple.test"]
    assert {m["message"]["Subject"].strip() for m in smtp_server.messages} == {issue.subject}
    page.get_by_text("a été envoyé le").first.wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Vérifier avant l'envoi").count() == 0
    assert page.get_by_role("button", name="Lancer l'envoi").count() == 0
