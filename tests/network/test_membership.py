"""Joining: application → moderator's decision in the admin → single-use, expiring activation link."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail

from hub.models import Programme
from network.apps import MODERATORS_GROUP
from network.models import Application, Member, Organisation

pytestmark = pytest.mark.django_db

APPLY = "/fr/annuaire/adherer/"


def application_data(**overrides):
    data = {
        "first_name": "Aline",
        "last_name": "Nouvelle",
        "email": "Aline.Nouvelle@Mairie-Abbeville.example",
        "role": "manager",
        "job_title": "Manageuse de centre-ville",
        "organisation_name": "Ville d'Abbeville",
        "organisation_kind": "commune",
        "commune": "80001",
        "motivation": "Échanger avec d'autres managers.",
        "visibility": "public",
        "consent_to_appear": "on",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def moderator(django_user_model, directory):
    user = django_user_model.objects.create_user("moderatrice", "moderation@centralites.example", "x" * 14)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def apply(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(APPLY, application_data(**overrides))


def test_an_application_is_recorded_and_acknowledged(
    client, directory, abbeville, moderator, django_capture_on_commit_callbacks
):
    acv = Programme.objects.get(slug="acv", locale__language_code="fr")
    response = apply(client, django_capture_on_commit_callbacks, programmes=[acv.pk])
    assert response.status_code == 302 and response["Location"].endswith("adherer/?envoye=1")
    application = Application.objects.get()
    assert (application.email, application.commune, application.status) == (
        "aline.nouvelle@mairie-abbeville.example",
        abbeville,
        "pending",
    )
    assert list(application.programmes.all()) == [acv]
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["aline.nouvelle@mairie-abbeville.example", "moderation@centralites.example"]


def test_bad_input_gets_field_errors_and_saves_nothing(client, directory, abbeville):
    response = client.post(APPLY, application_data(email="pas-une-adresse", commune="Nullepart", accept_terms=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Commune inconnue" in html
    assert "Saisissez une adresse e-mail valide" in html and "Champ requis" in html
    assert not Application.objects.exists() and not mail.outbox


def test_an_existing_account_is_told_by_email_not_by_the_page(client, people, django_capture_on_commit_callbacks):
    existing = people["public"].user.email
    response = apply(client, django_capture_on_commit_callbacks, email=existing, commune="")
    assert response.status_code == 302  # the same answer as for a new address
    assert not Application.objects.exists()
    assert mail.outbox[-1].to == [existing] and "déjà un compte" in mail.outbox[-1].subject


def test_honeypot_and_rate_limit(client, directory, abbeville, django_capture_on_commit_callbacks, still_clock):
    apply(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert not Application.objects.exists()
    for number in range(4):  # five posts an hour from one address, the robot's included
        apply(client, django_capture_on_commit_callbacks, email=f"personne{number}@example.org")
    response = apply(client, django_capture_on_commit_callbacks, email="encore@example.org")
    assert response.status_code == 429
    assert Application.objects.count() == 4


def decide(client, application, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/admin/network/application/decide/{application.pk}/", data)


def test_approval_creates_an_inactive_account_and_profile_then_the_link_activates_it_once(
    client, directory, abbeville, moderator, django_capture_on_commit_callbacks
):
    apply(client, django_capture_on_commit_callbacks)
    application = Application.objects.get()
    client.force_login(moderator)
    page = client.get(f"/admin/network/application/decide/{application.pk}/").content.decode()
    assert "Aline Nouvelle" in page and "Échanger avec d" in page
    assert decide(client, application, django_capture_on_commit_callbacks, action="approve").status_code == 302
    client.logout()

    member = Member.objects.select_related("user", "organisation").get()
    assert member.user.is_active is False and not member.user.has_usable_password()
    assert (member.visibility, member.consent_to_appear, member.commune) == ("public", True, abbeville)
    assert member.organisation == Organisation.objects.get(name="Ville d'Abbeville")
    application.refresh_from_db()
    assert (application.status, application.decided_by, application.user) == ("approved", moderator, member.user)

    activation = mail.outbox[-1]
    assert activation.to == ["aline.nouvelle@mairie-abbeville.example"]
    link = re.search(r"http://testserver(/fr/compte/activation/\S+/)", activation.body).group(1)
    assert client.get(link).status_code == 200
    weak = client.post(link, {"new_password1": "court", "new_password2": "court"})
    assert weak.status_code == 400 and not Member.objects.get().user.is_active
    response = client.post(
        link, {"new_password1": "des-halles-en-fete-2025", "new_password2": "des-halles-en-fete-2025"}
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.is_active and member.user.check_password("des-halles-en-fete-2025")
    assert client.get("/fr/compte/profil/").status_code == 200  # logged in
    client.logout()
    assert client.get(link).status_code == 400  # single use


def test_the_activation_link_expires(client, directory, abbeville, moderator, django_capture_on_commit_callbacks):
    apply(client, django_capture_on_commit_callbacks)
    client.force_login(moderator)
    decide(client, Application.objects.get(), django_capture_on_commit_callbacks, action="approve")
    client.logout()
    link = re.search(r"http://testserver(/fr/compte/activation/\S+/)", mail.outbox[-1].body).group(1)
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(days=4)):
        assert client.get(link).status_code == 400


def test_refusal_needs_a_reason_and_emails_it(
    client, directory, abbeville, moderator, django_capture_on_commit_callbacks
):
    apply(client, django_capture_on_commit_callbacks)
    application = Application.objects.get()
    client.force_login(moderator)
    response = decide(client, application, django_capture_on_commit_callbacks, action="refuse", refusal_reason="")
    assert response.status_code == 200 and "Indiquez le motif" in response.content.decode()
    decide(client, application, django_capture_on_commit_callbacks, action="refuse", refusal_reason="Hors du réseau.")
    application.refresh_from_db()
    assert application.status == "refused" and not Member.objects.exists()
    assert "Hors du réseau." in mail.outbox[-1].body
    # Deciding twice does nothing more.
    count = len(mail.outbox)
    decide(client, application, django_capture_on_commit_callbacks, action="approve")
    assert not Member.objects.exists() and len(mail.outbox) == count


def test_only_moderators_decide(client, directory, abbeville, people, django_capture_on_commit_callbacks):
    apply(client, django_capture_on_commit_callbacks)
    client.force_login(people["public"].user)
    response = decide(client, Application.objects.get(), django_capture_on_commit_callbacks, action="approve")
    assert response.status_code in (302, 403)
    assert Application.objects.get().status == "pending"


def test_moderators_list_filter_and_export_members(client, people, moderator):
    client.force_login(moderator)
    listing = client.get("/admin/network/member/", {"visibility": "hidden"}).content.decode()
    assert "Hugo" in listing and "Paula" not in listing
    export = client.get("/admin/network/member/", {"export": "csv"})
    content = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Publique" in content and "Masqué" in content
    pending = client.get("/admin/network/application/")
    assert pending.status_code == 200
