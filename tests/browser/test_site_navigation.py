import re

import pytest

pytestmark = pytest.mark.browser


def test_home_navigation_language_and_search(browser_page, live_server, demo_site):
    page = browser_page
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Revitaliser les centres-villes, ensemble"

    # Follow the main navigation.
    page.locator("#navigation-principale").get_by_role("link", name="Les programmes").click()
    page.wait_for_url(re.compile(r"/fr/les-programmes/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Les programmes"

    # Switch to English through the DSFR language selector: same page, translated.
    page.locator(".fr-header__tools .fr-translate__btn").click()
    page.locator(".fr-header__tools").get_by_role("link", name="EN - English").click()
    page.wait_for_url(re.compile(r"/en/the-programmes/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "The programmes"

    # Search from the header box, in English.
    page.locator("#header-search-input").fill("network")
    page.locator("#header-search-input").press("Enter")
    page.wait_for_url(re.compile(r"/en/search/\?q=network"))
    results = page.locator(".hub-search-results a")
    assert results.count() >= 1
    assert "/en/the-network/" in [results.nth(i).get_attribute("href") for i in range(results.count())]

    # Back to French by the selector: the search view keeps its query.
    page.locator(".fr-header__tools .fr-translate__btn").click()
    page.locator(".fr-header__tools").get_by_role("link", name="FR - Français").click()
    page.wait_for_url(re.compile(r"/fr/recherche/\?q=network"))
