import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.db import OperationalError

from hub import views

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_robots_txt_points_to_the_sitemap(client, db):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: " in body and body.rstrip().endswith("/sitemap.xml")


def _run_manage(args, extra_env):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key_or_hosts():
    result = _run_manage(["check"], {"DJANGO_SETTINGS_MODULE": "hub.settings.production", "ALLOWED_HOSTS": "x.fr"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    result = _run_manage(["check"], {"DJANGO_SETTINGS_MODULE": "hub.settings.production", "SECRET_KEY": "k" * 60})
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


def test_production_deploy_check_is_clean():
    result = _run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DJANGO_SETTINGS_MODULE": "hub.settings.production",
            "SECRET_KEY": "a-long-production-like-secret-" + "x7Gq2" * 10,
            "ALLOWED_HOSTS": "centralites.example.org",
            "REDIS_URL": "redis://127.0.0.1:6379/0",  # production needs the shared cache (not reached here)
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_search_backend_follows_elasticsearch_url():
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.WAGTAILSEARCH_BACKENDS['default']))"
    )
    env = {k: v for k, v in os.environ.items() if k != "ELASTICSEARCH_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "hub.settings.dev"
    default = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert '"hub.search_backend"' in default.stdout, default.stderr
    env["ELASTICSEARCH_URL"] = "http://127.0.0.1:9200"
    es = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert '"wagtail.search.backends.elasticsearch9"' in es.stdout and '"INDEX_PREFIX"' in es.stdout, es.stderr


def test_postgres_uses_the_french_search_configuration(settings):
    if not settings.DATABASE_IS_POSTGRES:
        pytest.skip("PostgreSQL not configured (set DATABASE_URL=postgres://…)")
    assert settings.WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] == "french"


def test_tests_run_tasks_immediately(settings):
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"


def test_compiled_english_messages_are_present():
    assert (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.mo").exists()


def test_every_interface_string_has_an_english_translation():
    catalogue = polib.pofile(str(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated and not fuzzy, (untranslated, fuzzy)
    compiled = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    assert compiled.stat().st_mtime >= (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po").stat().st_mtime - 5
