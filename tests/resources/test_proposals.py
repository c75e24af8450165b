import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.models import WorkflowState

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


def test_uploads_are_checked_for_size(client, projetotheque, member, monkeypatch):
    from hub import forms

    monkeypatch.setattr(forms, "MAX_IMAGE_BYTES", 10)
    client.force_login(member)
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    html = client.post(URL, {**valid_data(image_alt="Vue des halles"), "image": upload}).content.decode()
    assert "dépasse 5 Mo" in html


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
    # Moderators are told by Wagtail's workflow notifications.
    assert any("moderation@centralites.fr" in message.to for message in mail.outbox)

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
