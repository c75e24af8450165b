"""Organiser tools in the Wagtail admin."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from events.apps import ORGANISERS_GROUP, ensure_organisers_group
from events.factories import RegistrationFactory
from events.messaging import send_event_message, without_greeting
from events.models import EventMessage, EventMessageDelivery, EventQuestion, Registration
from tests.events.conftest import seats_taken, smtp_inbox, text  # noqa: F401 — smtp_inbox is a fixture

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def organiser(django_user_model):
    user = django_user_model.objects.create_user("orga", "orga@centralites.fr", "mot-de-passe-solide")
    user.groups.add(Group.objects.get(name=ORGANISERS_GROUP))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def url(event, suffix="inscriptions/"):
    return f"/admin/evenements/{event.pk}/{suffix}"


def export_url(event, format, **filters):
    """One event's export, from the registrations viewset (its event filter chosen)."""
    return reverse("events_registration:index") + "?" + urlencode({"event": event.pk, **filters, "export": format})


def test_the_organisers_group_is_created_once_with_its_permissions(db):
    ensure_organisers_group()
    ensure_organisers_group()
    group = Group.objects.get(name=ORGANISERS_GROUP)
    assert {p.codename for p in group.permissions.all()} == {"manage_registrations", "access_admin"}


def test_other_admin_users_cannot_see_registrations(client, django_user_model, workshop):
    editor = django_user_model.objects.create_user("editeur", "e@example.fr", "mot-de-passe-solide")
    editor.groups.add(Group.objects.get(name="Editors"))
    RegistrationFactory(event=workshop, last_name="Confidentiel")
    client.force_login(editor)
    # Wagtail turns a refusal into a redirect to the dashboard with a message.
    addresses = [url(workshop, suffix) for suffix in ("inscriptions/", "pointage/", "message/")]
    addresses += [export_url(workshop, "csv"), export_url(workshop, "xlsx"), reverse("events_registration:index")]
    for address in addresses:
        response = client.get(address, follow=True)
        assert response.redirect_chain[0][0] == "/admin/", address
        assert "Confidentiel" not in text(response)


def test_registrations_view_with_counts_and_filters(organiser_client, assises):
    event, sessions = assises
    RegistrationFactory(event=event, last_name="Alpha", sessions=[sessions["a"]])
    RegistrationFactory(event=event, last_name="Bravo", status="waitlisted", sessions=[sessions["b"]])
    RegistrationFactory(event=event, last_name="Charlie", status="pending")
    html = text(organiser_client.get(url(event)))
    assert 'data-count="confirmed">1<' in html and 'data-count="waitlisted">1<' in html
    assert "Alpha" in html and "Bravo" in html and "Charlie" in html
    html = text(organiser_client.get(url(event) + "?statut=waitlisted"))
    assert "Bravo" in html and "Alpha" not in html
    html = text(organiser_client.get(url(event) + f"?session={sessions['a'].pk}"))
    assert "Alpha" in html and "Bravo" not in html


def test_the_event_editor_links_to_its_registrations(organiser_client, admin_client, workshop):
    html = admin_client.get(f"/admin/pages/{workshop.pk}/edit/").content.decode()
    assert url(workshop) in html
    assert url(workshop) in text(organiser_client.get("/admin/evenements/"))


def test_approve_refuse_and_promote(organiser_client, make_event, django_capture_on_commit_callbacks, mailoutbox):
    event = make_event(capacity=1, approval_required=True)
    pending = RegistrationFactory(event=event, status="pending")
    refused = RegistrationFactory(event=event, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url(event, f"inscriptions/{pending.pk}/approve/"))
        organiser_client.post(url(event, f"inscriptions/{refused.pk}/refuse/"))
    assert dict(Registration.objects.values_list("pk", "status")) == {pending.pk: "confirmed", refused.pk: "cancelled"}
    waiting = RegistrationFactory(event=event, status="waitlisted")
    response = organiser_client.post(url(event, f"inscriptions/{waiting.pk}/promote/"), follow=True)
    assert "la capacité ne peut pas être dépassée" in text(response)
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted" and seats_taken(event) == 1
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url(event, f"inscriptions/{pending.pk}/cancel/"))
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"  # the freed seat went to the waiting list
    assert organiser_client.get(url(event, f"inscriptions/{pending.pk}/approve/")).status_code == 405


