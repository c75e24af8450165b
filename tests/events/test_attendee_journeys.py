"""Issue 10, the attendee's side of events: translations, English views and emails, absolute links,
cancelling with a confirmation and calendar updates, the page's heading and waiting-list position,
first come first served promotion, organisers told of pending requests, members' registrations,
account deletion, and tests that hold on any day."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from icalendar import Calendar
from wagtail.documents.models import Document
from wagtail.models import Locale
from wagtail_localize.fields import get_translatable_fields
from wagtail_localize.models import OverridableSegment, StringSegment, TranslationSource

from events import registration as seats
from events.apps import ORGANISERS_GROUP, ensure_organisers_group
from events.demo import build_index
from events.factories import EventSessionFactory, RegistrationFactory
from events.models import EventDocument, EventPage, EventQuestion, EventSpeaker, Registration
from events.tasks import send_registration_notice
from events.wagtail_hooks import erase_registrations
from network.models import Member, Organisation
from tests.events.conftest import person, text


def attachments(message):
    """{filename: parsed Calendar} of a Django EmailMessage's .ics attachments."""
    found = {}
    for attachment in message.attachments:
        name, content, _mimetype = attachment
        if name.endswith(".ics"):
            found[name] = Calendar.from_ical(content)
    return found


def english(event, title="Town-centre vacancy workshop", session_titles=None, question_labels=None):
    """The event's English translation, published (as an editor would, through wagtail-localize's sync)."""
    en = Locale.objects.get(language_code="en")
    translated = event.copy_for_translation(en, copy_parents=True, alias=False).specific
    translated.title, translated.slug = title, event.slug
    translated.summary = "A workshop to share practices."
    translated.save_revision().publish()
    translated = EventPage.objects.get(pk=translated.pk)
    for session in translated.sessions.all():
        if session_titles and session.title in session_titles:
            session.title = session_titles[session.title]
            session.save()
    for question in translated.questions.all():
        if question_labels and question.label in question_labels:
            question.label, question.choices = question_labels[question.label]
            question.save()
    return translated


# 3. wagtail-localize: what is offered for translation, what is synchronised -------------------------
def test_translation_offers_every_text_and_synchronises_the_facts(assises, abbeville):
    event, sessions = assises
    event.commune = abbeville
    event.venue = "Halle aux grains"
    event.agenda = [("item", {"time": None, "title": "Accueil café", "speakers": "", "description": "Ouverture"})]
    event.save()
    EventSpeaker.objects.create(event=event, name="Claire Dubois", role="Maire adjointe", sort_order=0)
    EventQuestion.objects.create(event=event, key="repas", label="Déjeunerez-vous ?", kind="yes-no", sort_order=0)
    document = Document.objects.create(title="Support", file=ContentFile(b"%PDF-1.4", name="support.pdf"))
    EventDocument.objects.create(event=event, document=document, title="Diaporama de l'atelier", sort_order=0)
    event.save_revision().publish()

    source, _created = TranslationSource.get_or_create_from_instance(EventPage.objects.get(pk=event.pk))
    strings = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    for offered in (
        "Assises du Centre-Ville",
        "Un atelier pour partager les pratiques des villes du réseau.",
        "Halle aux grains",
        "Accueil café",
        "Maire adjointe",
        "Atelier A",
        "Déjeunerez-vous ?",
        "Diaporama de l'atelier",
    ):
        assert offered in strings, offered
    # Facts are synchronised: not offered as text, not as a raw id to override.
    assert "Claire Dubois" not in strings and "1 place de la Mairie" not in strings
    assert "repas" not in strings
    overridable = list(OverridableSegment.objects.filter(source=source).values_list("data_json", flat=True))
    assert str(abbeville.pk) not in "".join(overridable) and str(document.pk) not in "".join(overridable)
    # The session's times and capacity come from the French page on every sync.

    fields = {field.field_name: field for field in get_translatable_fields(EventPage)}
    assert not fields["commune"].is_overridable(event) and not fields["capacity"].is_translated(event)
    session_fields = {field.field_name: field for field in get_translatable_fields(type(sessions["a"]))}
    assert {"start", "end", "capacity"} <= {name for name, f in session_fields.items() if not f.is_translated(None)}
    # A sync copies the facts and the children (same translation keys) to the English page.
    en = Locale.objects.get(language_code="en")
    translated, _created = source.create_or_update_translation(en, copy_parent_pages=True, fallback=True)
    translated = EventPage.objects.get(pk=translated.pk)
    assert (translated.commune_id, translated.capacity, translated.start) == (abbeville.pk, 50, event.start)
    assert {s.translation_key for s in translated.sessions.all()} == {s.translation_key for s in sessions.values()}
    assert {s.capacity for s in translated.sessions.all()} == {None, 2, 1}
    assert translated.source_event() == event and translated.questions.get().key == "repas"


