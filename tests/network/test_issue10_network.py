"""Issue 10, the directory's part: both languages with emails in the recipient's language (7), error
summaries and optional marks (11), commune, organisation and email address in the profile (19), own
profile and consent links (22), image pixel limits (30), one-line contact subjects (35)."""

import datetime
import io
import re
import struct
import zlib

import PIL.Image
import pytest
import time_machine
from django import forms as django_forms
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, translate_url
from django.utils import translation
from PIL import Image

from hub.forms import check_uploaded_image
from hub.models import Commune, Department
from network.apps import MODERATORS_GROUP
from network.membership import approve, refuse
from network.models import Application, ContactMessage, EmailChangeRequest, Member, Organisation
from network.personal_data import erase_account, export_personal_data

pytestmark = pytest.mark.django_db


def application_data(**overrides):
    data = {
        "first_name": "Emma",
        "last_name": "English",
        "email": "emma.english@town.example",
        "role": "manager",
        "job_title": "Town-centre manager",
        "organisation_name": "Town of Abbeville",
        "organisation_kind": "commune",
        "commune": "Abbeville (80)",
        "motivation": "Meet other managers.",
        "visibility": "public",
        "consent_to_appear": "on",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def profile_data(member, **overrides):
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "role": member.role,
        "job_title": "Manageuse",
        "organisation_name": "",
        "organisation_kind": "",
        "commune_input": "",
        "tags_input": "",
        "bio": "",
        "phone": "",
        "visibility": "public",
        "consent_to_appear": "on",
        "accepts_messages": "on",
        "language": "fr",
    }
    data.update(overrides)
    return data


def links(message):
    return re.findall(r"https?://[^\s\"'<>]+", message.body)


# 7 -----------------------------------------------------------------------------------------------------


ACCOUNT_ROUTES = [
    ("network:login", {}, "/en/account/login/"),
    ("network:logout", {}, "/en/account/logout/"),
    ("network:password_reset", {}, "/en/account/password/"),
    ("network:password_reset_done", {}, "/en/account/password/sent/"),
    ("network:password_reset_complete", {}, "/en/account/password/done/"),
    ("network:password_change", {}, "/en/account/password/change/"),
    ("network:profile", {}, "/en/account/profile/"),
    ("network:profile_preview", {}, "/en/account/profile/preview/"),
    ("network:data_export", {}, "/en/account/my-data.json"),
    ("network:delete", {}, "/en/account/delete/"),
    ("network:deleted", {}, "/en/account/delete/done/"),
    ("network:email_change", {}, "/en/account/email-address/"),
    ("network:communes", {}, "/en/account/communes.json"),
]


@pytest.mark.parametrize("name, kwargs, english", ACCOUNT_ROUTES)
def test_every_account_url_has_english_slugs_and_maps_between_languages(name, kwargs, english):
    with translation.override("en"):
        assert reverse(name, kwargs=kwargs) == english
    with translation.override("fr"):
        french = reverse(name, kwargs=kwargs)
    assert french.startswith("/fr/compte/")
    # The language switcher relies on Django's translate_url.
    with translation.override("fr"):
        assert translate_url(french, "en") == english
    with translation.override("en"):
        assert translate_url(english, "fr") == french


