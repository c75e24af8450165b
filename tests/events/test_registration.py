"""The public registration form: statuses, one registration per address, windows, sessions, questions."""

import datetime
import re

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from events import registration as seats
from events.factories import EventSessionFactory
from events.models import EventQuestion, Registration
from tests.events.conftest import person, seats_taken, text


def from_now(fields):
    """Parameters are read at collection, before the test's clock is set: durations become moments here."""
    now = timezone.now()
    return {key: now + value if isinstance(value, datetime.timedelta) else value for key, value in fields.items()}


def post(client, event, data, capture):
    with capture(execute=True):
        return client.post(f"{event.url}inscription/", data)


def test_a_visitor_registers_and_is_told_to_check_their_inbox(
    client, workshop, django_capture_on_commit_callbacks, mailoutbox
):
    response = post(client, workshop, person(commune="80001"), django_capture_on_commit_callbacks)
    registration = Registration.objects.get(event=workshop)
    assert response.status_code == 302
    assert response["Location"] == f"{workshop.url}inscription/?envoyee=1"
    assert registration.status == "confirmed"
    assert registration.commune.name == "Abbeville"
    assert registration.consent_at is not None
    page = client.get(response["Location"])
    assert "Vérifiez votre messagerie" in text(page)
    assert page["Cache-Control"] == "private, no-store"
    assert [m.to for m in mailoutbox] == [["camille.martin@mairie-abbeville.fr"]]
    assert registration.token in mailoutbox[0].body
    page = client.get(f"/fr/evenements/inscription/{registration.token}/")
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"


def test_bad_input_gets_french_field_errors_and_saves_nothing(client, workshop, django_capture_on_commit_callbacks):
    bad = person(email="pas-une-adresse", first_name="", consent="", commune="Atlantide")
    response = post(client, workshop, bad, django_capture_on_commit_callbacks)
    html = text(response)
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide" in html or "adresse électronique valide" in html
    assert "Votre accord est nécessaire pour vous inscrire." in html
    assert "Commune inconnue" in html
    assert html.count("fr-error-text") >= 4
    assert not Registration.objects.exists()


