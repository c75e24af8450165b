"""An English visitor registers for an event in Chromium, receives the English confirmation in the local
SMTP server, and opens their private page in English."""

import re

import pytest

from events.demo import build_index
from events.factories import EventPageFactory, EventSessionFactory
from events.models import Registration
from tests.events.conftest import smtp_inbox  # noqa: F401 — the local SMTP server fixture
from tests.events.test_attendee_journeys import english

pytestmark = pytest.mark.browser


def plain_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_an_english_visitor_registers_and_reads_english(
    browser_page,
    live_server,
    core_site,
    abbeville,
    smtp_inbox,  # noqa: F811
):
    agenda = build_index(core_site)
    event = EventPageFactory(
        parent=agenda, title="Atelier commerce de proximité", slug="atelier-commerce", capacity=20, commune=abbeville
    )
    EventSessionFactory(event=event, title="Visite du centre", start=event.start, capacity=10)
    english(event, "Local retail workshop", session_titles={"Visite du centre": "Town-centre walk"})

    page = browser_page
    page.goto(f"{live_server.url}/en/events/atelier-commerce/")
    assert page.get_by_role("heading", level=1).inner_text() == "Local retail workshop"
    page.get_by_role("link", name="Register").click()
    page.wait_for_url(re.compile(r"/en/events/atelier-commerce/registration/$"))
    page.fill("#id_first_name", "Robin")
    page.fill("#id_last_name", "Smith")
    page.fill("#id_email", "robin.smith@example.org")
    page.get_by_label(re.compile("Town-centre walk")).check(force=True)
    page.check("#id_consent", force=True)
    page.get_by_role("button", name="Register me").click()
    page.wait_for_url(re.compile(r"/en/events/atelier-commerce/registration/\?envoyee=1$"))
    assert "Check your inbox" in page.inner_text("main")

    [confirmation] = smtp_inbox.wait_for("robin.smith@example.org")
    assert str(confirmation["Subject"]) == "Registration confirmed: Local retail workshop"
    body = plain_text(confirmation)
    assert body.startswith("Hello Robin,") and "Town-centre walk" in body
    assert any(part.get_filename() == "evenement.ics" for part in confirmation.iter_attachments())
    link = re.search(r"https?://[^/\s]+(/en/events/registration/[\w-]+/)", body).group(1)
    registration = Registration.objects.get(email="robin.smith@example.org")
    assert registration.language == "en" and registration.event_id == event.pk

    page.goto(f"{live_server.url}{link}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Registration confirmed"
    assert "Town-centre walk" in page.inner_text("main")
    page.get_by_role("link", name="Cancel my registration").click()
    page.wait_for_url(re.compile(r"/en/events/registration/[\w-]+/cancel/$"))
    page.get_by_role("button", name="Yes, cancel my registration").click()
    page.wait_for_url(re.compile(r"\?annulee=1$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Registration cancelled"
    [_confirmation, cancellation] = smtp_inbox.wait_for("robin.smith@example.org", count=2)
    assert str(cancellation["Subject"]).startswith("Registration cancelled")
