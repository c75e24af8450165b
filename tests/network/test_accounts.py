"""A member's account: log in (with lockout), reset the password, edit the profile, export, delete."""

import io
import json
import re

import pytest
from django.core import mail
from PIL import Image
from wagtail import hooks

from network.models import ContactMessage, Member

pytestmark = pytest.mark.django_db

LOGIN = "/fr/compte/connexion/"
PASSWORD = "un-mot-de-passe-solide"


def test_a_member_logs_in_with_the_email_address_and_out(client, people):
    email = people["public"].user.email
    response = client.post(LOGIN, {"username": email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/fr/compte/profil/"
    assert "Marc Réservé" in client.get("/fr/annuaire/").content.decode()
    client.post("/fr/compte/deconnexion/")
    assert "Marc Réservé" not in client.get("/fr/annuaire/").content.decode()


def test_wrong_password_says_so_without_telling_which_part_is_wrong(client, people):
    response = client.post(LOGIN, {"username": people["public"].user.email, "password": "faux"})
    assert response.status_code == 400
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_repeated_failures_lock_the_account_for_this_address(client, people):
    email = people["public"].user.email
    for _attempt in range(5):
        client.post(LOGIN, {"username": email, "password": "mauvais"})
    locked = client.post(LOGIN, {"username": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "bloquée" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    other = client.post(LOGIN, {"username": people["members"].user.email, "password": PASSWORD})
    assert other.status_code == 302


def test_password_reset_by_email_link(client, people, django_capture_on_commit_callbacks):
    email = people["public"].user.email
    response = client.post("/fr/compte/mot-de-passe/", {"email": email})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/fr/compte/mot-de-passe/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "nouveau-mot-de-passe-2026"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    people["public"].user.refresh_from_db()
    assert people["public"].user.check_password(new)
    # An unknown address gets the same page and no email.
    count = len(mail.outbox)
    assert client.post("/fr/compte/mot-de-passe/", {"email": "inconnu@example.org"}).status_code == 302
    assert len(mail.outbox) == count


def jpeg_with_exif(size=(1600, 1200)):
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "Appareil photo secret"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = "portrait.jpg"
    return buffer


def profile_data(member, **overrides):
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "role": member.role,
        "job_title": "Manageuse du commerce",
        "commune_input": "80001",
        "tags_input": "halles, vitrines",
        "bio": "Nouvelle présentation.",
        "phone": "03 22 11 22 33",
        "visibility": "public",
        "consent_to_appear": "on",
        "accepts_messages": "on",
        "language": "fr",
    }
    data.update(overrides)
    return data


def test_own_profile_edit_with_a_photo_made_small_and_stripped(member_client, people, abbeville, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    member = people["public"]
    response = member_client.post("/fr/compte/profil/", {**profile_data(member), "photo": jpeg_with_exif()})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.job_title, member.commune, member.department) == (
        "Manageuse du commerce",
        abbeville,
        abbeville.department,
    )
    assert sorted(member.tags.names()) == ["halles", "vitrines"]
    with Image.open(member.photo.path) as stored:
        assert max(stored.size) == 600
        assert not stored.getexif()
    assert "Nouvelle présentation." in member_client.get(f"/fr/annuaire/{member.slug}/").content.decode()


def test_uploads_that_are_not_images_are_refused(member_client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = io.BytesIO(b"#!/bin/sh\necho pas une image\n")
    fake.name = "photo.jpg"
    response = member_client.post("/fr/compte/profil/", {**profile_data(people["public"]), "photo": fake})
    assert response.status_code == 400
    assert not Member.objects.get(pk=people["public"].pk).photo


def test_preview_shows_what_the_public_sees(member_client, people):
    member = people["public"]
    public_view = member_client.get("/fr/compte/profil/apercu/").content.decode()
    members_view = member_client.get("/fr/compte/profil/apercu/?vue=membres").content.decode()
    assert member.full_name in public_view and member.phone not in public_view
    assert member.phone in members_view


def test_own_data_export_holds_the_profile_and_what_other_apps_add(member_client, people):
    def contribution(user):
        return {"registrations": [{"event": "Assises", "email": user.email}]}

    with hooks.register_temporarily("network_personal_data", contribution):
        response = member_client.get("/fr/compte/mes-donnees.json")
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["account"]["email"] == people["public"].user.email
    assert data["profile"]["last_name"] == "Publique" and data["profile"]["phone"] == people["public"].phone
    assert data["registrations"][0]["event"] == "Assises"
    assert people["members"].user.email not in response.content.decode()


def test_account_deletion_needs_the_password_then_removes_profile_and_account(client, people):
    member = people["public"]
    user = member.user
    ContactMessage.objects.create(
        recipient=people["members"],
        sender_user=user,
        sender_name="Paula Publique",
        sender_email=user.email,
        subject="x",
    )
    erased = []
    client.force_login(user)
    with hooks.register_temporarily("network_erase_personal_data", erased.append):
        wrong = client.post("/fr/compte/suppression/", {"password": "faux", "confirm": "on"})
        assert wrong.status_code == 400 and Member.objects.filter(pk=member.pk).exists()
        done = client.post("/fr/compte/suppression/", {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    assert not Member.objects.filter(pk=member.pk).exists()
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert [u.username for u in erased] == [user.username]
    log = ContactMessage.objects.get()
    assert (log.sender_name, log.sender_email, log.sender_user) == ("", "", None)
    assert "Paula Publique" not in client.get("/fr/annuaire/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/fr/compte/",
        "/fr/compte/profil/",
        "/fr/compte/profil/apercu/",
        "/fr/compte/mes-donnees.json",
        "/fr/compte/suppression/",
        "/fr/compte/mot-de-passe/changer/",
    ],
)
def test_members_only_urls_refuse_anonymous_visitors(client, people, url):
    for response in (client.get(url), client.post(url, {"password": PASSWORD, "confirm": "on"})):
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
    assert Member.objects.count() == 4
