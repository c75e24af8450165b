import pytest
from django.core.management import call_command


@pytest.fixture
def core_site(db):
    """The core demo pages (home, network, programmes, legal pages) in French and English."""
    from hub import demo

    demo.build_taxonomy()
    return demo.build_site()


@pytest.fixture
def abbeville(db):
    from hub.models import Commune, Department, Region

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


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (responses are cached for anonymous visitors)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class RecordingSMTPHandler:
    """An aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"

    def text_of(self, index=-1):
        part = self.messages[index]["message"].get_body(preferencelist=("plain",))
        return part.get_content()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on this machine (aiosmtpd); Django sends to it for the test's duration."""
    import socket

    from aiosmtpd.controller import Controller

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
