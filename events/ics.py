"""iCalendar files for events (icalendar library): the public feed, one event, an attendee's attachment.

An attendee's attachment holds what they will attend: one VEVENT per chosen session (its own times), or
the event with its times when it has no sessions. Its UIDs belong to the registration (not the public
feed's), and its SEQUENCE grows with `Registration.calendar_sequence`: a later file (sessions changed,
METHOD:CANCEL after a cancellation) replaces or removes what the calendar app already holds.
"""

import datetime

from django.conf import settings
from django.http import HttpResponse
from icalendar import Calendar, Event

from events.models import PARIS


def _calendar(name=None, method="PUBLISH"):
    calendar = Calendar()
    calendar.add("prodid", "-//Centralités//Événements//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Paris")
    return calendar


def _page_sequence(page):
    # Calendar apps replace an event they already have when its sequence grows.
    return int(page.last_published_at.timestamp()) // 60 % 1_000_000_000 if page.last_published_at else 0


def _vevent(page, registration=None, display=None):
    display = display or page
    url = settings.SITE_BASE_URL + (display.get_url_parts()[2] if display.get_url_parts() else "")
    vevent = Event()
    vevent.add("uid", page.uid)
    vevent.add("dtstamp", datetime.datetime.now(tz=datetime.UTC))
    vevent.add("dtstart", page.start.astimezone(PARIS))
    vevent.add("dtend", page.end.astimezone(PARIS))
    vevent.add("summary", display.title)
    description = [display.summary, url]
    if registration is not None:
        if page.online_url and registration.holds_seat:
            description.append(page.online_url)
        description.append(registration.private_url())
    vevent.add("description", "\n\n".join(part for part in description if part))
    vevent.add("location", page.place_label() or page.get_format_display())
    vevent.add("url", url)
    vevent.add("sequence", _page_sequence(page))
    if page.last_published_at:
        vevent.add("last-modified", page.last_published_at)
    return vevent


def calendar_bytes(pages, name=None, registration=None):
    calendar = _calendar(name)
    for page in pages:
        calendar.add_component(_vevent(page, registration))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def registration_uid(registration, session=None):
    """The UID of one entry of an attendee's calendar: the registration's, per session when there are."""
    domain = registration.event.uid.rpartition("@")[2]
    suffix = f"-session-{session.translation_key}" if session is not None else ""
    return f"registration-{registration.pk}{suffix}@{domain}"


def registration_calendar(registration, sessions=None, cancel=False, display=None, session_titles=None):
    """The .ics attached to an attendee's email: PUBLISH what they attend, or CANCEL all of it.

    `sessions`: the chosen sessions (read from the registration when None), or with `cancel` the ones to
    remove (the sessions dropped by a change: calendars remove those entries). `display` is the page
    in the attendee's language (titles, summary, link), `session_titles` maps a session's translation key
    to its title in that language.
    """
    event = registration.event
    display = display or event
    session_titles = session_titles or {}
    if sessions is None:
        sessions = list(registration.sessions.order_by("start", "pk"))
    calendar = _calendar(method="CANCEL" if cancel else "PUBLISH")
    sequence = _page_sequence(event) + registration.calendar_sequence
    entries = [(session, session.start, session.end) for session in sessions] or [(None, event.start, event.end)]
    for session, start, end in entries:
        vevent = _vevent(event, registration if not cancel else None, display=display)
        del vevent["uid"], vevent["sequence"], vevent["dtstart"], vevent["dtend"]
        vevent.add("uid", registration_uid(registration, session))
        vevent.add("sequence", sequence)
        vevent.add("dtstart", start.astimezone(PARIS))
        vevent.add("dtend", end.astimezone(PARIS))
        if session is not None:
            del vevent["summary"]
            title = session_titles.get(session.translation_key, session.title)
            vevent.add("summary", f"{display.title} — {title}")
            if session.room:
                del vevent["location"]
                vevent.add("location", ", ".join(p for p in (session.room, event.place_label()) if p))
        if cancel:
            vevent.add("status", "CANCELLED")
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