def test_account_pages_answer_in_english(client, people):
    client.force_login(people["public"].user)
    for path, heading in [
        ("/en/account/profile/", "My profile"),
        ("/en/account/profile/preview/", None),
        ("/en/account/password/change/", None),
        ("/en/account/delete/", None),
        ("/en/account/email-address/", None),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<html lang="en"' in html or 'lang="en"' in html[:400], path
        if heading:
            assert heading in html
    assert client.get("/en/account/my-data.json").status_code == 200
    client.logout()
    assert client.get("/en/account/login/").status_code == 200
    assert client.get("/en/account/password/").status_code == 200


def test_english_directory_routes(client, people):
    assert client.get("/en/directory/").status_code == 200
    response = client.get("/en/directory/apply/")
    assert response.status_code == 200 and "Join the network" in response.content.decode()
    assert client.get("/fr/annuaire/adherer/").status_code == 200
    assert client.get("/en/directory/paula-publique/").status_code == 200


def test_an_english_application_gets_english_emails_with_english_links(
    client, directory, abbeville, django_user_model, django_capture_on_commit_callbacks
):
    moderator = django_user_model.objects.create_user("modo", "moderation@centralites.example", "x" * 14)
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/directory/apply/", application_data())
    assert response.status_code == 302 and response["Location"] == "/en/directory/apply/?envoye=1"
    application = Application.objects.get()
    assert application.language == "en" and application.commune == abbeville
    received = next(m for m in mail.outbox if m.to == ["emma.english@town.example"])
    assert received.subject == "We have received your membership application"
    to_moderators = next(m for m in mail.outbox if m.to == ["moderation@centralites.example"])
    assert to_moderators.subject.startswith("Nouvelle demande")  # the team works in French

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member = approve(application.pk, moderator)
    assert member.language == "en"
    (activation,) = mail.outbox
    assert activation.subject == "Welcome to the network: activate your account"
    (link,) = [url for url in links(activation) if "/activation/" in url]
    assert link.startswith("http://testserver/en/account/activation/")
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_an_english_refusal_and_existing_account_notice(client, people, directory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/directory/apply/", application_data(email="other@town.example"))
    application = Application.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refuse(application.pk, None, "Not a town-centre actor.")
    assert [m.subject for m in mail.outbox] == ["Your application to join the network"]

    mail.outbox.clear()
    existing = people["public"].user.email
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/directory/apply/", application_data(email=existing))
    (notice,) = mail.outbox
    assert notice.subject == "You already have an account"
    assert any(url.startswith("http://testserver/en/account/password/") for url in links(notice))


def test_password_reset_asked_in_english_links_to_the_english_page(client, people, django_capture_on_commit_callbacks):
    user = people["public"].user
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/account/password/", {"email": user.email})
    (message,) = mail.outbox
    assert message.subject == "Choose a new password"
    (link,) = [url for url in links(message) if "/password/" in url]
    assert link.startswith("http://testserver/en/account/password/")
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    assert response.status_code == 200


def test_a_relayed_message_reaches_an_english_member_in_english(client, people, django_capture_on_commit_callbacks):
    recipient = people["public"]
    Member.objects.filter(pk=recipient.pk).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/fr/annuaire/{recipient.slug}/contact/",
            {"sender_name": "Jean", "sender_email": "jean@exemple.fr", "subject": "Halles", "message": "Bonjour"},
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "[Directory] Halles"
    assert "http://testserver/en/account/profile/" in links(message)


# 11 ----------------------------------------------------------------------------------------------------


def test_errors_are_summarised_with_links_to_the_fields_and_optional_fields_marked(client, directory):
    response = client.post("/fr/annuaire/adherer/", {})
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(
        r'<div class="fr-alert fr-alert--error[^"]*"[^>]*data-error-summary[^>]*>(.*?)</div>', html, re.S
    )
    assert summary, "no error summary"
    anchors = re.findall(r'href="#([\w-]+)"', summary.group(1))
    for field_id in ["id_first_name", "id_email", "id_role", "id_motivation", "id_accept_terms"]:
        assert field_id in anchors
        assert f'id="{field_id}"' in html
    assert 'tabindex="-1"' in summary.group(0)
    assert "hub/js/form-errors.js" in html
    # Optional fields say so; required ones do not.
    assert re.search(r"Commune de rattachement\s*\(facultatif\)", html)
    assert re.search(r"Programmes\s*\(facultatif\)", html)
    assert "Prénom (facultatif)" not in html


def test_no_summary_on_a_fresh_form(client, directory):
    html = client.get("/fr/annuaire/adherer/").content.decode()
    assert "data-error-summary" not in html


def test_the_summary_is_in_english_on_english_pages(client, directory):
    html = client.post("/en/directory/apply/", {}).content.decode()
    assert "The form contains" in html and "(optional)" in html


# 19 ----------------------------------------------------------------------------------------------------


@pytest.fixture
def homonyms(abbeville):
    region = abbeville.department.region
    seine = Department.objects.create(code="93", name="Seine-Saint-Denis", slug="seine-saint-denis", region=region)
    reunion = Department.objects.create(code="974", name="La Réunion", slug="la-reunion", region=region)
    return [
        Commune.objects.create(insee_code="93066", name="Saint-Denis", slug="saint-denis-93066", department=seine),
        Commune.objects.create(insee_code="97411", name="Saint-Denis", slug="saint-denis-97411", department=reunion),
    ]


def test_the_profile_form_shows_the_communes_name(member_client, people, abbeville):
    html = member_client.get("/fr/compte/profil/").content.decode()
    assert 'value="Abbeville (80)"' in html
    assert 'list="id_commune_input-suggestions"' in html and 'data-commune-source="/fr/compte/communes.json"' in html


def test_homonyms_are_told_apart_by_department(member_client, people, homonyms):
    member = people["public"]
    response = member_client.post("/fr/compte/profil/", profile_data(member, commune_input="Saint-Denis"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Plusieurs communes portent ce nom" in html and "Saint-Denis (93)" in html and "Saint-Denis (974)" in html
    response = member_client.post("/fr/compte/profil/", profile_data(member, commune_input="Saint-Denis (974)"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.commune == homonyms[1] and member.department.code == "974"


def test_the_commune_autocomplete(client, homonyms, abbeville):
    data = client.get("/fr/compte/communes.json", {"q": "saint-d"}).json()
    assert [row["value"] for row in data["results"]] == ["Saint-Denis (93)", "Saint-Denis (974)"]
    assert client.get("/en/account/communes.json", {"q": "80"}).json()["results"] == [
        {"value": "Abbeville (80)", "insee": "80001"}
    ]
    assert client.get("/fr/compte/communes.json", {"q": "a"}).json() == {"results": []}
    assert client.get("/fr/compte/communes.json", {"q": "\x00'\""}).status_code == 200


def test_the_application_resolves_a_commune_with_its_department(client, directory, homonyms):
    response = client.post("/fr/annuaire/adherer/", application_data(commune="Saint-Denis (93)"))
    assert response.status_code == 302
    assert Application.objects.get().commune == homonyms[0]


def test_the_member_chooses_an_existing_organisation_or_names_a_new_one(member_client, people, abbeville):
    member = people["public"]
    existing = Organisation.objects.create(name="CCI Amiens-Picardie", kind="cci_cma")
    html = member_client.get("/fr/compte/profil/").content.decode()
    assert '<option value="CCI Amiens-Picardie">' in html
    response = member_client.post("/fr/compte/profil/", profile_data(member, organisation_name="cci amiens-picardie"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.organisation == existing

    count = Organisation.objects.count()
    response = member_client.post("/fr/compte/profil/", profile_data(member, organisation_name="Les Vitrines d'Eu"))
    assert response.status_code == 400 and "Indiquez le type" in response.content.decode()
    assert Organisation.objects.count() == count
    response = member_client.post(
        "/fr/compte/profil/",
        profile_data(
            member, organisation_name="Les Vitrines d'Eu", organisation_kind="commercants", commune_input="80001"
        ),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.organisation.name, member.organisation.kind, member.organisation.commune) == (
        "Les Vitrines d'Eu",
        "commercants",
        abbeville,
    )


def test_changing_the_email_address_needs_the_link_sent_to_the_new_one(
    client, people, django_user_model, django_capture_on_commit_callbacks
):
    user = people["public"].user
    user.set_password("un-mot-de-passe-solide")
    user.save()
    old = user.email
    client.force_login(user)
    # Bad input: field errors, nothing recorded.
    response = client.post("/fr/compte/adresse-electronique/", {"new_email": "pas-une-adresse", "password": "faux"})
    assert response.status_code == 400 and "Mot de passe incorrect" in response.content.decode()
    taken = people["members"].user.email
    response = client.post(
        "/fr/compte/adresse-electronique/", {"new_email": taken, "password": "un-mot-de-passe-solide"}
    )
    assert response.status_code == 400 and not EmailChangeRequest.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/fr/compte/adresse-electronique/",
            {"new_email": "Paula.Nouvelle@Ville.example", "password": "un-mot-de-passe-solide"},
        )
    assert response.status_code == 200 and "paula.nouvelle@ville.example" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["paula.nouvelle@ville.example"]
    (link,) = [url for url in links(message) if "/adresse-electronique/" in url]
    path = link.removeprefix("http://testserver")
    user.refresh_from_db()
    assert user.email == old  # nothing changes before the link is followed

    client.logout()
    assert client.get(path).status_code == 200  # a mail scanner's visit changes nothing
    user.refresh_from_db()
    assert user.email == old
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == user.username == "paula.nouvelle@ville.example"
    (notice,) = mail.outbox
    assert notice.to == [old] and "paula.nouvelle@ville.example" in notice.body
    # Single use.
    assert client.post(path).status_code == 400
    response = client.post(
        "/fr/compte/connexion/", {"username": "paula.nouvelle@ville.example", "password": "un-mot-de-passe-solide"}
    )
    assert response.status_code == 302


def test_an_email_change_link_expires(client, people, django_capture_on_commit_callbacks):
    user = people["public"].user
    user.set_password("un-mot-de-passe-solide")
    user.save()
    client.force_login(user)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/fr/compte/adresse-electronique/",
                {"new_email": "tard@ville.example", "password": "un-mot-de-passe-solide"},
            )
    (link,) = [url for url in links(mail.outbox[0]) if "/adresse-electronique/" in url]
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 1, tzinfo=datetime.UTC), tick=False):
        assert client.post(link.removeprefix("http://testserver")).status_code == 400
    user.refresh_from_db()
    assert user.email != "tard@ville.example"


# 22 ----------------------------------------------------------------------------------------------------


def test_ones_own_profile_offers_no_write_to_button(member_client, people):
    member = people["public"]
    html = member_client.get(f"/fr/annuaire/{member.slug}/").content.decode()
    assert "Écrire à" not in html and "Envoyer le message" not in html
    assert "C’est votre profil" in html
    response = member_client.post(f"/fr/annuaire/{member.slug}/contact/", {"subject": "Moi", "message": "Moi"})
    assert response.status_code == 302 and not ContactMessage.objects.exists()


def test_a_profile_refusing_messages_says_so(client, people):
    member = people["public"]
    Member.objects.filter(pk=member.pk).update(accepts_messages=False)
    html = client.get(f"/fr/annuaire/{member.slug}/").content.decode()
    assert "ne souhaite pas recevoir de messages" in html and "Envoyer le message" not in html


def test_consent_checkboxes_link_to_the_personal_data_page(client, directory):
    html = client.get("/fr/annuaire/adherer/").content.decode()
    assert re.search(r'<label for="id_accept_terms".*?href="/fr/donnees-personnelles/"', html, re.S)
    html = client.get("/en/directory/apply/").content.decode()
    assert re.search(r'<label for="id_accept_terms".*?href="/en/[\w-]+/"', html, re.S)


# 30 ----------------------------------------------------------------------------------------------------


def png_header_bomb(width=13_000, height=13_000):
    """A valid PNG of width × height black pixels (1 bit): a few kilobytes that decode to 169 megapixels."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_a_profile_photo_with_too_many_pixels_is_refused_before_decoding(member_client, people, monkeypatch):
    member = people["public"]
    decoded = []
    original_load = PIL.Image.Image.load
    monkeypatch.setattr(PIL.Image.Image, "load", lambda self: decoded.append(self.size) or original_load(self))
    bomb = png_header_bomb()
    assert len(bomb) < 200_000
    upload = SimpleUploadedFile("plan.png", bomb, content_type="image/png")
    response = member_client.post("/fr/compte/profil/", {**profile_data(member), "photo": upload})
    assert response.status_code == 400
    assert "trop grande" in response.content.decode()
    assert (13_000, 13_000) not in decoded
    member.refresh_from_db()
    assert not member.photo


def test_check_uploaded_image_follows_wagtails_setting(settings):
    buffer = io.BytesIO()

    Image.new("RGB", (200, 100)).save(buffer, "PNG")
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 10_000
    with pytest.raises(django_forms.ValidationError):
        check_uploaded_image(SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png"))
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 20_000
    assert check_uploaded_image(SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png"))


# 35 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", ["Halles\nBcc: spam@example.com", "Halles\r\nvitrines", "Halles\rX"])
def test_a_line_break_in_the_contact_subject_is_a_field_error(client, people, subject):
    member = people["public"]
    response = client.post(
        f"/fr/annuaire/{member.slug}/contact/",
        {"sender_name": "Jean", "sender_email": "jean@exemple.fr", "subject": subject, "message": "Bonjour"},
    )
    assert response.status_code == 400
    assert "une seule ligne" in response.content.decode()
    assert not ContactMessage.objects.exists() and not mail.outbox


def test_after_an_email_change_the_export_and_the_erasure_still_find_the_application(client, people, directory):
    user = people["public"].user
    Application.objects.create(
        first_name="Paula",
        last_name="Publique",
        email="ancienne@ville.example",
        role="manager",
        job_title="Manageuse",
        organisation_name="Ville",
        organisation_kind="commune",
        motivation="…",
        status=Application.Status.APPROVED,
        user=user,
    )
    assert len(export_personal_data(user)["applications"]) == 1
    erase_account(user)
    assert not Application.objects.exists()
