"""The agenda: upcoming and past lists with filters, event pages with JSON-LD, iCalendar feeds, home section."""

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar
from wagtail.models import Locale

import events
from events.demo import build_index
from events.factories import EventPageFactory, in_days
from hub.models import Commune, Department, Region, Thematic
from tests.events.conftest import text


@pytest.fixture
def agenda_with_events(agenda, abbeville):
    fr = Locale.objects.get(language_code="fr")
    commerce = Thematic.objects.get(slug="commerce", locale=fr)
    habitat = Thematic.objects.get(slug="habitat", locale=fr)
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    paris = Department.objects.create(code="75", name="Paris", slug="paris", region=idf)
    paris_commune = Commune.objects.create(insee_code="75056", name="Paris", slug="paris-75056", department=paris)
    make = lambda **kw: EventPageFactory(parent=agenda, **kw)  # noqa: E731
    return {
        "atelier": make(
            title="Atelier commerce à Abbeville",
            slug="atelier-commerce",
            commune=abbeville,
            thematics=[commerce],
            start=in_days(10),
        ),
        "webinaire": make(
            title="Webinaire habitat",
            slug="webinaire-habitat",
            event_type="webinaire",
            format="en-ligne",
            venue="",
            address="",
            online_url="https://visio.example.org/x",
            thematics=[habitat],
            start=in_days(45),
        ),
        "rencontre": make(
            title="Rencontre régionale francilienne",
            slug="rencontre-idf",
            event_type="rencontre-regionale",
            format="hybride",
            online_url="https://visio.example.org/y",
            commune=paris_commune,
            start=in_days(70),
        ),
        "passe": make(
            title="Visite passée", slug="visite-passee", event_type="visite", commune=abbeville, start=in_days(-30)
        ),
        "brouillon": make(title="Brouillon caché", slug="brouillon", live=False, start=in_days(12)),
    }


def titles(response):
    return re.findall(r'<h3 class="fr-card__title"[^>]*><a href="[^"]+">([^<]+)</a>', text(response))


def test_upcoming_list_soonest_first_and_past_list(client, agenda_with_events):
    assert titles(client.get("/fr/evenements/")) == [
        "Atelier commerce à Abbeville",
        "Webinaire habitat",
        "Rencontre régionale francilienne",
    ]
    assert titles(client.get("/fr/evenements/?quand=passes")) == ["Visite passée"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("type=webinaire", ["Webinaire habitat"]),
        ("thematique=commerce", ["Atelier commerce à Abbeville"]),
        ("format=hybride", ["Rencontre régionale francilienne"]),
        ("format=presentiel&format=en-ligne", ["Atelier commerce à Abbeville", "Webinaire habitat"]),
        ("region=11", ["Rencontre régionale francilienne"]),
        ("region=32&quand=passes", ["Visite passée"]),
        ("type=inconnu", ["Atelier commerce à Abbeville", "Webinaire habitat", "Rencontre régionale francilienne"]),
    ],
)
def test_filters(client, agenda_with_events, query, expected):
    assert titles(client.get(f"/fr/evenements/?{query}")) == expected


def test_month_filter_and_counts(client, agenda_with_events):
    month = timezone.localtime(agenda_with_events["webinaire"].start).strftime("%Y-%m")
    response = client.get(f"/fr/evenements/?mois={month}")
    assert "Webinaire habitat" in titles(response)
    assert "Atelier commerce à Abbeville" not in titles(response) or month == timezone.localtime(
        agenda_with_events["atelier"].start
    ).strftime("%Y-%m")
    html = text(response)
    assert 'name="mois"' in html and "(1)" in html


def test_the_past_list_keeps_its_period_in_filter_links(client, agenda_with_events):
    html = text(client.get("/fr/evenements/?quand=passes&type=visite"))
    assert '<input type="hidden" name="quand" value="passes">' in html
    assert "?quand=passes" in html


def test_english_agenda_lists_the_french_events(client, agenda_with_events):
    build_index(agenda_with_events["atelier"].get_parent().get_parent())
    response = client.get("/en/events/")
    assert response.status_code == 200
    assert "Webinaire habitat" in titles(response)


