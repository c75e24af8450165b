"""A visitor registers in Chromium, gets the confirmation by SMTP, cancels from the private link (after
confirming); the person on the waiting list is promoted and emailed."""

import re

import pytest

from events.factories import EventIndexPageFactory, EventPageFactory, RegistrationFactory
from events.models import Registration
from tests.events.conftest import smtp_inbox  # noqa: F401 — the local SMTP server fixture

pytestmark = pytest.mark.browser


def plain_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_register_cancel_and_promotion(browser_page, live_server, core_site, abbeville, smtp_inbox):  # noqa: F811
    agenda = EventIndexPageFactory(parent=core_site)
    event = EventPageFactory(
        parent=agenda, title="Atelier commerce de proximité", slug="atelier-commerce", capacity=2, commune=abbeville
    )
    RegistrationFactory(event=event, email="deja@example.fr")

    page = browser_page
    page.goto(f"{live_server.url}/fr/evenements/")
    page.get_by_role("link", name="Atelier commerce de proximité").click()
    page.get_by_role("link", name="S'inscrire").click()
    page.fill("#id_first_name", "Sacha")
    page.fill("#id_last_name", "Leroy")
    page.fill("#id_email", "sacha.leroy@mairie.example.fr")
    page.fill("#id_organisation", "Ville d'Abbeville")
    page.fill("#id_commune", "80001")
    page.check("#id_consent", force=True)
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url(re.compile(r"/fr/evenements/atelier-commerce/inscription/\?envoyee=1$"))
    assert "Vérifiez votre messagerie" in page.inner_text("main")

    [confirmation] = smtp_inbox.wait_for("sacha.leroy@mairie.example.fr")
    assert "confirmée" in str(confirmation["Subject"])
    assert any(part.get_filename() == "evenement.ics" for part in confirmation.iter_attachments())
    link = re.search(r"https?://[^/\s]+(/fr/evenements/inscription/[\w-]+/)", plain_text(confirmation)).group(1)

    # The event is now full: the next person waits.
    waiting = RegistrationFactory(
        event=event, email="attente@example.fr", status="waitlisted", waitlisted_at=event.start
    )

    page.goto(f"{live_server.url}{link}")
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription confirmée"
    page.get_by_role("link", name="Annuler mon inscription").click()
    page.wait_for_url(re.compile(r"/annuler/$"))
    assert Registration.objects.get(email="sacha.leroy@mairie.example.fr").status == "confirmed"
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    page.wait_for_url(re.compile(r"\?annulee=1$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription annulée"
    assert page.get_by_role("link", name="Ajouter à mon agenda").count() == 0

    [promotion] = smtp_inbox.wait_for("attente@example.fr")
    assert "Une place s'est libérée" in " ".join(str(promotion["Subject"]).split())
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert Registration.objects.get(email="sacha.leroy@mairie.example.fr").status == "cancelled"
    cancellation = smtp_inbox.wait_for("sacha.leroy@mairie.example.fr", count=2)
    assert len(cancellation) == 2
