import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.images import get_image_model
from wagtail.models import Task, WorkflowState

from hub.models import Commune, Department
from resources.models import ProjectPage

URL = "/fr/projetotheque/proposer/"


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("camille", "camille@mairie-doullens.fr", "un-mot-de-passe-solide")


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("modo", "moderation@centralites.fr", "un-mot-de-passe-solide")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 0, 145)).save(buffer, "PNG")
    return buffer.getvalue()


def valid_data(**overrides):
    data = {
        "title": "Halles gourmandes de Doullens",
        "commune": "80253",
        "summary": "Les halles rouvrent avec des producteurs locaux.",
        "programmes": ["pvd"],
        "thematics": ["commerce"],
        "status": "en-cours",
        "start_year": "2024",
        "context": "Des halles fermées depuis 2015.",
        "actions": "Travaux, appel à candidatures.\nOuverture en mai.",
        "results": "",
        "image_alt": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_a_visitor_cannot_propose(client, projetotheque):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/fr/compte/connexion/?next=")
    response = client.post(URL, valid_data())
    assert response.status_code == 302
    assert not ProjectPage.objects.filter(title="Halles gourmandes de Doullens").exists()


def test_bad_input_gets_field_errors_and_saves_nothing(client, projetotheque, member):
    client.force_login(member)
    count = ProjectPage.objects.count()
    bad = valid_data(commune="99999", title="", thematics=[], start_year="1800")
    html = client.post(URL, bad).content.decode()
    assert "Commune inconnue" in html
    assert html.count("fr-error-text") >= 3
    assert ProjectPage.objects.count() == count


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("photo.jpg", b"not really an image", content_type="image/jpeg"), "image"),
        (SimpleUploadedFile("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"), ""),
    ],
)
def test_uploads_are_checked_for_type(client, projetotheque, member, upload, message):
    client.force_login(member)
    count = ProjectPage.objects.count()
    response = client.post(URL, {**valid_data(image_alt="Une photo"), "image": upload})
    assert response.status_code == 200
    assert "fr-error-text" in response.content.decode()
    assert ProjectPage.objects.count() == count


def test_uploads_are_checked_for_size(client, projetotheque, member, settings):
    settings.HUB_PROPOSAL_IMAGE_MAX_BYTES = 10
    client.force_login(member)
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    html = client.post(URL, {**valid_data(image_alt="Vue des halles"), "image": upload}).content.decode()
    assert "L&#x27;image dépasse 10" in html or "L'image dépasse 10" in html
    assert not ProjectPage.objects.filter(title="Halles gourmandes de Doullens").exists()


def test_honeypot_refuses_robots(client, projetotheque, member):
    client.force_login(member)
    client.post(URL, valid_data(website="http://spam.example"))
    assert not ProjectPage.objects.filter(title="Halles gourmandes de Doullens").exists()