def test_event_page_has_schema_org_json_ld(client, agenda_with_events):
    response = client.get(agenda_with_events["rencontre"].url)
    html = text(response)
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.content.decode(), re.S).group(
        1
    )
    data = json.loads(raw)
    assert data["@type"] == "Event" and data["name"] == "Rencontre régionale francilienne"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["startDate"].endswith(("+01:00", "+02:00"))
    assert {loc["@type"] for loc in data["location"]} == {"Place", "VirtualLocation"}
    assert "visio.example.org" not in raw and "visio.example.org" not in html
    assert data["maximumAttendeeCapacity"] == 30 and data["remainingAttendeeCapacity"] == 30


def test_json_ld_cannot_close_its_script_element(client, agenda):
    event = EventPageFactory(parent=agenda, title="Atelier </script><script>alert(1)</script>", slug="piege")
    html = client.get(event.url).content.decode()
    assert "</script><script>alert(1)" not in html


def test_draft_events_are_nowhere(client, agenda_with_events):
    assert "Brouillon caché" not in text(client.get("/fr/evenements/"))
    assert "Brouillon caché" not in client.get("/fr/evenements/calendrier.ics").content.decode()
    assert client.get("/fr/evenements/brouillon/").status_code == 404


def test_calendar_feed_has_every_upcoming_event_with_stable_uids_in_paris_time(client, agenda_with_events):
    response = client.get("/fr/evenements/calendrier.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    vevents = calendar.walk("VEVENT")
    assert [str(v["SUMMARY"]) for v in vevents] == [
        "Atelier commerce à Abbeville",
        "Webinaire habitat",
        "Rencontre régionale francilienne",
    ]
    first = vevents[0]
    assert str(first["UID"]) == f"event-{agenda_with_events['atelier'].pk}@testserver"
    assert first["DTSTART"].params["TZID"] == "Europe/Paris"
    assert first["DTSTART"].dt.hour == 9 and first["DTSTART"].dt.minute == 30
    assert calendar.walk("VTIMEZONE")
    # The same UID after a title change: calendar apps update the event instead of duplicating it.
    event = agenda_with_events["atelier"]
    event.title = "Atelier commerce (nouveau titre)"
    event.save_revision().publish()
    again = Calendar.from_ical(client.get("/fr/evenements/calendrier.ics").content).walk("VEVENT")[0]
    assert str(again["UID"]) == str(first["UID"]) and str(again["SUMMARY"]) == "Atelier commerce (nouveau titre)"
    assert client.post("/fr/evenements/calendrier.ics").status_code == 405


def test_one_event_ics(client, agenda_with_events):
    event = agenda_with_events["passe"]
    response = client.get(f"{event.url}evenement.ics")
    vevent = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(vevent["UID"]) == event.uid and "Abbeville" in str(vevent["LOCATION"])


def test_upcoming_is_the_public_function_other_apps_use(agenda_with_events):
    upcoming = events.upcoming()
    assert [e.slug for e in upcoming] == ["atelier-commerce", "webinaire-habitat", "rencontre-idf"]
    assert [e.slug for e in events.upcoming(limit=1)] == ["atelier-commerce"]


def test_home_page_shows_the_next_events(client, agenda_with_events):
    html = text(client.get("/fr/"))
    assert "Prochains événements" in html and "Atelier commerce à Abbeville" in html
    assert "Visite passée" not in html


def test_event_page_validation(agenda):
    event = EventPageFactory.build(
        title="Sans lieu",
        slug="inscription",
        start=in_days(3),
        end=in_days(3) - datetime.timedelta(hours=1),
        format="hybride",
        venue="",
        address="",
        online_url="",
    )
    with pytest.raises(ValidationError) as raised:
        event.clean()
    assert {"end", "slug", "online_url", "venue"} <= set(raised.value.message_dict)


@pytest.mark.django_db
def test_the_event_pages_add_to_calendar_links_answer_with_the_event(client, workshop):
    """The page's links are reversed from its sub-route (with the trailing slash Wagtail adds) and must answer."""
    links = set(re.findall(r'href="([^"]*evenement\.ics[^"]*)"', client.get(workshop.url).content.decode()))
    assert links
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert Calendar.from_ical(response.content).walk("VEVENT")[0]["SUMMARY"] == workshop.title
