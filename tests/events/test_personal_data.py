"""Personal data: export and erasure hooks for the directory's accounts, purge after the retention period."""

import datetime
import io
import json

import time_machine
from django.core.management import call_command
from django.utils import timezone
from wagtail import hooks

from events.factories import RegistrationFactory, in_days
from events.models import Registration
from events.wagtail_hooks import erase_registrations, registrations_personal_data
from tests.events.conftest import seats_taken


def test_hooks_are_registered_for_the_directory():
    assert registrations_personal_data in hooks.get_hooks("network_personal_data")
    assert erase_registrations in hooks.get_hooks("network_erase_personal_data")


def test_export_lists_the_accounts_registrations_as_json(django_user_model, workshop, assises):
    user = django_user_model.objects.create_user("claire", "Claire@Ville.fr", "mot-de-passe-solide")
    RegistrationFactory(event=workshop, user=user, email="autre@ville.fr", answers={"question": "Le stationnement"})
    RegistrationFactory(event=assises[0], email="claire@ville.fr", sessions=[assises[1]["a"]])
    RegistrationFactory(event=workshop, email="quelquun@ailleurs.fr")
    data = registrations_personal_data(user)
    json.dumps(data)  # serialisable as it is
    rows = sorted(data["inscriptions_evenements"], key=lambda row: row["evenement"])
    assert [row["evenement"] for row in rows] == ["Assises du Centre-Ville", "Atelier vacance commerciale"]
    assert rows[0]["sessions"] == ["Atelier A"] and rows[1]["reponses"] == {"question": "Le stationnement"}


def test_erasure_blanks_the_person_but_keeps_the_counts_of_past_events(django_user_model, make_event):
    past = make_event(start=timezone.now() - datetime.timedelta(days=10))
    user = django_user_model.objects.create_user("claire", "claire@ville.fr", "mot-de-passe-solide")
    mine = RegistrationFactory(event=past, user=user, accessibility_needs="Fauteuil", answers={"q": "r"})
    other = RegistrationFactory(event=past)
    erase_registrations(user)
    mine.refresh_from_db()
    assert (mine.first_name, mine.last_name, mine.email, mine.accessibility_needs, mine.answers, mine.user) == (
        "",
        "",
        "",
        "",
        {},
        None,
    )
    assert mine.status == "confirmed" and mine.anonymised_at is not None
    assert seats_taken(past) == 2
    other.refresh_from_db()
    assert other.email and other.first_name


def test_purge_anonymises_registrations_after_the_retention_period(make_event, settings):
    settings.EVENTS_PERSONAL_DATA_RETENTION_MONTHS = 6
    old = make_event(start=in_days(-200), capacity=5)
    recent = make_event(start=in_days(-20), capacity=5)
    old_registration = RegistrationFactory(event=old, status="attended")
    recent_registration = RegistrationFactory(event=recent, status="attended")

    output = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=output)
    assert "1 inscription(s) seraient anonymisées" in output.getvalue()
    assert Registration.objects.filter(anonymised_at=None).count() == 2

    call_command("purge_personal_data", stdout=io.StringIO())
    old_registration.refresh_from_db()
    recent_registration.refresh_from_db()
    assert old_registration.email == "" and old_registration.status == "attended"
    assert recent_registration.email != ""

    # Six months after the recent event, its turn comes.
    with time_machine.travel(recent.end + datetime.timedelta(days=186), tick=False):
        call_command("purge_personal_data", stdout=io.StringIO())
    recent_registration.refresh_from_db()
    assert recent_registration.email == "" and recent_registration.anonymised_at is not None
