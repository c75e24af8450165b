"""Settings of the registrations benchmark's gunicorn server: the test settings on PostgreSQL, with the
production task backend (emails queue as rows for db_worker) and no per-IP rate limit (all clients are
127.0.0.1)."""

from hub.settings.test import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.registrations_urls"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EVENTS_REGISTRATION_RATE = None
DEBUG = False
ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"handlers": [], "level": "ERROR"}}