# 7. English views and emails ----------------------------------------------------------------------
def test_an_english_visitor_registers_on_the_english_page_and_gets_english_emails(
    client, assises, django_capture_on_commit_callbacks, mailoutbox
):
    event, sessions = assises
    build_index(event.get_parent().get_parent())
    translated = english(event, "Town-centre conference", session_titles={"Atelier A": "Workshop A"})
    assert translated.url == f"/en/events/{event.slug}/"
    page = client.get(translated.url)
    assert page.status_code == 200 and f'href="/en/events/{event.slug}/registration/"' in page.content.decode()
    form = client.get(f"/en/events/{event.slug}/registration/")
    assert form.status_code == 200 and "Workshop A" in text(form) and "Atelier A" not in text(form)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/events/{event.slug}/registration/",
            person(email="visitor@example.org", sessions=[sessions["a"].pk]),
        )
    assert response.status_code == 302 and response["Location"] == f"/en/events/{event.slug}/registration/?envoyee=1"
    assert "Check your inbox" in text(client.get(response["Location"]))
    registration = Registration.objects.get(email="visitor@example.org")
    assert registration.event_id == event.pk and registration.language == "en"  # seats stay with the source
    assert list(registration.sessions.all()) == [sessions["a"]]
    [message] = mailoutbox
    assert message.subject == "Registration confirmed: Town-centre conference"
    assert f"http://testserver/en/events/registration/{registration.token}/" in message.body
    assert f"http://testserver/en/events/{event.slug}/" in message.body and "Workshop A" in message.body
    private = client.get(f"/en/events/registration/{registration.token}/")
    assert private.status_code == 200 and "Registration confirmed" in text(private)
    assert "Workshop A" in text(private)
    assert client.get(f"/en/events/registration/{registration.token}/cancel/").status_code == 200


# 9. Links in emails from SITE_BASE_URL --------------------------------------------------------------
def test_every_link_of_a_registration_email_comes_from_site_base_url(settings, workshop, mailoutbox):
    settings.SITE_BASE_URL = "https://centralites.example.org"
    registration = RegistrationFactory(event=workshop)
    send_registration_notice.call(registration.pk, "confirmation")
    [message] = mailoutbox
    html = message.alternatives[0][0]
    links = set(re.findall(r'href="([^"]+)"', html)) | set(re.findall(r"https?://[^\s<>\"]+", message.body))
    assert "https://centralites.example.org/fr/evenements/atelier-vacance/" in links
    assert all(link.startswith("https://centralites.example.org/") for link in links if link.startswith("http")), links
    assert "localhost" not in html and "localhost" not in message.body


