import re

import pytest
from wagtail.models import Locale

from resources.models import ProjectPage

pytestmark = pytest.mark.browser


def test_filter_the_projetotheque_and_share_the_url(browser_page, live_server, demo_site):
    page = browser_page
    page.goto(f"{live_server.url}/fr/projetotheque/")
    status = page.locator("[role=status]").first
    total = int(re.search(r"(\d+) résultat", status.inner_text()).group(1))
    assert total == 6

    # Tick the first status value and apply: the URL carries the filter, the count follows.
    option = page.locator("#facet-statut input[type=checkbox]").first
    value = option.get_attribute("value")
    expected = int(
        re.search(r"\((\d+)\)", page.locator(f"label[for='{option.get_attribute('id')}']").inner_text()).group(1)
    )
    page.locator(f"label[for='{option.get_attribute('id')}']").click()  # DSFR draws the box on the label
    assert option.is_checked()
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url(re.compile(rf"statut={value}"))
    assert int(re.search(r"(\d+) résultat", page.locator("[role=status]").first.inner_text()).group(1)) == expected

    # The same URL opened elsewhere gives the same selection.
    shared = page.url
    page.goto(shared)
    assert page.locator(f"#facet-statut input[value='{value}']").is_checked()

    # Removing the filter through its tag brings every project back.
    page.locator(".fr-tag--dismiss").first.click()
    page.wait_for_load_state()
    assert int(re.search(r"(\d+) résultat", page.locator("[role=status]").first.inner_text()).group(1)) == total

    # A project opens from the list.
    first = page.locator(".fr-card__title a").first
    title = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == title


def test_an_english_visitor_sees_translations_and_french_sheets_marked(browser_page, live_server, demo_site):
    en = Locale.objects.get(language_code="en")
    original = ProjectPage.objects.live().filter(locale__language_code="fr").order_by("pk").first()
    translated = original.get_translation_or_none(en) or original.copy_for_translation(en)
    translated.title = "Translated project sheet"
    translated.save_revision().publish()

    page = browser_page
    page.goto(f"{live_server.url}/en/projects/")
    assert int(re.search(r"(\d+) results?", page.locator("[role=status]").first.inner_text()).group(1)) == 6
    english = page.locator(".fr-card__title", has_text="Translated project sheet")
    assert english.count() == 1 and english.get_attribute("lang") is None
    french = page.locator(".fr-card__title[lang=fr]")
    assert french.count() == 5
    assert page.locator(".hub-language-badge", has_text="In French").count() == 5

    # A keyword sorts by relevance, and the sort menu says so.
    page.goto(f"{live_server.url}/en/projects/?q=translated")
    assert page.locator("#listing-sort option:checked").inner_text() == "Relevance"
    page.locator(".fr-card__title a", has_text="Translated project sheet").click()
    page.wait_for_url(re.compile(r"/en/projects/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Translated project sheet"


def test_the_map_draws_on_the_shipped_outlines_without_any_third_party_request(browser_page, live_server, demo_site):
    """Issue 12, point 2: no tile server is configured, so the map's base is the départements' outlines
    served by the site, its circles add up to the results, and the browser asks nothing of anyone else."""
    page = browser_page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/fr/projetotheque/")
    total = int(re.search(r"(\d+) résultat", page.locator("[role=status]").first.inner_text()).group(1))
    drawn = page.locator("#projects-map.hub-map--drawn")
    drawn.wait_for()
    page.wait_for_function("document.querySelectorAll('#projects-map .leaflet-overlay-pane path').length > 100")
    circles = page.locator("#projects-map path.leaflet-interactive")
    assert circles.count() >= 1
    circles.first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content a").first
    assert int(re.search(r": (\d+) ", popup.inner_text()).group(1)) <= total
    assert not errors, errors
    assert requested and all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), [
        url for url in requested if not url.startswith(live_server.url)
    ]
