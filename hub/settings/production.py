"""Production: everything from the environment; refuses to start without a key, hosts or a shared cache."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import HUB_ALLOW_PLAIN_HTTP, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set (50 characters or more) in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
# Several processes (gunicorn workers, app servers) each with their own memory would each keep their
# own rate-limit counters, lockouts and cached listings: production needs the shared cache.
if not env("REDIS_URL"):
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production: rate limits, the login lockout and cached pages are shared "
        "between processes through it."
    )

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405

# HUB_ALLOW_PLAIN_HTTP (test-only, .ci/production_smoke.py): plain http on a local port, without redirect
# nor secure cookies.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT") and not HUB_ALLOW_PLAIN_HTTP
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = 0 if HUB_ALLOW_PLAIN_HTTP else env("SECURE_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = not HUB_ALLOW_PLAIN_HTTP
CSRF_COOKIE_SECURE = not HUB_ALLOW_PLAIN_HTTP
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not HUB_ALLOW_PLAIN_HTTP
