"""A visitor subscribes from the site footer, confirms from the email, then unsubscribes from the letter's link."""

import re

import pytest
from django.core import mail

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
