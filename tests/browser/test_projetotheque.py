import re

import pytest

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