def test_check_in_flags_a_second_check_in(organiser_client, workshop):
    registration = RegistrationFactory(event=workshop, last_name="Durand")
    waiting = RegistrationFactory(event=workshop, status="waitlisted")
    page = organiser_client.get(url(workshop, "pointage/"))
    assert 'name="viewport"' in page.content.decode() and "DURAND" in text(page)
    first = organiser_client.post(url(workshop, f"inscriptions/{registration.pk}/checkin/"), follow=True)
    assert "est pointé·e présent·e" in text(first)
    registration.refresh_from_db()
    assert registration.status == "attended" and registration.checked_in_at is not None
    second = organiser_client.post(url(workshop, f"inscriptions/{registration.pk}/checkin/"), follow=True)
    assert "a déjà été pointé·e" in text(second) and "Second passage signalé" in text(second)
    refused = organiser_client.post(url(workshop, f"inscriptions/{waiting.pk}/checkin/"), follow=True)
    assert "Seule une inscription confirmée peut être pointée." in text(refused)


def test_csv_and_xlsx_exports_are_utf8_and_safe_from_formulas(organiser_client, workshop):
    RegistrationFactory(
        event=workshop, first_name="Éloïse", last_name='=HYPERLINK("http://evil")', organisation="+33 cmd"
    )
    csv = b"".join(organiser_client.get(export_url(workshop, "csv")).streaming_content).decode("utf-8")
    assert csv.startswith("\ufeffPrénom")
    assert "Éloïse" in csv and "'=HYPERLINK" in csv and "'+33 cmd" in csv
    response = organiser_client.get(export_url(workshop, "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Prénom" and rows[1][0] == "Éloïse"
    assert rows[1][1] == '\'=HYPERLINK("http://evil")' and rows[1][3] == "'+33 cmd"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(content)))


def test_checked_in_people_count_as_confirmed(organiser_client, workshop):
    RegistrationFactory(event=workshop, last_name="Alpha")
    RegistrationFactory(event=workshop, last_name="Bravo", status="attended", checked_in_at=workshop.start)
    RegistrationFactory(event=workshop, last_name="Charlie", status="waitlisted")
    html = text(organiser_client.get(url(workshop)))
    assert 'data-count="confirmed">2<' in html and 'data-count="attended">1<' in html
    html = text(organiser_client.get(url(workshop) + "?statut=confirmed"))
    assert "Alpha" in html and "Bravo" in html and "Charlie" not in html
    assert "présent·e, pointé·e à" in html
    rows = csv_rows(organiser_client.get(export_url(workshop, "csv", status="confirmed")))
    status = rows[0].index("Statut")
    assert sorted((row[1], row[status]) for row in rows[1:]) == [("Alpha", "confirmée"), ("Bravo", "confirmée")]
    assert [row[rows[0].index("Présent·e")] for row in rows[1:]] == ["", "oui"]
    html = text(organiser_client.get(url(workshop) + "?statut=attended"))
    assert "Bravo" in html and "Alpha" not in html


def test_a_check_in_can_be_undone(organiser_client, workshop):
    registration = RegistrationFactory(event=workshop, last_name="Durand")
    organiser_client.post(url(workshop, f"inscriptions/{registration.pk}/checkin/"))
    page = text(organiser_client.get(url(workshop, "pointage/")))
    assert f"inscriptions/{registration.pk}/uncheckin/" in page and "Annuler le pointage" in page
    response = organiser_client.post(url(workshop, f"inscriptions/{registration.pk}/uncheckin/"), follow=True)
    assert "Pointage de Camille Durand annulé" in text(response)
    registration.refresh_from_db()
    assert registration.status == "confirmed" and registration.checked_in_at is None
    assert seats_taken(workshop) == 1
    again = organiser_client.post(url(workshop, f"inscriptions/{registration.pk}/uncheckin/"), follow=True)
    assert "n'est pas pointée présente" in text(again)
    assert organiser_client.get(url(workshop, f"inscriptions/{registration.pk}/uncheckin/")).status_code == 405