def test_the_honeypot_refuses_robots(client, workshop, django_capture_on_commit_callbacks):
    response = post(client, workshop, person(website="http://spam.example"), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_the_form_is_rate_limited(client, workshop, settings, django_capture_on_commit_callbacks, still_clock):
    settings.EVENTS_REGISTRATION_RATE = "2/m"
    for number in range(2):
        post(client, workshop, person(email=f"p{number}@example.fr"), django_capture_on_commit_callbacks)
    response = post(client, workshop, person(email="p3@example.fr"), django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Trop d'envois" in text(response)
    assert Registration.objects.count() == 2


def test_a_second_attempt_with_the_same_address_creates_nothing_and_says_the_same_thing(
    client, workshop, django_capture_on_commit_callbacks, mailoutbox
):
    first = post(client, workshop, person(), django_capture_on_commit_callbacks)
    mailoutbox.clear()
    response = post(
        client,
        workshop,
        person(email="Camille.Martin@Mairie-Abbeville.fr", first_name="Autre"),
        django_capture_on_commit_callbacks,
    )
    # Nothing tells whoever typed the address that it was already registered.
    assert response.status_code == 302 and response["Location"] == first["Location"]
    assert text(client.get(response["Location"])).count("Vérifiez votre messagerie") == 1
    assert Registration.objects.filter(event=workshop).count() == 1
    assert Registration.objects.get().first_name == "Camille"
    # The private link goes to the address, not to whoever typed it.
    assert len(mailoutbox) == 1 and Registration.objects.get().token in mailoutbox[0].body


def test_private_link_resends_are_limited_per_address_and_day(
    client, workshop, settings, django_capture_on_commit_callbacks, mailoutbox, fixed_clock
):
    settings.EVENTS_LINK_RESENDS_PER_DAY = 2
    settings.EVENTS_REGISTRATION_RATE = None
    post(client, workshop, person(), django_capture_on_commit_callbacks)
    mailoutbox.clear()
    for _attempt in range(4):
        response = post(client, workshop, person(), django_capture_on_commit_callbacks)
        assert response.status_code == 302 and response["Location"].endswith("?envoyee=1")
    assert len(mailoutbox) == 2
    fixed_clock.shift(datetime.timedelta(days=1))
    post(client, workshop, person(), django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3


def test_full_event_puts_people_on_the_waiting_list(client, workshop, django_capture_on_commit_callbacks, mailoutbox):
    for number in range(3):
        post(client, workshop, person(email=f"p{number}@example.fr"), django_capture_on_commit_callbacks)
    statuses = list(Registration.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert "Liste d'attente" in mailoutbox[-1].subject
    page = text(client.get(workshop.url))
    assert "S'inscrire sur la liste d'attente" in page


def test_full_event_without_waiting_list_closes(client, make_event, django_capture_on_commit_callbacks):
    event = make_event(capacity=1, waitlist_enabled=False)
    post(client, event, person(email="first@example.fr"), django_capture_on_commit_callbacks)
    response = post(client, event, person(email="second@example.fr"), django_capture_on_commit_callbacks)
    assert "L'événement est complet." in text(response)
    assert Registration.objects.filter(event=event).count() == 1
    assert "L'événement est complet." in text(client.get(f"{event.url}inscription/"))


@pytest.mark.parametrize(
    "fields",
    [
        {"registration_closes_at": -datetime.timedelta(hours=1)},
        {"registration_opens_at": datetime.timedelta(days=2)},
        {"registration_enabled": False},
    ],
)
def test_the_registration_window_is_enforced_on_post(client, make_event, fields, django_capture_on_commit_callbacks):
    event = make_event(**from_now(fields))
    response = post(client, event, person(), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "ne sont pas ouvertes" in text(response)
    assert not Registration.objects.exists()


def test_approval_required_makes_registrations_pending(
    client, make_event, django_capture_on_commit_callbacks, mailoutbox
):
    event = make_event(approval_required=True)
    post(client, event, person(), django_capture_on_commit_callbacks)
    assert Registration.objects.get().status == "pending"
    assert "Demande d'inscription reçue" in mailoutbox[0].subject


def test_members_only_events_send_visitors_to_log_in(
    client, make_event, django_user_model, django_capture_on_commit_callbacks
):
    event = make_event(audience="members")
    response = client.get(f"{event.url}inscription/")
    assert (
        response.status_code == 302
        and response["Location"].startswith("/fr/compte/connexion/")
        and "next=" in response["Location"]
    )
    response = post(client, event, person(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and not Registration.objects.exists()
    # A logged-in account that is not a member is refused, with an explanation.
    outsider = django_user_model.objects.create_user("dominique", "d@example.fr", "mot-de-passe-solide")
    client.force_login(outsider)
    response = client.get(f"{event.url}inscription/")
    assert response.status_code == 403 and "réservé aux membres" in text(response)
    # The programme team (staff) counts as members until the directory's accounts exist.
    staff = django_user_model.objects.create_user("equipe", "equipe@example.fr", "mot-de-passe-solide", is_staff=True)
    client.force_login(staff)
    response = post(client, event, person(email="equipe@example.fr"), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Registration.objects.get().user == staff


def sessions_data(assises, *keys):
    event, sessions = assises
    return [str(sessions[key].pk) for key in keys]


def test_an_attendee_picks_sessions(client, assises, django_capture_on_commit_callbacks, mailoutbox):
    event, sessions = assises
    post(
        client, event, person(sessions=sessions_data(assises, "pleniere", "a", "c")), django_capture_on_commit_callbacks
    )
    registration = Registration.objects.get()
    assert set(registration.sessions.all()) == {sessions["pleniere"], sessions["a"], sessions["c"]}
    assert "Atelier A" in mailoutbox[0].body


def test_overlapping_sessions_are_refused_with_a_field_error(client, assises, django_capture_on_commit_callbacks):
    response = post(
        client, assises[0], person(sessions=sessions_data(assises, "a", "b")), django_capture_on_commit_callbacks
    )
    html = text(response)
    assert "ont lieu en même temps" in html and "fr-error-text" in html
    assert not Registration.objects.exists()


def test_choosing_no_session_is_refused(client, assises, django_capture_on_commit_callbacks):
    response = post(client, assises[0], person(), django_capture_on_commit_callbacks)
    assert "Choisissez au moins une session." in text(response)
    assert not Registration.objects.exists()


def test_a_session_of_another_event_is_refused(client, assises, workshop, django_capture_on_commit_callbacks):
    foreign = EventSessionFactory(event=workshop)
    response = post(client, assises[0], person(sessions=[str(foreign.pk)]), django_capture_on_commit_callbacks)
    assert "fr-error-text" in text(response)
    assert not Registration.objects.exists()


def test_a_full_session_waitlists_the_registration_and_never_oversells(
    client, assises, django_capture_on_commit_callbacks
):
    event, sessions = assises
    for number in range(2):
        post(
            client,
            event,
            person(email=f"c{number}@example.fr", sessions=sessions_data(assises, "c")),
            django_capture_on_commit_callbacks,
        )
    assert seats_taken(sessions["c"]) == 1
    assert list(Registration.objects.order_by("pk").values_list("status", flat=True)) == ["confirmed", "waitlisted"]


def test_a_full_session_without_waiting_list_is_a_field_error(client, assises, django_capture_on_commit_callbacks):
    event, sessions = assises
    event.waitlist_enabled = False
    event.save()
    post(
        client,
        event,
        person(email="c0@example.fr", sessions=sessions_data(assises, "c")),
        django_capture_on_commit_callbacks,
    )
    response = post(
        client,
        event,
        person(email="c1@example.fr", sessions=sessions_data(assises, "c")),
        django_capture_on_commit_callbacks,
    )
    assert "Plus de place dans : Atelier C" in text(response)
    assert Registration.objects.count() == 1


def test_required_and_conditional_questions_are_enforced_on_post(client, assises, django_capture_on_commit_callbacks):
    event, sessions = assises
    EventQuestion.objects.create(
        event=event, key="dejeuner", label="Déjeunerez-vous sur place ?", kind="yes-no", required=True, sort_order=0
    )
    EventQuestion.objects.create(
        event=event,
        key="regime",
        label="Régime alimentaire",
        kind="text",
        required=True,
        condition_key="dejeuner",
        condition_value="oui",
        sort_order=1,
    )
    base = person(sessions=sessions_data(assises, "pleniere"))
    response = post(client, event, base, django_capture_on_commit_callbacks)
    assert "Cette question demande une réponse." in text(response)
    response = post(client, event, {**base, "q_dejeuner": "oui"}, django_capture_on_commit_callbacks)
    errors = re.findall(r'class="fr-error-text"[^>]*>\s*([^<]+?)\s*<', text(response))
    assert errors.count("Cette question demande une réponse.") == 1
    assert not Registration.objects.exists()
    # Not triggered: the conditional answer is neither required nor kept.
    post(client, event, {**base, "q_dejeuner": "non", "q_regime": "sans gluten"}, django_capture_on_commit_callbacks)
    assert Registration.objects.get().answers == {"dejeuner": "non"}
    Registration.objects.all().delete()
    post(client, event, {**base, "q_dejeuner": "oui", "q_regime": "végétarien"}, django_capture_on_commit_callbacks)
    assert Registration.objects.get().answers == {"dejeuner": "oui", "regime": "végétarien"}


def test_an_unknown_choice_is_a_field_error(client, assises, django_capture_on_commit_callbacks):
    event, _sessions = assises
    EventQuestion.objects.create(
        event=event, key="atelier", label="Format", kind="choice", choices="Salle\nVisio", sort_order=0
    )
    response = post(
        client,
        event,
        person(sessions=sessions_data(assises, "pleniere"), q_atelier="Ailleurs"),
        django_capture_on_commit_callbacks,
    )
    assert "fr-error-text" in text(response)
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"approval_required": True}, "pending"),
        ({"capacity": 1}, "waitlisted"),
        ({"registration_closes_at": -datetime.timedelta(hours=1)}, "ne sont pas ouvertes"),
        ({"capacity": 1, "waitlist_enabled": False}, "L'événement est complet."),
    ],
)
def test_the_event_as_read_under_the_lock_decides_not_the_page_read_before(
    workshop, change, expected, django_capture_on_commit_callbacks
):
    """The page the request routed to may be a moment old: the settings committed since then win."""

    seats.register(workshop, {"first_name": "A", "last_name": "B", "email": "first@example.fr", "consent": True})
    stale = type(workshop).objects.get(pk=workshop.pk)
    type(workshop).objects.filter(pk=workshop.pk).update(**from_now(change))
    data = {"first_name": "C", "last_name": "D", "email": "second@example.fr", "consent": True}
    if expected in ("pending", "waitlisted"):
        with django_capture_on_commit_callbacks(execute=True):
            registration, created = seats.register(stale, data)
        assert created and registration.status == expected
        assert Registration.objects.get(email="second@example.fr").status == expected
    else:
        with pytest.raises(seats.RegistrationError) as error:
            seats.register(stale, data)
        assert expected in error.value.message
        assert not Registration.objects.filter(email="second@example.fr").exists()


@pytest.mark.parametrize("restricted", ["agenda", "event"])
def test_view_restrictions_still_guard_the_registration_form(client, workshop, agenda, restricted):
    page = agenda if restricted == "agenda" else workshop
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    for response in (
        client.get(f"{workshop.url}inscription/"),
        client.post(f"{workshop.url}inscription/", person()),
        client.get(workshop.url),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/fr/compte/connexion/?next=")
    assert not Registration.objects.exists()


def test_a_registration_post_stays_within_its_query_budget(
    client, workshop, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Wagtail's routing and serve chain (site, locale, the page tree down to the event, alias and view
    restriction checks: 12), the form's sessions and questions (2), then whether anyone waits, the insert
    and the seat (3, plus the test transaction's 4 savepoints); the email task runs after the commit."""
    client.get(f"{workshop.url}inscription/")
    with django_assert_max_num_queries(22):
        response = client.post(f"{workshop.url}inscription/", person())
    assert response.status_code == 302


def test_the_registration_url_is_the_event_page_route_and_unknown_events_still_404(client, make_event):
    event = make_event()
    assert event.registration_path() == f"{event.url}inscription/"
    assert client.get(f"{event.url}inscription/").status_code == 200
    assert client.get(event.url.replace(event.slug, "inconnu") + "inscription/").status_code == 404
