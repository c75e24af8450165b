"""The platform's plumbing: preview framing, private caching, the client's address behind the proxy,
the language switcher's counterparts, and settings read from the environment."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from events.factories import EventIndexPageFactory, EventPageFactory
from hub.middleware import ForwardedForMiddleware
from hub.models import StandardPage
from hub.ratelimit import over_limit
from hub.settings.base import env

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("redactrice", "redactrice@example.org", PASSWORD)


def _frame_ancestors(response):
    return re.search(r"frame-ancestors ([^;]+)", response["Content-Security-Policy"]).group(1).strip()


# 1. Live preview -------------------------------------------------------------------------------------


def test_preview_responses_may_be_framed_by_the_site_and_pages_may_not(client, rf, core_site, editor):
    page = StandardPage.objects.filter(locale__language_code="fr").first()
    public = client.get(page.url)
    assert public.status_code == 200
    assert _frame_ancestors(public) == "'none'"
    assert public["X-Frame-Options"] == "DENY"

    # What the admin's preview panel loads: Wagtail renders the page through the middleware chain.
    request = rf.get("/admin/")
    request.user = editor
    request.session = {}
    preview = page.make_preview_request(request, page.default_preview_mode)
    assert preview.status_code == 200
    assert page.title in preview.content.decode()
    assert _frame_ancestors(preview) == "'self'"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


# 35. Cache-Control: private for logged-in visitors -----------------------------------------------------


def test_logged_in_visitors_get_private_pages_anonymous_ones_the_shared_cache(client, core_site, django_user_model):
    anonymous = client.get("/fr/le-reseau/")
    assert anonymous.status_code == 200
    assert "private" not in anonymous.get("Cache-Control", "")

    member = django_user_model.objects.create_user("membre", "membre@example.org", PASSWORD)
    client.force_login(member)
    for path in ("/fr/le-reseau/", "/fr/recherche/?q=reseau"):
        response = client.get(path)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"], path
        assert "public" not in response["Cache-Control"]


# 32. The client's address behind the TLS proxy -----------------------------------------------------------


def _failed_logins(client, username, address, forwarded, count):
    headers = {"REMOTE_ADDR": address}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    url = reverse("network:login")
    for _n in range(count):
        client.post(url, {"username": username, "password": "pas-le-bon-mot-de-passe"}, **headers)


def _logs_in(client, username, address, forwarded):
    headers = {"REMOTE_ADDR": address}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    client.post(reverse("network:login"), {"username": username, "password": PASSWORD}, **headers)
    return "_auth_user_id" in client.session


@pytest.fixture
def behind_proxy(settings):
    settings.HUB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.HUB_FORWARDED_FOR_HEADER = "X-Forwarded-For"


def test_behind_the_trusted_proxy_one_visitors_lockout_is_not_everyones(
    client_factory, core_site, django_user_model, behind_proxy
):
    django_user_model.objects.create_user("camille", "camille@example.org", PASSWORD)
    # Someone at 198.51.100.9 tries five wrong passwords on Camille's account, through the proxy.
    _failed_logins(client_factory(), "camille", "10.0.0.2", "198.51.100.9", 5)
    assert not _logs_in(client_factory(), "camille", "10.0.0.2", "198.51.100.9")
    # Camille, at another address behind the same proxy, still logs in.
    assert _logs_in(client_factory(), "camille", "10.0.0.2", "203.0.113.5, 10.0.0.7")


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(client_factory, core_site, django_user_model):
    django_user_model.objects.create_user("camille", "camille@example.org", PASSWORD)
    # Five failures from 198.51.100.9, each claiming another address in X-Forwarded-For.
    for n in range(5):
        _failed_logins(client_factory(), "camille", "198.51.100.9", f"203.0.113.{n}", 1)
    assert not _logs_in(client_factory(), "camille", "198.51.100.9", "203.0.113.99")


def test_rate_limits_count_each_client_behind_the_proxy(rf, settings, behind_proxy):
    seen = []
    middleware = ForwardedForMiddleware(lambda request: seen.append(request.META["REMOTE_ADDR"]))

    def post(peer, forwarded):
        request = rf.post("/fr/newsletter/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
        request.user = AnonymousUser()
        middleware(request)
        return over_limit(request, "platform-test", "2/m")

    assert [post("10.0.0.2", "198.51.100.9") for _n in range(3)] == [False, False, True]
    assert post("10.0.0.2", "203.0.113.5") is False  # another visitor through the same proxy
    # Right-most untrusted address: a client cannot push a forged address past the proxy's own entry.
    assert post("10.0.0.2", "1.2.3.4, 198.51.100.9") is True
    # From a non-proxy peer the header is ignored: the peer itself is counted.
    assert post("192.0.2.1", "203.0.113.77") is False
    assert seen[-1] == "192.0.2.1" and seen[-2] == "198.51.100.9" and seen[-3] == "203.0.113.5"


@pytest.fixture
def client_factory():
    return Client


# 7. The language switcher -----------------------------------------------------------------------------------


def _switcher_links(html):
    return dict(re.findall(r'hreflang="(\w\w)" lang="\w\w" href="([^"]*)"', html))


@pytest.fixture
def translated_event(core_site):
    english = Locale.objects.get(language_code="en")
    agenda = EventIndexPageFactory(parent=core_site)
    agenda_en = agenda.copy_for_translation(english)
    agenda_en.title, agenda_en.slug = "Events", "events"
    agenda_en.save_revision().publish()
    event = EventPageFactory(parent=agenda, title="Atelier commerce", slug="atelier-commerce")
    event_en = event.copy_for_translation(english)
    event_en.title, event_en.slug = "Retail workshop", "retail-workshop"
    event_en.save_revision().publish()
    event_en.refresh_from_db()
    # Its URLs, not the page: tests/conftest.py reads every fixture value's `.messages` (an event has some).
    return {"fr": event.url, "en": event_en.url}


def test_switcher_goes_to_the_pages_translation_with_one_lookup(client, core_site):
    page = StandardPage.objects.get(locale__language_code="fr", slug="le-reseau")
    client.get(page.url)  # warm the site's root paths
    with CaptureQueriesContext(connection) as queries:
        html = client.get(page.url).content.decode()
    assert _switcher_links(html) == {"fr": "/fr/le-reseau/", "en": "/en/the-network/"}
    # The header includes the switcher twice (desktop, mobile): still one lookup of the translation.
    lookups = [q["sql"] for q in queries.captured_queries if f"'{page.translation_key.hex}'" in q["sql"]]
    assert len(lookups) == 1, lookups


def test_switcher_keeps_a_routable_pages_sub_route(client, translated_event):
    assert translated_event == {"fr": "/fr/evenements/atelier-commerce/", "en": "/en/events/retail-workshop/"}
    response = client.get("/fr/evenements/atelier-commerce/inscription/")
    assert response.status_code == 200
    links = _switcher_links(response.content.decode())
    assert links["en"] == "/en/events/retail-workshop/registration/"
    back = client.get(links["en"])
    assert back.status_code == 200
    assert _switcher_links(back.content.decode())["fr"] == "/fr/evenements/atelier-commerce/inscription/"


def test_switcher_goes_to_the_same_account_view_in_the_other_language(client, core_site):
    with translation.override("fr"):
        french = reverse("network:password_reset")
    with translation.override("en"):
        english = reverse("network:password_reset")
    assert french != english
    html = client.get(french).content.decode()
    assert _switcher_links(html)["en"] == english
    html = client.get(english).content.decode()
    assert _switcher_links(html)["fr"] == french


def test_without_a_counterpart_the_switcher_says_it_goes_home(client, core_site):
    page = StandardPage(title="Page seulement en français", slug="seulement-en-francais")
    home = core_site
    home.add_child(instance=page)
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert _switcher_links(html)["en"] == "/en/"
    link = re.search(r'hreflang="en"[^>]*>(.*?)</a>', html, re.S).group(1)
    assert "home page" in link


# 27, 33, 9. Settings from the environment, the shared cache, absolute admin links --------------------------


def _run_python(code, extra_env):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(extra_env)
    return subprocess.run([sys.executable, *code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "hub.settings.production",
    "SECRET_KEY": "a-long-production-like-secret-" + "x7Gq2" * 10,
    "ALLOWED_HOSTS": "centralites.example.org",
}


def test_production_refuses_to_start_without_a_shared_cache():
    result = _run_python(["manage.py", "check"], PRODUCTION)
    assert result.returncode != 0 and "REDIS_URL" in result.stderr


def test_deploy_check_fails_on_a_per_process_cache_and_a_malformed_proxy_list():
    result = _run_python(
        ["manage.py", "check", "--deploy"],
        {"DJANGO_SETTINGS_MODULE": "hub.settings.test", "HUB_TRUSTED_PROXIES": "10.0.0.2,le-proxy"},
    )
    assert result.returncode != 0
    assert "hub.E001" in result.stderr and "hub.E002" in result.stderr and "le-proxy" in result.stderr


def test_limits_timeouts_and_connections_come_from_the_environment():
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps([settings.NETWORK_LOGIN_RATE, settings.NEWSLETTER_BATCH_SIZE,"
        " settings.EVENTS_PERSONAL_DATA_RETENTION_MONTHS, settings.AXES_FAILURE_LIMIT,"
        " settings.DATABASES['default']['CONN_MAX_AGE'], settings.HUB_TRUSTED_PROXIES,"
        " settings.WAGTAILADMIN_BASE_URL, settings.SESSION_COOKIE_SECURE]))"
    )
    result = _run_python(
        ["-c", code],
        {
            **PRODUCTION,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": "postgres://u@db.internal:5432/centralites",
            "NETWORK_LOGIN_RATE": "12/h",
            "NEWSLETTER_BATCH_SIZE": "50",
            "EVENTS_PERSONAL_DATA_RETENTION_MONTHS": "6",
            "AXES_FAILURE_LIMIT": "8",
            "CONN_MAX_AGE": "120",
            "HUB_TRUSTED_PROXIES": "10.0.0.1,10.0.1.0/24",
            "SITE_BASE_URL": "https://centralites.example.org/",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        '["12/h", 50, 6, 8, 120, ["10.0.0.1", "10.0.1.0/24"], "https://centralites.example.org", true]'
    )


def test_every_variable_of_the_settings_schema_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    undocumented = [name for name in env.scheme if f"`{name}`" not in configuration]
    assert undocumented == []


def test_upload_and_api_limits_and_the_plain_http_switch_come_from_the_environment():
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps([settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE, settings.WAGTAILAPI_LIMIT_MAX,"
        " settings.HUB_ALLOW_PLAIN_HTTP]))"
    )
    environment = {
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "WAGTAILIMAGES_MAX_UPLOAD_SIZE": "2000000",
        "WAGTAILAPI_LIMIT_MAX": "20",
        "HUB_ALLOW_PLAIN_HTTP": "true",
    }
    result = _run_python(["-c", code], environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[2000000, 20, true]"
    # The deploy check reads the same switch from the same place, whatever the settings module.
    check = _run_python(["manage.py", "check", "--deploy"], environment)
    assert "hub.W001" in check.stderr + check.stdout


def test_the_api_refuses_more_items_than_its_limit_and_a_search_when_search_is_off(client, core_site, settings):
    assert client.get("/api/v2/pages/?limit=100").status_code == 200
    assert client.get("/api/v2/pages/?limit=101").status_code == 400
    assert client.get("/api/v2/pages/?search=commerce").status_code == 200
    settings.WAGTAILAPI_SEARCH_ENABLED = False
    response = client.get("/api/v2/pages/?search=commerce")
    assert response.status_code == 400 and "search is disabled" in response.json()["message"]
