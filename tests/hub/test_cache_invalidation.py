"""A publication makes stale what can show the page, not every cached response (issue 11, point 4); a stale
response is rebuilt by one request while the others get the previous version or wait for the new one; the
chrome follows the same invalidation."""

import re
import socket
import subprocess
import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import RequestFactory
from django_redis.cache import RedisCache
from wagtail.models import Site

from hub import cache as hub_cache
from hub.models import OperatorSettings, StandardPage, Thematic
from resources.factories import ProjectPageFactory, ResourceIndexPageFactory, ResourcePageFactory
from tests.resources.conftest import projetotheque, territory  # noqa: F401  (fixtures)
from tests.resources.test_listings_english import english_index

PROJECTS = "/fr/projetotheque/"
RESOURCES = "/fr/ressources/"


def cache_state(client, url):
    return client.get(url)["X-Hub-Cache"]


@pytest.fixture
def site(projetotheque):  # noqa: F811
    ResourcePageFactory(parent=ResourceIndexPageFactory(parent=projetotheque["index"].get_parent()), title="Guide")
    return projetotheque


def publish_project(site, title="Nouveau projet publié"):
    page = ProjectPageFactory(
        parent=site["index"],
        title=title,
        slug="nouveau-projet",
        commune=site["projects"]["halles"].commune,
        live=False,
    )
    page.save_revision().publish()
    return page


@pytest.mark.django_db
def test_publishing_a_project_makes_its_listing_and_the_home_stale_not_the_resource_library(client, site):
    english_index(site["index"], "project-library")
    for url in (PROJECTS, RESOURCES, "/fr/", "/en/", "/en/project-library/"):
        assert cache_state(client, url) == "miss"
        assert cache_state(client, url) == "hit", url

    publish_project(site)

    fresh = client.get(PROJECTS)
    assert fresh["X-Hub-Cache"] == "miss" and "Nouveau projet publié" in fresh.content.decode()
    assert cache_state(client, "/fr/") == "miss"
    # The English listing shows the French sheets that have no translation: it is stale too, as is the English home.
    english = client.get("/en/project-library/")
    assert english["X-Hub-Cache"] == "miss" and "Nouveau projet publié" in english.content.decode()
    assert cache_state(client, "/en/") == "miss"
    assert cache_state(client, RESOURCES) == "hit"


@pytest.mark.django_db
def test_unpublishing_a_project_removes_it_from_the_cached_listing(client, site):
    halles = site["projects"]["halles"]
    assert halles.url in client.get(PROJECTS).content.decode()
    assert cache_state(client, PROJECTS) == "hit"
    halles.unpublish()
    response = client.get(PROJECTS)
    assert response["X-Hub-Cache"] == "miss" and halles.url not in response.content.decode()
    assert cache_state(client, RESOURCES) == "miss"  # first visit
    assert cache_state(client, RESOURCES) == "hit"


@pytest.mark.django_db
def test_a_taxonomy_change_still_makes_every_listing_stale(client, site):
    for url in (PROJECTS, RESOURCES):
        client.get(url)
        assert cache_state(client, url) == "hit"
    thematic = Thematic.objects.get(slug="commerce", locale__language_code="fr")
    thematic.name = "Commerce de proximité"
    thematic.save()
    assert cache_state(client, PROJECTS) == "miss"
    assert cache_state(client, RESOURCES) == "miss"


@pytest.mark.django_db
def test_a_new_menu_page_shows_in_the_header_at_once(client, site):
    home = site["index"].get_parent()
    assert "Nos partenaires" not in client.get(RESOURCES).content.decode()
    assert cache_state(client, RESOURCES) == "hit"
    page = home.add_child(
        instance=StandardPage(title="Nos partenaires", slug="partenaires", show_in_menus=True, live=False)
    )
    page.save_revision().publish()
    html = client.get(RESOURCES).content.decode()
    assert '<a class="fr-nav__link" href="/fr/partenaires/">Nos partenaires</a>' in html
    # Its own page marks it as the current section.
    assert (
        'href="/fr/partenaires/" aria-current="page">Nos partenaires</a>'
        in client.get("/fr/partenaires/").content.decode()
    )


@pytest.mark.django_db
def test_the_operator_settings_change_the_chrome_at_once(client, site):
    client.get(site["projects"]["halles"].url)
    settings = OperatorSettings.for_site(Site.objects.get(is_default_site=True))
    settings.tagline = "Des centres-villes vivants"
    settings.save()
    assert "Des centres-villes vivants" in client.get(site["projects"]["halles"].url).content.decode()