def test_proposal_becomes_a_draft_in_moderation_and_the_member_hears_of_publication(
    client, projetotheque, member, moderator, django_capture_on_commit_callbacks
):
    client.force_login(member)
    upload = SimpleUploadedFile("halles.png", png_bytes(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**valid_data(image_alt="Les halles restaurées"), "image": upload})
    assert response.status_code == 302 and response["Location"].endswith("?envoye=1")
    assert "Merci, votre proposition est envoyée" in client.get(response["Location"]).content.decode()

    page = ProjectPage.objects.get(title="Halles gourmandes de Doullens")
    assert not page.live and page.proposed_by == member and page.commune.insee_code == "80253"
    assert list(page.programmes.values_list("slug", flat=True)) == ["pvd"]
    assert page.gallery_images.count() == 1
    assert [block.value["kind"] for block in page.body] == ["contexte", "actions"]
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    # The draft is not public.
    assert client.get(f"/fr/projetotheque/{page.slug}/").status_code == 404
    # Moderators are told once, by our own email with an absolute link to the sheet in the admin.
    to_moderator = [message for message in mail.outbox if "moderation@centralites.fr" in message.to]
    assert len(to_moderator) == 1 and f"http://testserver/admin/pages/{page.pk}/edit/" in to_moderator[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.get_latest_revision().publish(user=moderator)
    sent = [m for m in mail.outbox if "camille@mairie-doullens.fr" in m.to]
    assert len(sent) == 1 and "est publiée" in sent[0].subject
    assert f"/fr/projetotheque/{page.slug}/" in sent[0].body

    # A later republication does not email again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.refresh_from_db()
        page.save_revision().publish()
    assert not [m for m in mail.outbox if "camille@mairie-doullens.fr" in m.to]


@pytest.fixture
def superuser_moderator(django_user_model):
    user = django_user_model.objects.create_superuser("cheffe", "cheffe@centralites.fr", "un-mot-de-passe-solide")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def messages_to(smtp_server, address):
    return [record["message"] for record in smtp_server.messages if address in record["to"]]


def test_one_email_per_moderator_and_one_to_the_member_on_publication(
    client, projetotheque, member, moderator, superuser_moderator, smtp_server, django_capture_on_commit_callbacks
):
    """Wagtail's own workflow notifications stay silent for a member's proposal (issue 10, point 22)."""

    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, valid_data())
    page = ProjectPage.objects.get(title="Halles gourmandes de Doullens")
    for address in ("moderation@centralites.fr", "cheffe@centralites.fr"):
        [message] = messages_to(smtp_server, address)
        assert "Nouvelle proposition de fiche projet" in str(message["Subject"])
        assert f"http://testserver/admin/pages/{page.pk}/edit/" in message.get_body(("plain",)).get_content()
    assert messages_to(smtp_server, "camille@mairie-doullens.fr") == []

    # The moderator approves the proposal through the workflow: the member gets our email only.
    smtp_server.messages.clear()
    state = WorkflowState.objects.get(object_id=str(page.pk))
    task_state = state.current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        Task.objects.get(pk=task_state.task_id).specific.on_action(task_state, moderator, "approve")
    page.refresh_from_db()
    assert page.live
    [message] = messages_to(smtp_server, "camille@mairie-doullens.fr")
    assert "est publiée" in str(message["Subject"])
    assert f"http://testserver/fr/projetotheque/{page.slug}/" in message.get_body(("plain",)).get_content()
    assert messages_to(smtp_server, "moderation@centralites.fr") == []


def test_an_editor_submission_still_gets_wagtail_notifications(projetotheque, moderator, django_user_model):
    editor = django_user_model.objects.create_user("redac", "redac@centralites.fr", "un-mot-de-passe-solide")
    page = projetotheque["draft"]
    page.save_revision(user=editor)
    mail.outbox.clear()
    page.get_workflow().start(page, editor)
    assert any("moderation@centralites.fr" in message.to for message in mail.outbox)


def test_proposals_are_limited_per_member_per_day(client, projetotheque, member, settings):
    """Issue 10, point 35: RESOURCES_PROPOSALS_PER_DAY proposals per member in 24 hours; then a clear refusal."""

    settings.RESOURCES_PROPOSALS_PER_DAY = 2
    client.force_login(member)
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for number in (1, 2):
            response = client.post(URL, valid_data(title=f"Projet numéro {number}"))
            assert response.status_code == 302
        count, images = ProjectPage.objects.count(), get_image_model().objects.count()
        response = client.post(URL, valid_data(title="Projet numéro 3"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Vous avez déjà proposé 2 fiches projet en 24 heures" in html.replace("&#x27;", "'")
        assert ProjectPage.objects.count() == count and get_image_model().objects.count() == images
        assert not ProjectPage.objects.filter(title="Projet numéro 3").exists()
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=1), tick=False):
        assert client.post(URL, valid_data(title="Projet numéro 3")).status_code == 302


def test_the_commune_is_chosen_by_name_with_homonyms_told_apart(client, projetotheque, member, territory):
    """Issue 10, point 19: the proposal form takes the commune's name, « Nom (département) » for homonyms."""

    oise = Department.objects.create(
        code="60", name="Oise", slug="oise", region=territory["abbeville"].department.region
    )
    Commune.objects.create(insee_code="60253", name="Doullens", slug="doullens-60253", population=10, department=oise)
    client.force_login(member)
    form_html = client.get(URL).content.decode()
    assert 'list="id_commune-suggestions"' in form_html
    html = client.post(URL, valid_data(commune="Doullens")).content.decode().replace("&#x27;", "'")
    assert "Plusieurs communes portent ce nom" in html and "Doullens (80)" in html
    assert not ProjectPage.objects.filter(title="Halles gourmandes de Doullens").exists()
    assert client.post(URL, valid_data(commune="Doullens (80)")).status_code == 302
    assert ProjectPage.objects.get(title="Halles gourmandes de Doullens").commune.insee_code == "80253"