def test_check_in_per_session_with_search(organiser_client, assises):
    event, sessions = assises
    RegistrationFactory(event=event, last_name="Alpha", sessions=[sessions["a"]])
    RegistrationFactory(event=event, last_name="Bravo", sessions=[sessions["b"]], status="attended")
    RegistrationFactory(event=event, last_name="Brouet", sessions=[sessions["b"]])
    RegistrationFactory(event=event, last_name="Waiting", sessions=[sessions["b"]], status="waitlisted")
    page = text(organiser_client.get(url(event, "pointage/")))
    assert "ALPHA" in page and "BRAVO" in page and "WAITING" not in page
    assert "events/js/check-in.js" in page and 'id="checkin-session"' in page
    page = text(organiser_client.get(url(event, "pointage/") + f"?session={sessions['b'].pk}"))
    assert "ALPHA" not in page and "BRAVO" in page and "BROUET" in page
    assert "1 présent·es sur 2 attendu·es." in page
    page = text(organiser_client.get(url(event, "pointage/") + f"?session={sessions['b'].pk}&q=brou"))
    assert "BROUET" in page and "BRAVO" not in page
    page = text(organiser_client.get(url(event, "pointage/") + "?session=999999&q=%00"))
    assert page.count('<li id="inscription-') == 3  # an unknown session means the whole event


def test_answers_show_the_question_label(organiser_client, workshop):
    EventQuestion.objects.create(event=workshop, key="regime", label="Régime alimentaire", sort_order=0)
    RegistrationFactory(event=workshop, last_name="Alpha", answers={"regime": "végétarien", "ancienne": "x"})
    html = text(organiser_client.get(url(workshop)))
    assert "Régime alimentaire</span> : végétarien" in html and "regime :" not in html
    rows = csv_rows(organiser_client.get(export_url(workshop, "csv")))
    assert rows[1][rows[0].index("Régime alimentaire")] == "végétarien"


def test_the_edit_button_needs_the_page_edit_permission(organiser_client, admin_client, workshop):
    edit = f"/admin/pages/{workshop.pk}/edit/"
    assert edit not in text(organiser_client.get(url(workshop)))
    assert edit in text(admin_client.get(url(workshop)))


