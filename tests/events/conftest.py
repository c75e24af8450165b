import datetime
import email
import html
import os
import socket
import time
from email import policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from events.factories import EventIndexPageFactory, EventPageFactory, EventSessionFactory
from tests import conftest as root

# Every events test runs on the same day, whatever the machine's clock says: factories and fixtures
# place events "in 30 days" from it, and month ends or leap days never change what a test sees.
# EVENTS_TEST_NOW=2027-02-28T23:30 runs them on another day (checked on 2026-12-31 and 2027-02-28).
FIXED_NOW = datetime.datetime.fromisoformat(os.environ.get("EVENTS_TEST_NOW", "2026-06-15T08:00")).replace(
    tzinfo=datetime.UTC
)


@pytest.fixture(autouse=True)
def fixed_clock():
    """The clock starts at FIXED_NOW and ticks (tests may travel further with time_machine.travel)."""
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def agenda(core_site):
    """The agenda page under the French home page, at /fr/evenements/."""
    return EventIndexPageFactory(parent=core_site)


@pytest.fixture
def make_event(agenda):
    def make(**fields):
        return EventPageFactory(parent=agenda, **fields)

    return make


@pytest.fixture
def workshop(make_event, abbeville):
    return make_event(title="Atelier vacance commerciale", slug="atelier-vacance", capacity=2, commune=abbeville)


@pytest.fixture
def assises(make_event):
    """A one-day event with a plenary and two parallel workshops of two seats each."""
    start = (timezone.localtime() + datetime.timedelta(days=40)).replace(hour=9, minute=0, second=0, microsecond=0)
    event = make_event(
        title="Assises du Centre-Ville",
        slug="assises",
        event_type="assises",
        capacity=50,
        start=start,
        end=start + datetime.timedelta(hours=8),
    )
    hour = datetime.timedelta(hours=1)
    sessions = {
        "pleniere": EventSessionFactory(event=event, title="Plénière", start=start, end=start + hour, capacity=None),
        "a": EventSessionFactory(
            event=event, title="Atelier A", start=start + 2 * hour, end=start + 3 * hour, capacity=2
        ),
        "b": EventSessionFactory(
            event=event, title="Atelier B", start=start + 2 * hour, end=start + 3 * hour, capacity=2
        ),
        "c": EventSessionFactory(
            event=event, title="Atelier C", start=start + 4 * hour, end=start + 5 * hour, capacity=1
        ),
    }
    return event, sessions


def person(**overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": "camille.martin@mairie-abbeville.fr",
        "organisation": "Ville d'Abbeville",
        "role": "manager de centre-ville",
        "commune": "",
        "accessibility_needs": "",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Messages received by a real local SMTP server (aiosmtpd)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "message": message})
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m["message"] for m in self.messages if address in m["to"]]

    def wait_for(self, address, count=1, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            time.sleep(0.05)
        return self.to(address)


@pytest.fixture
def smtp_inbox(settings):
    """A local SMTP server the site sends through (EMAIL_BACKEND switched to smtp for the test)."""

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def text(response):
    """The response's HTML with entities decoded (Django escapes apostrophes as &#x27;)."""

    return html.unescape(response.content.decode())


def _only_lists_of_messages():
    """tests/conftest.py's email check reads `.messages` of every fixture value, and an event page's
    `messages` is a related manager (EventMessage): keep its reading to real lists of messages."""

    original = getattr(root.smtp_messages_of, "__wrapped__", root.smtp_messages_of)

    def smtp_messages_of(funcargs):
        kept = {name: value for name, value in funcargs.items() if isinstance(getattr(value, "messages", []), list)}
        yield from original(kept)

    smtp_messages_of.__wrapped__ = original
    root.smtp_messages_of = smtp_messages_of


_only_lists_of_messages()


def seats_taken(row):
    """The seat counter of an event or session as stored now (the object in hand may be older)."""
    return type(row).objects.values_list("seats_taken", flat=True).get(pk=row.pk)
