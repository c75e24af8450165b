"""Settings of the `db_worker` subprocess in the crash/resume test: the real database task backend and the
test's local SMTP server (port given through the environment)."""

import os

from hub.settings.test import *  # noqa: F401,F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("NEWSLETTER_TEST_SMTP_PORT", "1025"))
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
SITE_BASE_URL = "https://centralites.example"
NEWSLETTER_MAX_PER_SECOND = float(os.environ.get("NEWSLETTER_TEST_RATE", "20"))
NEWSLETTER_BATCH_SIZE = 5
# Resuming must not depend on claims going stale: the production timeout, and the reclaimer's default round.
NEWSLETTER_SENDING_TIMEOUT = 600
NEWSLETTER_RECLAIM_INTERVAL = 10
NEWSLETTER_RETRY_DELAY = 0.2