def test_the_xlsx_export_has_dates_widths_filters_and_sessions(organiser_client, assises):
    event, sessions = assises
    with time_machine.travel(datetime.datetime(2026, 11, 2, 8, 15, tzinfo=datetime.UTC), tick=False):
        RegistrationFactory(
            event=event,
            first_name="=1+1",
            last_name="Alpha",
            sessions=[sessions["pleniere"], sessions["a"]],
            status="attended",
            checked_in_at=datetime.datetime(2026, 12, 10, 8, 5, tzinfo=datetime.UTC),
        )
        RegistrationFactory(event=event, last_name="Bravo", sessions=[sessions["b"]])
    response = organiser_client.get(export_url(event, "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}3"
    registered = sheet.cell(2, header.index("Inscrit·e le") + 1)
    assert registered.value == datetime.datetime(2026, 11, 2, 9, 15)  # Paris time, no tzinfo
    assert registered.is_date and "yy" in registered.number_format
    assert sheet.cell(2, header.index("Pointé·e à") + 1).value == datetime.datetime(2026, 12, 10, 9, 5)
    assert sheet.cell(3, header.index("Pointé·e à") + 1).value is None
    titles = [str(s) for s in event.ordered_sessions()]
    assert all(title in header for title in titles)
    marks = {title: [sheet.cell(row, header.index(title) + 1).value for row in (2, 3)] for title in titles}
    assert marks[str(sessions["pleniere"])] == ["oui", None] and marks[str(sessions["b"])] == [None, "oui"]
    assert sheet.cell(2, 1).value == "'=1+1" and sheet.cell(2, 1).data_type == "s"
    widths = [sheet.column_dimensions[sheet.cell(1, i).column_letter].width for i in range(1, len(header) + 1)]
    assert all(6 <= width <= 50 for width in widths)
    assert widths[header.index("Adresse électronique")] > widths[header.index("Statut")]
    assert sheet.cell(2, header.index("Statut") + 1).value == "confirmée"


def plain(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_email_chosen_recipients_with_preview_and_test(
    organiser_client,
    organiser,
    assises,
    smtp_inbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    event, sessions = assises
    RegistrationFactory(event=event, email="a@example.fr", first_name="Ana", sessions=[sessions["a"]])
    RegistrationFactory(event=event, email="b@example.fr", status="attended", sessions=[sessions["a"]])
    RegistrationFactory(event=event, email="c@example.fr", sessions=[sessions["b"]])
    RegistrationFactory(event=event, email="w@example.fr", status="waitlisted", sessions=[sessions["a"]])
    form = organiser_client.get(url(event, "message/"))
    assert "Inscrit·es confirmé·es, présent·es compris (3)" in text(form)
    assert f'value="session-{sessions["a"].pk}"' in text(form)

    response = organiser_client.post(url(event, "message/"), {"recipients": "confirmed", "subject": "", "body": ""})
    assert text(response).count("Champ requis.") == 2 and not EventMessage.objects.exists()
    empty = organiser_client.post(
        url(event, "message/"), {"recipients": f"session-{sessions['c'].pk}", "subject": "Salle", "body": "Salle 2"}
    )
    assert "Personne ne recevrait ce message" in text(empty)
    assert (
        organiser_client.post(url(event, "message/"), {"recipients": "x", "subject": "a", "body": "b"}).status_code
        == 200
    )

    data = {
        "recipients": f"session-{sessions['a'].pk}",
        "subject": "Salle changée",
        "body": "Bonjour à tous,\n\nRendez-vous salle 2.",
    }
    organiser.first_name = "Olga"
    organiser.save()
    page = text(organiser_client.post(url(event, "message/"), {**data, "action": "preview"}))
    preview = page[page.index("Aperçu du message") :]
    assert "Bonjour Olga," in preview and preview.count("Bonjour") == 2  # the HTML and the text versions
    assert "Bonjour à tous" not in preview and "Rendez-vous salle 2." in preview
    assert not smtp_inbox.messages and not EventMessage.objects.exists()

    tested = text(organiser_client.post(url(event, "message/"), {**data, "action": "test"}))
    assert "Message de test envoyé à orga@centralites.fr" in tested
    [test] = smtp_inbox.wait_for("orga@centralites.fr")
    assert str(test["Subject"]) == "[Test] Salle changée" and plain(test).count("Bonjour") == 1
    assert not EventMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = organiser_client.post(url(event, "message/"), {**data, "action": "send"}, follow=True)
    assert "Message envoyé à 2 personnes." in text(sent)
    for address in ("a@example.fr", "b@example.fr"):
        [message] = smtp_inbox.wait_for(address)
        body = plain(message)
        assert body.count("Bonjour") == 1 and "Rendez-vous salle 2." in body
        assert "http://testserver/fr/evenements/inscription/" in body
        assert "http://testserver/fr/evenements/assises/" in body and "localhost" not in body
    assert "Bonjour Ana," in plain(smtp_inbox.to("a@example.fr")[0])
    assert not smtp_inbox.to("c@example.fr") and not smtp_inbox.to("w@example.fr")
    assert len(smtp_inbox.messages) == 3

    message_id = EventMessageDelivery.objects.first().message_id
    assert send_event_message.call(message_id) == 0  # a restart sends nothing twice
    assert len(smtp_inbox.messages) == 3


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("waitlisted", ["w@example.fr"]), ("attended", ["b@example.fr"]), ("confirmed", ["a@example.fr", "b@example.fr"])],
)
def test_recipient_choices(
    organiser_client, workshop, mailoutbox, django_capture_on_commit_callbacks, choice, expected
):
    RegistrationFactory(event=workshop, email="a@example.fr")
    RegistrationFactory(event=workshop, email="b@example.fr", status="attended")
    RegistrationFactory(event=workshop, email="w@example.fr", status="waitlisted")
    RegistrationFactory(event=workshop, email="x@example.fr", status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url(workshop, "message/"), {"recipients": choice, "subject": "Info", "body": "Texte."})
    assert sorted(m.to[0] for m in mailoutbox) == expected


def test_the_greeting_is_removed_only_when_it_is_one(db):
    assert without_greeting("Bonjour à toutes et à tous,\n\nLa salle change.") == "La salle change."
    assert without_greeting("Madame, Monsieur,\r\nLa salle change.") == "La salle change."
    assert without_greeting("Bonjour, la salle change demain.\nMerci.").startswith("Bonjour, la salle")
    assert without_greeting("La salle change.") == "La salle change."
    assert without_greeting("Bonjour\n\nLa salle change.") == "La salle change."
    assert without_greeting("Bonjour voici le programme\nÀ bientôt") == "Bonjour voici le programme\nÀ bientôt"


def test_the_organiser_tools_speak_english(organiser_client, organiser, assises, mailoutbox):
    profile = UserProfile.get_for_user(organiser)
    profile.preferred_language = "en"
    profile.save()
    event, sessions = assises
    RegistrationFactory(event=event, last_name="Alpha", status="attended", checked_in_at=event.start)
    listing = text(organiser_client.get(url(event)))
    assert "Confirmed, checked-in included" in listing and "Undo check-in" in listing
    check_in = text(organiser_client.get(url(event, "pointage/")))
    assert "Whole event" in check_in and "Undo the check-in of Camille Alpha" in check_in
    form = text(organiser_client.get(url(event, "message/")))
    assert "Confirmed attendees, checked-in included (1)" in form and "Send me a test" in form
    response = organiser_client.post(
        url(event, "message/"), {"recipients": "confirmed", "subject": "Room", "body": "Room 2.", "action": "test"}
    )
    assert "Test message sent to orga@centralites.fr." in text(response)
    [test] = mailoutbox
    assert test.subject == "[Test] Room" and test.body.startswith("Hello")
    rows = csv_rows(organiser_client.get(export_url(event, "csv")))
    assert rows[1][rows[0].index("Present")] == "yes"


def test_the_registrations_viewset_filters_searches_and_exports_across_events(organiser_client, make_event, assises):
    event, sessions = assises
    other = make_event(title="Visite de marché")
    RegistrationFactory(event=event, last_name="Alpha", sessions=[sessions["a"]])
    RegistrationFactory(event=event, last_name="Bravo", status="waitlisted", confirmed_at=None)
    RegistrationFactory(event=other, last_name="Charlie", organisation="Ville de Millau")
    index = reverse("events_registration:index")
    listed = text(organiser_client.get(index))
    assert all(name in listed for name in ("Alpha", "Bravo", "Charlie"))
    by_event = text(organiser_client.get(index, {"event": event.pk, "status": "confirmed"}))
    assert "Alpha" in by_event and "Bravo" not in by_event and "Charlie" not in by_event
    by_session = text(organiser_client.get(index, {"session": sessions["a"].pk}))
    assert "Alpha" in by_session and "Bravo" not in by_session
    assert "Charlie" in text(organiser_client.get(index, {"q": "Millau"}))
    assert organiser_client.get(index, {"event": "not-a-number"}).status_code == 200  # a field error, no 500
    rows = csv_rows(organiser_client.get(index, {"export": "csv"}))
    assert {row[1] for row in rows[1:]} == {"Alpha", "Bravo", "Charlie"}
    page = text(organiser_client.get(url(event)))
    assert f"{index}?event={event.pk}&export=csv" in page
