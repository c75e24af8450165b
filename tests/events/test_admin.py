"""Organiser tools in the Wagtail admin."""

import io

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from events.apps import ORGANISERS_GROUP, ensure_organisers_group
from events.factories import RegistrationFactory
from events.models import EventMessageDelivery, Registration
from tests.events.conftest import text


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
    for suffix in ("inscriptions/", "inscriptions.csv", "inscriptions.xlsx", "pointage/", "message/"):
        response = client.get(url(workshop, suffix), follow=True)
        assert response.redirect_chain[0][0] == "/admin/", suffix
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
    assert waiting.status == "waitlisted" and event.seats_taken() == 1
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
    csv = b"".join(organiser_client.get(url(workshop, "inscriptions.csv")).streaming_content).decode("utf-8")
    assert csv.startswith("\ufeffPrénom")
    assert "Éloïse" in csv and "'=HYPERLINK" in csv and "'+33 cmd" in csv
    response = organiser_client.get(url(workshop, "inscriptions.xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Prénom" and rows[1][0] == "Éloïse"
    assert rows[1][1] == '\'=HYPERLINK("http://evil")' and rows[1][3] == "'+33 cmd"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_email_all_confirmed_attendees_once(organiser_client, workshop, mailoutbox, django_capture_on_commit_callbacks):
    RegistrationFactory(event=workshop, email="a@example.fr")
    RegistrationFactory(event=workshop, email="b@example.fr", status="attended")
    RegistrationFactory(event=workshop, email="c@example.fr", status="waitlisted")
    response = organiser_client.post(url(workshop, "message/"), {"subject": "", "body": ""})
    assert text(response).count("Champ requis.") == 2
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url(workshop, "message/"), {"subject": "Salle changée", "body": "Rendez-vous salle 2."})
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.fr", "b@example.fr"]
    assert "Rendez-vous salle 2." in mailoutbox[0].body
    from events.tasks import send_event_message

    message_id = EventMessageDelivery.objects.first().message_id
    assert send_event_message.call(message_id) == 0  # a restart sends nothing twice
    assert len(mailoutbox) == 2
