"""Editors' live preview: the admin's preview panel shows the page being edited, under the site's real
Content-Security-Policy (this module's browser context does not bypass it, unlike the shared fixture)."""

import pytest
from playwright.sync_api import expect

from events.models import EventPage
from hub.models import StandardPage
from newsletter.models import NewsletterIssuePage
from resources.models import ProjectPage

pytestmark = pytest.mark.browser

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def strict_page(browser_contexts):
    return browser_contexts.new_page(bypass_csp=False, timeout=20_000)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("redactrice", "redactrice@example.org", PASSWORD)


def _log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("redactrice")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/admin/")


def _preview_shows(page, live_server, wagtail_page, mode=None):
    page.goto(f"{live_server.url}/admin/pages/{wagtail_page.pk}/edit/")
    toggle = page.locator('[data-side-panel-toggle="preview"]')
    if toggle.get_attribute("aria-expanded") != "true":  # Wagtail remembers the open panel between pages
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true", timeout=15_000)
    frame = page.frame_locator("#w-preview-iframe")
    # innerText: only what the editor actually sees in the panel, not hidden text (breadcrumb, menus).
    expect(frame.locator("body")).to_contain_text(wagtail_page.title, use_inner_text=True, timeout=30_000)
    if mode is not None:
        page.locator("#id_preview_mode").select_option(label=mode)
        expect(frame.locator("header.fr-header")).to_have_count(0, timeout=30_000)  # the email, not the web page
        expect(frame.locator("body")).to_contain_text(wagtail_page.title, use_inner_text=True, timeout=30_000)
    return frame


def test_preview_panel_shows_every_page_type(strict_page, live_server, demo_site, editor):
    page = strict_page
    blocked = []
    page.on("console", lambda message: "frame-ancestors" in message.text and blocked.append(message.text))
    _log_in(page, live_server)
    for model in (ProjectPage, EventPage, StandardPage):
        target = model.objects.filter(locale__language_code="fr").live().first()
        frame = _preview_shows(page, live_server, target)
        assert frame.locator("h1").first.inner_text().strip() == target.title
    issue = NewsletterIssuePage.objects.filter(locale__language_code="fr").first()
    _preview_shows(page, live_server, issue, mode="Courriel")
    assert not blocked, blocked
