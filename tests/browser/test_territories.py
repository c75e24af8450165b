"""Issue 12, point 8, in Chromium: a visitor finds a town by typing its name (results as they type), opens
its page, follows one of its projects, comes back to the town from the sheet and then to the index through
the breadcrumb."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_find_a_town_open_it_follow_a_project_and_come_back(browser_page, live_server, demo_site):
    page = browser_page
    page.goto(f"{live_server.url}/fr/territoires/")
    page.evaluate("window.sameDocument = true")
    page.locator("#territory-q").press_sequentially("Abbev", delay=60)
    result = page.locator("#territory-results a", has_text="Abbeville").first
    result.wait_for()  # drawn by the search-as-you-type script: the form was not submitted
    assert page.evaluate("window.sameDocument === true")  # no page load happened
    assert page.locator("#territory-status").inner_text().strip()
    result.click()
    page.wait_for_url(re.compile(r"/fr/territoires/communes/80001-abbeville/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Abbeville"
    page.locator("#territory-map.hub-map--drawn").wait_for()

    project = page.locator("main .fr-card__title a").first
    title = project.inner_text().strip()
    project.click()
    page.wait_for_url(re.compile(r"/fr/projetotheque/[\w-]+/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == title

    page.locator("main a", has_text="Abbeville").first.click()
    page.wait_for_url(re.compile(r"/fr/territoires/communes/80001-abbeville/$"))
    page.locator(".fr-breadcrumb a", has_text="Territoires").click()
    page.wait_for_url(re.compile(r"/fr/territoires/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Territoires"