# 10. Cancelling asks first; calendars follow -----------------------------------------------------------
def test_cancelling_asks_for_confirmation_then_removes_the_calendar_entry(
    client, workshop, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{workshop.url}inscription/", person())
    registration = Registration.objects.get()
    private = f"/fr/evenements/inscription/{registration.token}/"
    assert "Ajouter à mon agenda" in text(client.get(private))
    confirm_page = client.get(private + "annuler/")
    assert confirm_page.status_code == 200 and "Oui, annuler mon inscription" in text(confirm_page)
    registration.refresh_from_db()
    assert registration.status == "confirmed"  # asking is not cancelling
    client.post(private + "annuler/", {"confirm": "non"})
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(private + "annuler/", {"confirm": "oui"})
    assert response["Location"] == private + "?annulee=1"
    page = text(client.get(response["Location"]))
    assert "Inscription annulée" in page and "Ajouter à mon agenda" not in page
    assert client.get(private + "calendrier.ics").status_code == 404
    confirmation, cancellation = mailoutbox
    published = attachments(confirmation)["evenement.ics"]
    cancelled = attachments(cancellation)["annulation.ics"]
    assert str(cancelled["METHOD"]) == "CANCEL"
    [before], [after] = published.walk("VEVENT"), cancelled.walk("VEVENT")
    assert str(after["UID"]) == str(before["UID"]) and str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_changing_sessions_sends_the_updated_calendar_with_the_sessions_times(
    client, assises, django_capture_on_commit_callbacks, mailoutbox
):
    event, sessions = assises
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{event.url}inscription/", person(sessions=[sessions["pleniere"].pk, sessions["a"].pk]))
    registration = Registration.objects.get()
    first = attachments(mailoutbox[0])["evenement.ics"]
    entries = {str(v["SUMMARY"]): v for v in first.walk("VEVENT")}
    assert set(entries) == {"Assises du Centre-Ville — Plénière", "Assises du Centre-Ville — Atelier A"}
    plenary = entries["Assises du Centre-Ville — Plénière"]
    assert plenary.decoded("DTSTART") == sessions["pleniere"].start
    assert plenary.decoded("DTEND") == sessions["pleniere"].end  # the session's hour, not the whole day
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/fr/evenements/inscription/{registration.token}/",
            {"action": "sessions", "sessions": [sessions["pleniere"].pk, sessions["c"].pk]},
        )
    assert response.status_code == 302
    change = mailoutbox[-1]
    assert change.subject.startswith("Sessions modifiées")
    files = attachments(change)
    updated = {str(v["SUMMARY"]): v for v in files["evenement.ics"].walk("VEVENT")}
    assert set(updated) == {"Assises du Centre-Ville — Plénière", "Assises du Centre-Ville — Atelier C"}
    [dropped] = files["sessions-annulees.ics"].walk("VEVENT")
    assert str(files["sessions-annulees.ics"]["METHOD"]) == "CANCEL"
    assert str(dropped["UID"]) == str(entries["Assises du Centre-Ville — Atelier A"]["UID"])
    assert int(updated["Assises du Centre-Ville — Plénière"]["SEQUENCE"]) > int(plenary["SEQUENCE"])


# 11 and 13. The private page's heading and the waiting-list position ---------------------------------------
@pytest.mark.parametrize(
    ("status", "heading"),
    [
        ("confirmed", "Inscription confirmée"),
        ("waitlisted", "Vous êtes sur la liste d'attente"),
        ("pending", "Votre demande attend sa validation"),
        ("cancelled", "Inscription annulée"),
    ],
)
def test_the_private_page_heading_matches_the_status(client, workshop, status, heading):
    registration = RegistrationFactory(event=workshop, status=status, waitlisted_at=timezone.now())
    html = text(client.get(f"/fr/evenements/inscription/{registration.token}/"))
    assert re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip() == heading


def test_a_waitlisted_person_sees_their_position(client, workshop):
    RegistrationFactory.create_batch(2, event=workshop)
    now = timezone.now()
    waiting = [
        RegistrationFactory(event=workshop, status="waitlisted", waitlisted_at=now + datetime.timedelta(minutes=n))
        for n in range(3)
    ]
    html = text(client.get(f"/fr/evenements/inscription/{waiting[2].token}/"))
    assert "Vous êtes n° 3 sur la liste d'attente" in html
    seats.cancel(waiting[0])
    assert "Vous êtes n° 2 sur la liste d'attente" in text(
        client.get(f"/fr/evenements/inscription/{waiting[2].token}/")
    )


# 14. First come, first served, whatever frees the seat -----------------------------------------------
def waitlist(event, *emails):
    now = timezone.now()
    return [
        RegistrationFactory(
            event=event, email=email, status="waitlisted", waitlisted_at=now + datetime.timedelta(minutes=n)
        )
        for n, email in enumerate(emails)
    ]


def statuses(event):
    return dict(event.registrations.values_list("email", "status"))


