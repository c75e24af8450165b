"""A real local SMTP server (aiosmtpd) that records what it receives and can refuse for a while."""

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from newsletter.factories import NewsletterIndexPageFactory, NewsletterIssuePageFactory


@dataclass
class Received:
    mail_from: str
    recipients: list
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=email_policy.default)

    def part(self, content_type):
        return self.message.get_body(preferencelist=(content_type.split("/")[1],)).get_content()


class RecordingHandler:
    def __init__(self):
        self.received = []
        self.refuse_next = 0  # answer 451 to this many messages, then accept again
        self.refused = 0
        self.lock = threading.Lock()
        self.on_message = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Serveur occupe, reessayez plus tard"
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            count = len(self.received)
        if self.on_message:
            self.on_message(count)
        return "250 OK"

    def to(self, address):
        return [r for r in self.received if address in r.recipients]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def newsletter_settings(settings):
    settings.SITE_BASE_URL = "https://centralites.example"
    settings.NEWSLETTER_MAX_PER_SECOND = 0
    settings.NEWSLETTER_RETRY_DELAY = 0.2
    settings.NEWSLETTER_BATCH_SIZE = 4
    settings.NEWSLETTER_PARALLEL_TASKS = 1


@pytest.fixture
def archive(core_site):
    return NewsletterIndexPageFactory(parent=core_site)


@pytest.fixture
def issue(archive):
    return NewsletterIssuePageFactory(parent=archive, title="Lettre de novembre 2026", slug="2026-11")
