"""Issue 13, point 8, in Chromium: an élu types the commune's name, sees the aids it can get, opens one, and
follows a project it funded."""

import re

import pytest

from resources.factories import AidPageFactory
from resources.models import AidIndexPage, ProjectFundingLine, ProjectPage

pytestmark = pytest.mark.browser


def test_an_elu_finds_the_aids_of_the_commune_and_a_project_one_funded(browser_page, live_server, demo_site):
    guide = AidIndexPage.objects.get(locale__language_code="fr")
    aid = AidPageFactory(parent=guide, title="Aide aux vitrines du centre-ville", funders="Région Hauts-de-France")
    project = ProjectPage.objects.live().filter(locale__language_code="fr", commune__insee_code="80001").first()
    ProjectFundingLine.objects.create(page=project, funder="Région Hauts-de-France", amount=25000, aid=aid)

    page = browser_page
    page.goto(f"{live_server.url}/fr/aides/")
    page.locator("#aid-commune").fill("Abbeville")
    page.get_by_role("button", name="Voir les aides").click()
    page.wait_for_url(re.compile(r"/fr/aides/\?commune=80001$"))
    assert "Abbeville (80001)" in page.locator("main").inner_text()

    page.locator("main .fr-card__title a", has_text=aid.title).click()
    page.wait_for_url(re.compile(rf"/fr/aides/{aid.slug}/\?commune=80001$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == aid.title
    assert "Critères pour Abbeville" in page.locator("main").inner_text()

    page.locator("#projets-finances ~ * a, section[aria-labelledby=projets-finances] a", has_text=project.title).click()
    page.wait_for_url(re.compile(r"/fr/projetotheque/[\w-]+/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == project.title
    assert page.locator("main a", has_text="Région Hauts-de-France").first.get_attribute("href") == aid.url
