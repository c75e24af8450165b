"""Playwright with Debian's Chromium against pytest-django's live server.

Tests here skip with a message naming what is missing (Chromium, axe-core, vnu-jar, Java) on a laptop
that lacks them; with HUB_REQUIRE_BROWSER=1 (set by .ci/run) a missing part fails instead.
"""

import os
import shutil
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(condition, what):
    if condition:
        return
    message = f"{what} is missing (see README, « make browser-deps »)"
    if os.environ.get("HUB_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")

    # Playwright's sync API runs an event loop in this thread; the tests' ORM calls stay synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class _Contexts:
    """Browser contexts opened for one test, closed before its database is emptied.

    A page left open keeps talking to the live server (Wagtail's preview panel refreshes itself): a request
    still running while pytest-django flushes SQLite's shared in-memory tables locks them and the flush fails,
    which then breaks the next test. Closing first: new requests are refused in the browser, those already
    sent are awaited (a finished response means the server is done with the database), then the context
    closes.
    """

    def __init__(self, chromium):
        self.chromium = chromium
        self.opened = []

    def new_page(self, locale="fr-FR", bypass_csp=True, timeout=15_000):
        context = self.chromium.new_context(locale=locale, bypass_csp=bypass_csp)
        pending = set()
        context.on("request", lambda request: pending.add(request))
        context.on("requestfinished", lambda request: pending.discard(request))
        context.on("requestfailed", lambda request: pending.discard(request))
        self.opened.append((context, pending))
        page = context.new_page()
        page.set_default_timeout(timeout)
        return page

    def close_all(self):
        for context, pending in self.opened:
            context.route("**/*", lambda route: route.abort())
            pages = context.pages
            deadline = time.monotonic() + 15
            while pending and pages and time.monotonic() < deadline:
                pages[0].wait_for_timeout(50)  # lets Playwright deliver the pending requests' events
            context.close()
        self.opened.clear()


@pytest.fixture
def browser_contexts(chromium, live_server, transactional_db):
    """Opens pages (``browser_contexts.new_page(locale=…)``); they close before the live server's database
    is emptied, whatever order the test names its fixtures in."""
    contexts = _Contexts(chromium)
    yield contexts
    contexts.close_all()


@pytest.fixture
def browser_page(browser_contexts):
    # bypass_csp lets the tests inject axe-core; the site's own scripts run under its real policy otherwise.
    return browser_contexts.new_page()


@pytest.fixture
def axe_source():
    require(AXE_JS.exists(), f"axe-core ({AXE_JS})")
    return AXE_JS.read_text()


@pytest.fixture
def vnu_command():
    java = shutil.which("java")
    require(java is not None, "Java (for the Nu HTML checker)")
    require(VNU_JAR.exists(), f"vnu-jar ({VNU_JAR})")
    return [java, "-Xss4m", "-jar", str(VNU_JAR)]


@pytest.fixture
def demo_site(transactional_db, abbeville):
    """The demo site at a small size, on one real commune (the full territory import is tested elsewhere)."""

    call_command(
        "load_demo",
        "--projects",
        "6",
        "--resources",
        "4",
        "--events",
        "4",
        "--members",
        "6",
        "--subscribers",
        "10",
        verbosity=0,
    )
