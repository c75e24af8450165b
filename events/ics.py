"""iCalendar files for events (icalendar library): the public feed, one event, an attendee's attachment."""

import datetime

from django.conf import settings
from django.http import HttpResponse
from icalendar import Calendar, Event

from events.models import PARIS


def _calendar(name=None):
    calendar = Calendar()
    calendar.add("prodid", "-//Centralités//Événements//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Paris")
    return calendar


def _vevent(page, registration=None):
    base = settings.SITE_BASE_URL.rstrip("/")
    url = base + (page.url or "")
    vevent = Event()
    vevent.add("uid", page.uid)
    vevent.add("dtstamp", datetime.datetime.now(tz=datetime.UTC))
    vevent.add("dtstart", page.start.astimezone(PARIS))
    vevent.add("dtend", page.end.astimezone(PARIS))
    vevent.add("summary", page.title)
    description = [page.summary, url]
    if registration is not None:
        if page.online_url and registration.holds_seat:
            description.append(page.online_url)
        description.append(registration.private_url())
    vevent.add("description", "\n\n".join(part for part in description if part))
    vevent.add("location", page.place_label() or page.get_format_display())
    vevent.add("url", url)
    if page.last_published_at:
        # Calendar apps replace an event they already have when its sequence grows.
        vevent.add("sequence", int(page.last_published_at.timestamp()) // 60 % 2_000_000_000)
        vevent.add("last-modified", page.last_published_at)
    return vevent


def calendar_bytes(pages, name=None, registration=None):
    calendar = _calendar(name)
    for page in pages:
        calendar.add_component(_vevent(page, registration))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