@pytest.mark.django_db
def test_a_cached_page_carries_the_nonce_of_its_own_content_security_policy(client, site):
    def nonces(response):
        header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        return header, set(re.findall(r'nonce="([^"]+)"', response.content.decode()))

    first = client.get(PROJECTS)
    second = client.get(PROJECTS)
    assert second["X-Hub-Cache"] == "hit"
    (first_header, first_page), (second_header, second_page) = nonces(first), nonces(second)
    assert first_page == {first_header} and second_page == {second_header} and first_header != second_header


@pytest.mark.django_db
def test_changing_the_brand_renders_cached_pages_again(client, site, settings):
    assert 'class="fr-logo"' not in client.get("/fr/").content.decode()
    settings.HUB_STATE_BRAND = True
    response = client.get("/fr/")
    assert response["X-Hub-Cache"] == "miss" and 'class="fr-logo"' in response.content.decode()


# No thundering herd


def anonymous_get(path):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


class SlowBuild:
    """A view's render that takes a while and counts its calls (from any thread)."""

    def __init__(self, body, seconds=0.4):
        self.body, self.seconds, self.calls = body, seconds, 0
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
        time.sleep(self.seconds)
        return HttpResponse(self.body)


def concurrently(count, function):
    results, barrier = [None] * count, threading.Barrier(count)

    def run(index):
        barrier.wait()
        results[index] = function()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def call(path, build, timeout=None):
    return lambda: hub_cache.cached_response(anonymous_get(path), build, timeout=timeout, scopes=["page:42"])


def herd_of_requests_on_a_stale_listing(path="/fr/projetotheque/"):
    first = call(path, SlowBuild(b"ancienne liste", seconds=0))()
    assert first["X-Hub-Cache"] == "miss"
    hub_cache.renew_scopes(["page:42"])  # a publication below the listing
    build = SlowBuild(b"nouvelle liste")
    responses = concurrently(8, call(path, build))
    assert build.calls == 1
    states = sorted(response["X-Hub-Cache"] for response in responses)
    assert states == ["miss"] + ["stale"] * 7
    assert {r.content for r in responses if r["X-Hub-Cache"] == "stale"} == {b"ancienne liste"}
    # Once rebuilt, everyone gets the new version.
    again = call(path, SlowBuild(b"jamais"))()
    assert again["X-Hub-Cache"] == "hit" and again.content == b"nouvelle liste"


def herd_of_requests_on_a_cold_listing(path="/fr/ressources/"):
    build = SlowBuild(b"premier rendu")
    responses = concurrently(8, call(path, build))
    assert build.calls == 1
    assert {r.content for r in responses} == {b"premier rendu"}
    assert sorted(r["X-Hub-Cache"] for r in responses) == ["hit"] * 7 + ["miss"]


def test_a_stale_listing_requested_together_is_rendered_once():
    herd_of_requests_on_a_stale_listing()


def test_a_listing_never_rendered_requested_together_is_rendered_once():
    herd_of_requests_on_a_cold_listing()


def test_an_expired_listing_is_rebuilt_once_while_the_others_get_the_previous_version():
    path = "/fr/evenements/"
    call(path, SlowBuild(b"avant", seconds=0), timeout=0)()  # expired as soon as stored, kept for the grace
    build = SlowBuild(b"apres")
    responses = concurrently(5, call(path, build))
    assert build.calls == 1
    assert sorted((r["X-Hub-Cache"], r.content) for r in responses) == [("miss", b"apres")] + [("stale", b"avant")] * 4


@pytest.fixture
def redis_cache(settings):
    """A real Redis server on a free port, as the cache (django-redis, as in production)."""
    original = settings.CACHES
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
                "KEY_PREFIX": "test",
            }
        }
        cache.clear()
        yield cache
    finally:
        settings.CACHES = original
        server.terminate()
        server.wait(timeout=10)


def test_no_thundering_herd_with_redis(redis_cache):
    assert isinstance(caches["default"], RedisCache)
    herd_of_requests_on_a_stale_listing()
    herd_of_requests_on_a_cold_listing()
    herd_building_one_value()


def test_a_value_requested_together_is_built_once_and_shared():
    """The facet index after a publication: members' requests are not served from the response cache, so
    eight arriving together wait for one build of the index instead of each building it."""
    herd_building_one_value()


def herd_building_one_value():
    calls, lock = [], threading.Lock()

    def build():
        with lock:
            calls.append(1)
        time.sleep(0.4)
        return {"index": "construit"}

    values = concurrently(8, lambda: hub_cache.built_once("hub:test-value", build, timeout=60))
    assert len(calls) == 1
    assert values == [{"index": "construit"}] * 8
    assert hub_cache.built_once("hub:test-value", lambda: {"index": "jamais"}, timeout=60) == {"index": "construit"}