def test_raising_the_capacity_on_publish_promotes_the_waiting_list_in_order(
    workshop, django_capture_on_commit_callbacks, mailoutbox
):
    RegistrationFactory.create_batch(2, event=workshop)
    waitlist(workshop, "first@example.fr", "second@example.fr", "third@example.fr")
    page = EventPage.objects.get(pk=workshop.pk)
    page.capacity = 4
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    found = statuses(workshop)
    assert (found["first@example.fr"], found["second@example.fr"], found["third@example.fr"]) == (
        "confirmed",
        "confirmed",
        "waitlisted",
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["first@example.fr", "second@example.fr"]


def test_raising_a_sessions_capacity_promotes_the_first_person_waiting_for_it(
    assises, django_capture_on_commit_callbacks
):
    event, sessions = assises
    RegistrationFactory(event=event, sessions=[sessions["c"]])
    first, second = waitlist(event, "first@example.fr", "second@example.fr")
    first.sessions.set([sessions["c"]])
    second.sessions.set([sessions["c"]])
    page = EventPage.objects.get(pk=event.pk)
    children = list(page.sessions.all())
    for session in children:
        session.capacity = 2 if session.pk == sessions["c"].pk else session.capacity
    page.sessions = children  # as the editor's form does: the page's sessions, in its revision
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    found = statuses(event)
    assert (found["first@example.fr"], found["second@example.fr"]) == ("confirmed", "waitlisted")


def test_a_newcomer_never_takes_a_seat_someone_is_waiting_for(client, workshop, django_capture_on_commit_callbacks):
    RegistrationFactory.create_batch(2, event=workshop)
    waitlist(workshop, "first@example.fr")
    # A seat is freed without the waiting list being served (a change made directly in the database).
    EventPage.objects.filter(pk=workshop.pk).update(capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{workshop.url}inscription/", person(email="newcomer@example.fr"))
    found = statuses(workshop)
    assert found["first@example.fr"] == "confirmed" and found["newcomer@example.fr"] == "waitlisted"


def test_deleting_or_refusing_frees_the_seat_for_the_first_waiting(workshop, django_capture_on_commit_callbacks):
    holder, other = RegistrationFactory.create_batch(2, event=workshop)
    waitlist(workshop, "first@example.fr", "second@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        holder.delete()
    assert statuses(workshop)["first@example.fr"] == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        seats.refuse(other)
    assert statuses(workshop)["second@example.fr"] == "confirmed"


def test_promote_waitlisted_is_public_and_first_come_first_served(workshop):
    RegistrationFactory.create_batch(2, event=workshop)
    later, earlier = waitlist(workshop, "later@example.fr", "earlier@example.fr")
    Registration.objects.filter(pk=earlier.pk).update(waitlisted_at=later.waitlisted_at - datetime.timedelta(hours=1))
    EventPage.objects.filter(pk=workshop.pk).update(capacity=3)
    assert [r.email for r in seats.promote_waitlisted(workshop)] == ["earlier@example.fr"]
    assert seats.promote_waitlisted(workshop) == []


def test_an_accepted_request_waits_behind_the_waiting_list(make_event):
    event = make_event(capacity=1, approval_required=True)
    RegistrationFactory(event=event)
    waiting, pending = waitlist(event, "waiting@example.fr", "pending@example.fr")
    Registration.objects.filter(pk=pending.pk).update(status="pending", waitlisted_at=None)
    EventPage.objects.filter(pk=event.pk).update(capacity=2)
    seats.approve(Registration.objects.get(pk=pending.pk))
    found = statuses(event)
    assert found["waiting@example.fr"] == "confirmed" and found["pending@example.fr"] == "waitlisted"


# 16. Organisers told of a request awaiting approval --------------------------------------------------
def test_organisers_are_emailed_when_a_registration_awaits_approval(
    client, make_event, django_user_model, settings, django_capture_on_commit_callbacks, smtp_server
):
    settings.SITE_BASE_URL = "https://centralites.example.org"
    ensure_organisers_group()
    organiser = django_user_model.objects.create_user("orga", "orga@centralites.fr", "x")
    organiser.groups.add(Group.objects.get(name=ORGANISERS_GROUP))
    django_user_model.objects.create_user("visiteur", "visiteur@centralites.fr", "x")
    event = make_event(approval_required=True, title="Visite de terrain")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{event.url}inscription/", person())
    registration = Registration.objects.get()
    assert registration.status == "pending"
    to_organisers = [m for m in smtp_server.messages if m["to"] == ["orga@centralites.fr"]]
    assert len(to_organisers) == 1 and not [m for m in smtp_server.messages if "visiteur@" in m["to"][0]]
    message = to_organisers[0]["message"]
    assert message["Subject"] == "Inscription à valider : Visite de terrain"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"https://centralites.example.org/admin/evenements/{event.pk}/inscriptions/?statut=pending" in body
    assert "Camille Martin" in body


# 20. Members: a prefilled form, their registrations in the account --------------------------------------
def test_a_member_finds_a_prefilled_form_and_their_registrations(client, workshop, make_event, abbeville):
    user = get_user_model().objects.create_user("claire", "claire@abbeville.fr", "mot-de-passe-solide")
    user.first_name, user.last_name = "Claire", "Dubois"
    user.save()
    organisation = Organisation.objects.create(name="Ville d'Abbeville", slug="ville-abbeville", kind="commune")
    Member.objects.create(
        user=user,
        slug="claire-dubois",
        first_name="Claire",
        last_name="Dubois",
        role=Member._meta.get_field("role").choices[0][0],
        job_title="Manageuse de centre-ville",
        organisation=organisation,
        commune=abbeville,
    )
    client.force_login(user)
    form = client.get(f"{workshop.url}inscription/").content.decode()
    for value in (
        "claire@abbeville.fr",
        "Claire",
        "Dubois",
        "Ville d&#x27;Abbeville",
        "Manageuse de centre-ville",
        "80001",
    ):
        assert f'value="{value}"' in form, value
    past = make_event(title="Atelier passé", start=timezone.now() - datetime.timedelta(days=30))
    mine = RegistrationFactory(event=workshop, user=user, email="claire@abbeville.fr")
    old = RegistrationFactory(event=past, email="claire@abbeville.fr")
    RegistrationFactory(event=workshop)  # someone else's
    page = client.get("/fr/compte/inscriptions/")
    html = text(page)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    assert f'href="/fr/evenements/inscription/{mine.token}/"' in html
    assert f'href="/fr/evenements/inscription/{old.token}/"' in html
    assert html.count("/fr/evenements/inscription/") == 2
    english_page = client.get("/en/account/registrations/")
    assert english_page.status_code == 200 and "My registrations" in text(english_page)
    client.logout()
    assert client.get("/fr/compte/inscriptions/").status_code == 302


# 21. Deleting an account ------------------------------------------------------------------------------
def test_deleting_an_account_cancels_future_registrations_and_closes_pending_ones(
    django_user_model, workshop, make_event, django_capture_on_commit_callbacks, mailoutbox
):
    user = django_user_model.objects.create_user("claire", "claire@ville.fr", "mot-de-passe-solide")
    mine = RegistrationFactory(event=workshop, user=user, email="claire@ville.fr")
    RegistrationFactory(event=workshop)
    (waiting,) = waitlist(workshop, "next@example.fr")
    past = make_event(start=timezone.now() - datetime.timedelta(days=3), approval_required=True)
    pending = RegistrationFactory(event=past, email="claire@ville.fr", status="pending", confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        erase_registrations(user)
    mine.refresh_from_db(), pending.refresh_from_db(), waiting.refresh_from_db()
    assert mine.status == "cancelled" and mine.email == "" and mine.anonymised_at is not None
    assert waiting.status == "confirmed"  # the freed seat went to the waiting list
    assert pending.status == "cancelled" and pending.email == ""  # nothing anonymous left to accept
    assert [m.to for m in mailoutbox] == [["next@example.fr"]]  # the erased person is not written to


# 28. The same tests on any day ------------------------------------------------------------------------------
@pytest.mark.parametrize("day", ["2026-12-31T22:30", "2027-02-28T23:30", "2028-02-29T12:00"])
def test_the_waiting_list_scenario_holds_on_month_ends(client, make_event, day, django_capture_on_commit_callbacks):
    moment = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=True):
        event = make_event(capacity=1)
        assert event.start > timezone.now()
        leaving = RegistrationFactory(event=event)
        (first, second) = waitlist(event, "first@example.fr", "second@example.fr")
        with django_capture_on_commit_callbacks(execute=True):
            seats.cancel(leaving)
        assert statuses(event) == {
            leaving.email: "cancelled",
            "first@example.fr": "confirmed",
            "second@example.fr": "waitlisted",
        }
        assert EventSessionFactory(event=event).start == event.start
