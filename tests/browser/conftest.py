"""Playwright with Debian's Chromium against pytest-django's live server.

Tests here skip with a message naming what is missing (Chromium, axe-core, vnu-jar, Java) on a laptop
that lacks them; with HUB_REQUIRE_BROWSER=1 (set by .ci/run) a missing part fails instead.
"""

import os
import shutil
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


@pytest.fixture
def browser_page(chromium):
    # bypass_csp lets the tests inject axe-core; the site's own scripts run under its real policy otherwise.
    context = chromium.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


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
