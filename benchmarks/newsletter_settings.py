"""Settings for benchmarks/newsletter.py and its worker: database task backend, SMTP to the local server,
no throttle (the benchmark measures the sending machinery, not the provider's allowed rate)."""

import os

from hub.settings.test import *  # noqa: F401,F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("NEWSLETTER_BENCH_SMTP_PORT", "2525"))
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
SITE_BASE_URL = "https://centralites.example"
NEWSLETTER_MAX_PER_SECOND = 0
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BENCH_BATCH", "500"))
NEWSLETTER_PARALLEL_TASKS = int(os.environ.get("NEWSLETTER_BENCH_WORKERS", "1"))
