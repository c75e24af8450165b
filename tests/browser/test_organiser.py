"""An organiser (in the organisers' group, not a superuser) works an event in Chromium: filters the
confirmed people (checked-in ones included), checks someone in on a phone and undoes it, then writes
to one session's confirmed attendees after a test sent to themself; the local SMTP server receives
the test, then exactly one email per recipient, each with a single greeting."""

import datetime

import pytest
from django.contrib.auth.models import Group

from events.apps import ORGANISERS_GROUP, ensure_organisers_group
from events.factories import EventIndexPageFactory, EventPageFactory, EventSessionFactory, RegistrationFactory
from events.models import Registration
from tests.events.conftest import smtp_inbox  # noqa: F401 — the local SMTP server fixture

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def plain_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def organiser(django_user_model):
    ensure_organisers_group()
    user = django_user_model.objects.create_user(
        "orga", "orga@centralites.example.fr", "mot-de-passe-solide", first_name="Olga", last_name="Nizard"
    )
    user.groups.add(Group.objects.get(name=ORGANISERS_GROUP))
    return user


def test_organiser_journey(browser_page, live_server, core_site, organiser, smtp_inbox):  # noqa: F811
    agenda = EventIndexPageFactory(parent=core_site)
    start = datetime.datetime(2027, 3, 18, 8, 30, tzinfo=datetime.UTC)
    event = EventPageFactory(
        parent=agenda,
        title="Rencontre régionale des managers de centre-ville des Hauts-de-France",
        slug="rencontre-hdf",
        start=start,
        end=start + datetime.timedelta(hours=7),
        capacity=40,
    )
    hour = datetime.timedelta(hours=1)
    morning = EventSessionFactory(event=event, title="Atelier vacance commerciale", start=start, end=start + hour)
    other = EventSessionFactory(event=event, title="Atelier mobilités", start=start, end=start + hour)
    alpha = RegistrationFactory(
        event=event, first_name="Ana", last_name="Alpha-Desmarais-Villeneuve", email="ana@mairie.example.fr"
    )
    alpha.sessions.set([morning])
    bravo = RegistrationFactory(
        event=event,
        first_name="Bruno",
        last_name="Bravo",
        email="bruno@mairie.example.fr",
        status="attended",
        checked_in_at=start,
    )
    bravo.sessions.set([morning])
    charlie = RegistrationFactory(event=event, first_name="Chloé", last_name="Charlie", email="chloe@example.fr")
    charlie.sessions.set([other])
    waiting = RegistrationFactory(
        event=event, first_name="Wassim", last_name="Waiting", email="wassim@example.fr", status="waitlisted"
    )
    waiting.sessions.set([morning])

    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill('input[name="username"]', "orga")
    page.fill('input[name="password"]', "mot-de-passe-solide")
    page.press('input[name="password"]', "Enter")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/evenements/")
    page.get_by_role("link", name=event.title).click()
    page.wait_for_url(f"**/admin/evenements/{event.pk}/inscriptions/")
    assert page.get_by_role("link", name="Modifier l'événement").count() == 0  # no page edit permission
    page.select_option("#filter-status", "confirmed")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**statut=confirmed**")
    listing = page.inner_text("main")
    assert "Bruno Bravo" in listing and "Ana Alpha-Desmarais-Villeneuve" in listing
    assert "Wassim Waiting" not in listing

    # On a phone: the check-in page fits the screen, searches as one types, checks in and undoes.
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Pointage (sur téléphone)").click()
    page.wait_for_url(f"**/admin/evenements/{event.pk}/pointage/")
    page.select_option("#checkin-session", str(morning.pk))
    page.wait_for_function("() => !document.querySelector('#checkin-results').innerText.includes('CHARLIE')")
    page.locator("#checkin-q").press_sequentially("alph", delay=30)
    page.wait_for_function("() => !document.querySelector('#checkin-results').innerText.includes('BRAVO')")
    assert "ALPHA-DESMARAIS-VILLENEUVE" in page.inner_text("#checkin-results")
    assert no_horizontal_overflow(page)
    page.get_by_role("button", name="Pointer Ana Alpha-Desmarais-Villeneuve").click()
    page.wait_for_selector("text=est pointé·e présent·e")
    assert Registration.objects.get(pk=alpha.pk).status == "attended"
    assert no_horizontal_overflow(page)
    page.get_by_role("button", name="Annuler le pointage de Ana Alpha-Desmarais-Villeneuve").click()
    page.wait_for_selector("text=Pointage de Ana Alpha-Desmarais-Villeneuve annulé")
    alpha.refresh_from_db()
    assert alpha.status == "confirmed" and alpha.checked_in_at is None
    assert no_horizontal_overflow(page)

    # Writing to the confirmed people of one session, after a test to oneself.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/evenements/{event.pk}/inscriptions/")
    page.get_by_role("link", name="Écrire aux inscrits").click()
    page.select_option("#id_recipients", f"session-{morning.pk}")
    page.fill("#id_subject", "Changement de salle")
    page.fill("#id_body", "Bonjour à toutes et à tous,\n\nL'atelier a lieu salle 2, au premier étage.")
    page.get_by_role("button", name="Prévisualiser").click()
    frame = page.frame_locator("iframe.events-preview")
    assert "Bonjour Olga," in frame.locator("body").inner_text()
    assert smtp_inbox.messages == []
    page.get_by_role("button", name="M'envoyer un test").click()
    page.wait_for_selector("text=Message de test envoyé à orga@centralites.example.fr")
    [test] = smtp_inbox.wait_for("orga@centralites.example.fr")
    assert "Changement de salle" in str(test["Subject"]) and plain_text(test).count("Bonjour") == 1
    assert len(smtp_inbox.messages) == 1

    page.get_by_role("button", name="Envoyer aux destinataires").click()
    page.wait_for_selector("text=Message envoyé à 2 personnes.")
    for address, name in (("ana@mairie.example.fr", "Ana"), ("bruno@mairie.example.fr", "Bruno")):
        received = smtp_inbox.wait_for(address)
        assert len(received) == 1, address
        body = plain_text(received[0])
        assert body.count("Bonjour") == 1 and f"Bonjour {name}," in body
        assert "L'atelier a lieu salle 2" in body and "/fr/evenements/inscription/" in body
    assert smtp_inbox.to("chloe@example.fr") == [] and smtp_inbox.to("wassim@example.fr") == []
    assert len(smtp_inbox.messages) == 3
