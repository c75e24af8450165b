import html
import re
import socket
from email import message_from_bytes
from email.policy import default

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends import locmem, smtp
from django.core.management import call_command
from django.utils import timezone

from hub import demo
from hub.models import Commune, Department, Region


@pytest.fixture
def core_site(db):
    """The core demo pages (home, network, programmes, legal pages) in French and English."""

    demo.build_taxonomy()
    return demo.build_site()


@pytest.fixture
def abbeville(db):
    region = Region.objects.create(code="32", name="Hauts-de-France", slug="hauts-de-france")
    department = Department.objects.create(code="80", name="Somme", slug="somme", region=region)
    return Commune.objects.create(
        insee_code="80001",
        name="Abbeville",
        slug="abbeville-80001",
        population=22595,
        department=department,
        latitude=50.1086,
        longitude=1.8322,
    )


@pytest.fixture
def search_index(db):
    """Rebuilds the search index for what the test created (the database backend indexes on save too)."""

    def rebuild():
        call_command("update_index", verbosity=0)

    return rebuild


@pytest.fixture
def still_clock():
    """The clock stands still at this instant for the rest of the test: rate-limit counters count in fixed
    slices of time, and a slice ending between two requests would reset the count. Name it after the
    fixtures that build the test's data (they keep the real clock)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (responses are cached for anonymous visitors)."""

    cache.clear()
    yield
    cache.clear()


class RecordingSMTPHandler:
    """An aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"

    def text_of(self, index=-1):
        part = self.messages[index]["message"].get_body(preferencelist=("plain",))
        return part.get_content()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on this machine (aiosmtpd); Django sends to it for the test's duration."""

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


# Every link in every email the suite sends must be absolute under SITE_BASE_URL (issue 10, point 9).
# The few outside addresses a template may legitimately name are listed here; keep the list tiny.
EXTERNAL_LINKS_ALLOWED_IN_EMAILS = ()
URL_IN_TEXT = re.compile(r"""https?://[^\s"'<>()\[\]{}]+""")
HREF_IN_HTML = re.compile(r"""(?:href|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
# Not links: XML namespaces and document type declarations of the HTML part.
NOT_LINKS_IN_HTML = re.compile(r"""<!DOCTYPE[^>]*>|\sxmlns(?::\w+)?\s*=\s*["'][^"']*["']""", re.IGNORECASE)


def links_in_email_parts(parts):
    """Every http(s) URL and every href/src target in the given (content_type, text) parts."""

    links = set()
    for content_type, text in parts:
        if not text:
            continue
        if "html" in content_type:
            text = NOT_LINKS_IN_HTML.sub(" ", text)
        links.update(match.rstrip(".,;:!?") for match in URL_IN_TEXT.findall(html.unescape(text)))
        if "html" in content_type:
            links.update(html.unescape(target).strip() for target in HREF_IN_HTML.findall(text))
    return links


def parts_of_django_message(message):
    parts = [("text/plain", message.body if isinstance(message.body, str) else "")]
    if getattr(message, "content_subtype", "plain") == "html":
        parts = [("text/html", message.body)]
    for content, mimetype in getattr(message, "alternatives", None) or []:
        if isinstance(content, str):
            parts.append((mimetype or "", content))
    unsubscribe = (getattr(message, "extra_headers", None) or {}).get("List-Unsubscribe", "")
    if unsubscribe:
        parts.append(("text/plain", unsubscribe))
    return parts


def parts_of_mime_message(message):
    parts = []
    for part in message.walk():
        if part.get_content_maintype() == "text" and part.get_content_subtype() in ("plain", "html"):
            if part.get_filename():
                continue  # an attachment (e.g. an .ics), not what the reader clicks
            parts.append((part.get_content_type(), part.get_content()))
    if message.get("List-Unsubscribe"):
        parts.append(("text/plain", str(message["List-Unsubscribe"])))
    return parts


def offending_links(links, base_url):
    allowed = (base_url.rstrip("/") + "/",) + tuple(site.rstrip("/") + "/" for site in EXTERNAL_LINKS_ALLOWED_IN_EMAILS)
    bad = set()
    for link in links:
        if link.startswith(("mailto:", "tel:")) or link in (base_url, base_url.rstrip("/")):
            continue
        if link.startswith("cid:"):  # an inline image of the message itself
            continue
        if not (link + "/").startswith(allowed) and not link.startswith(allowed):
            bad.add(link)
    return bad


def smtp_messages_of(funcargs):
    """The parsed messages held by whichever local SMTP server fixtures the test used."""
    for value in funcargs.values():
        records = getattr(value, "messages", None)
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and "message" in record:
                yield record["message"]
        records = getattr(value, "received", None)
        for record in records if isinstance(records, list) else []:
            message = getattr(record, "message", None)
            if message is not None:
                yield message


@pytest.fixture(autouse=True)
def email_links_are_absolute(request, settings, monkeypatch):
    """After each test, fail on any link of any email sent that is not under SITE_BASE_URL."""

    sent = []
    original_locmem_send = locmem.EmailBackend.send_messages
    original_smtp_send = smtp.EmailBackend._send

    def locmem_send(backend, messages):
        sent.extend(messages)
        return original_locmem_send(backend, messages)

    def smtp_send(backend, message):
        sent.append(message)
        return original_smtp_send(backend, message)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", locmem_send)
    monkeypatch.setattr(smtp.EmailBackend, "_send", smtp_send)
    yield
    base_url = settings.SITE_BASE_URL
    problems = {}
    messages = list(sent) + [m for m in getattr(mail, "outbox", []) if m not in sent]
    for message in messages:
        bad = offending_links(links_in_email_parts(parts_of_django_message(message)), base_url)
        if bad:
            problems[f"{message.subject!r} to {', '.join(message.to)}"] = sorted(bad)
    for message in smtp_messages_of(request.node.funcargs):
        bad = offending_links(links_in_email_parts(parts_of_mime_message(message)), base_url)
        if bad:
            problems[f"{message['Subject']!r} to {message['To']}"] = sorted(bad)
    if problems:
        lines = "\n".join(f"  {email}: {', '.join(links)}" for email, links in problems.items())
        pytest.fail(f"Email links not under SITE_BASE_URL ({base_url}):\n{lines}", pytrace=False)


def without_nonce(content):
    """A page minus its CSP nonce, which is each response's own (a cached page gets a fresh one)."""
    return re.sub(rb'nonce="[^"]+"', b"", content)
