"""The page chrome (header, menu, language switcher, breadcrumb, footer) costs at most five queries per page
(issue 11, point 3), measured as the page's queries minus those of the same page with the chrome templates
emptied, once the chrome's cache is warm (the first page after a publication rebuilds it)."""

import copy
import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events.factories import EventIndexPageFactory, EventPageFactory
from tests.network.conftest import directory, people  # noqa: F401  (fixtures)
from tests.resources.conftest import projetotheque, territory  # noqa: F401  (fixtures)
from tests.resources.test_listings_english import english_index, translate

pytestmark = pytest.mark.django_db

CHROME_TEMPLATES = ("components/header.html", "components/footer.html", "components/breadcrumb.html")
CHROME_BUDGET = 5


def _without_chrome():
    templates = copy.deepcopy(django_settings.TEMPLATES)
    options = templates[0]["OPTIONS"]
    templates[0]["APP_DIRS"] = False
    options["loaders"] = [
        ("django.template.loaders.locmem.Loader", dict.fromkeys(CHROME_TEMPLATES, "")),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    return templates


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


def chrome_queries(client, settings, monkeypatch, url):
    """The queries the chrome adds to the page at `url`, the page itself rendered (not from the response
    cache), with the chrome's cache warm."""
    monkeypatch.setattr("hub.cache.cacheable", lambda request: False)
    client.get(url)  # warms the chrome's cache (and Wagtail's site root paths)
    with_chrome, response = queries(client, url)
    original = settings.TEMPLATES
    settings.TEMPLATES = _without_chrome()
    try:
        client.get(url)
        without_chrome, bare = queries(client, url)
    finally:
        settings.TEMPLATES = original
    assert 'id="navigation-principale"' in response.content.decode()
    assert 'id="navigation-principale"' not in bare.content.decode()
    return with_chrome - without_chrome


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 8, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def pages(projetotheque, people):  # noqa: F811

    agenda = EventIndexPageFactory(parent=projetotheque["index"].get_parent())
    event = EventPageFactory(parent=agenda, title="Atelier vacance commerciale", slug="atelier-vacance")
    project = projetotheque["projects"]["halles"]
    english_index(projetotheque["index"], "project-library")
    return {
        "home": "/fr/",
        "home_en": "/en/",
        "project": project.url,
        "project_en": translate(project, title="Abbeville covered market").url,
        "event": event.url,
        "event_en": translate(event, title="Vacant shops workshop").url,
        "profile": "/fr/annuaire/paula-publique/",
        "profile_en": "/en/directory/paula-publique/",
    }


PAGES = ["home", "home_en", "project", "project_en", "event", "event_en", "profile", "profile_en"]


@pytest.mark.parametrize("name", PAGES)
def test_the_chrome_costs_at_most_five_queries_logged_out(client, settings, monkeypatch, pages, name):
    assert chrome_queries(client, settings, monkeypatch, pages[name]) <= CHROME_BUDGET


@pytest.mark.parametrize("name", PAGES)
def test_the_chrome_costs_at_most_five_queries_logged_in(client, settings, monkeypatch, pages, people, name):  # noqa: F811
    client.force_login(people["public"].user)
    assert chrome_queries(client, settings, monkeypatch, pages[name]) <= CHROME_BUDGET
    html = client.get(pages[name]).content.decode()
    with translation.override(pages[name].split("/")[1]):
        logout = reverse("network:logout")
    # The account links are the member's, with this request's CSRF token, not the cached chrome's.
    assert f'action="{logout}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2
