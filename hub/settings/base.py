"""Settings shared by every environment, safe for production, read from the environment.

The typed schema below is the whole list of what can be configured; README.md documents each variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, ""),
    ALLOWED_HOSTS=(list, []),
    CSRF_TRUSTED_ORIGINS=(list, []),
    DATABASE_URL=(str, ""),
    ELASTICSEARCH_URL=(str, ""),
    ELASTICSEARCH_INDEX_PREFIX=(str, "centralites_"),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "Centralités <ne-pas-repondre@centralites.localhost>"),
    ANYMAIL_WEBHOOK_SECRET=(str, ""),
    REDIS_URL=(str, ""),
    SITE_BASE_URL=(str, "http://127.0.0.1:8000"),
    HUB_STATE_BRAND=(bool, False),
    # Maps draw on the shipped outlines; a tile server (its URL template and attribution) adds a layer.
    HUB_MAP_TILES_URL=(str, ""),
    HUB_MAP_TILES_ATTRIBUTION=(str, ""),
    AWS_STORAGE_BUCKET_NAME=(str, ""),
    AWS_S3_ENDPOINT_URL=(str, ""),
    AWS_S3_REGION_NAME=(str, ""),
    MEDIA_ROOT=(str, str(BASE_DIR / "var" / "media")),
    STATIC_ROOT=(str, str(BASE_DIR / "var" / "static")),
    FRONTEND_CACHE_CLOUDFLARE_TOKEN=(str, ""),
    FRONTEND_CACHE_CLOUDFLARE_ZONEID=(str, ""),
    FRONTEND_CACHE_PURGE_URL=(str, ""),
    # Database connections: seconds a connection is kept (0: one per request); with PostgreSQL, a pool
    # of at most DATABASE_POOL_MAX_SIZE connections per process instead (0: no pool). A server holds
    # workers × threads connections without a pool, workers × DATABASE_POOL_MAX_SIZE with one.
    CONN_MAX_AGE=(int, 60),
    DATABASE_POOL_MAX_SIZE=(int, 0),
    # Behind a TLS proxy: its addresses or networks (comma-separated) and the header it sets.
    HUB_TRUSTED_PROXIES=(list, []),
    HUB_FORWARDED_FOR_HEADER=(str, "X-Forwarded-For"),
    # Production transport security (hub.settings.production).
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 31_536_000),
    # Test-only: lets hub.settings.production answer plain http on a local port (.ci/production_smoke.sh).
    HUB_ALLOW_PLAIN_HTTP=(bool, False),
    # Cached listings for anonymous visitors (seconds).
    HUB_RESPONSE_CACHE_TIMEOUT=(int, 300),
    HUB_RESPONSE_CACHE_STALE_GRACE=(int, 120),
    HUB_RESPONSE_CACHE_BUILD_LOCK=(int, 30),
    HUB_RESPONSE_CACHE_BUILD_WAIT=(float, 5.0),
    HUB_CHROME_CACHE_TIMEOUT=(int, 24 * 3600),
    HUB_FACET_INDEX_TIMEOUT=(int, 24 * 3600),
    HUB_OBSERVATORY_MEDIANS_TIMEOUT=(int, 300),
    # Rate limits ("N/s", "N/m", "N/h", "N/d"; empty: no limit), counted per client address.
    EVENTS_REGISTRATION_RATE=(str, "10/m"),
    NEWSLETTER_SUBSCRIBE_RATE=(str, "5/m"),
    NETWORK_LOGIN_RATE=(str, "30/h"),
    NETWORK_PASSWORD_RESET_RATE=(str, "10/h"),
    NETWORK_CONTACT_RATE=(str, "20/h"),
    NETWORK_APPLY_RATE=(str, "5/h"),
    NETWORK_EMAIL_CHANGE_RATE=(str, "5/h"),
    RESOURCES_PROPOSALS_PER_DAY=(int, 5),
    NETWORK_CONTACT_PER_SENDER_PER_HOUR=(int, 5),
    NETWORK_CONTACT_PER_RECIPIENT_PER_DAY=(int, 10),
    EVENTS_LINK_RESENDS_PER_DAY=(int, 3),
    NEWSLETTER_CONFIRMATION_INTERVAL=(int, 24 * 3600),
    # Login lockout (django-axes).
    AXES_FAILURE_LIMIT=(int, 5),
    AXES_COOLOFF_MINUTES=(int, 15),
    # Newsletter sending: batch size, throughput, timeouts and retries.
    NEWSLETTER_MAX_PER_SECOND=(float, 20),
    NEWSLETTER_BATCH_SIZE=(int, 200),
    NEWSLETTER_PARALLEL_TASKS=(int, 2),
    NEWSLETTER_SENDING_TIMEOUT=(int, 600),
    NEWSLETTER_RETRY_DELAY=(int, 60),
    NEWSLETTER_RETRY_MAX_DELAY=(int, 3600),
    NEWSLETTER_MAX_ATTEMPTS=(int, 5),
    NEWSLETTER_MAX_INLINE_WAIT=(int, 30),
    NEWSLETTER_RECLAIM_INTERVAL=(int, 10),
    NEWSLETTER_ASYNC_COMMIT=(bool, True),
    # Retention and timeouts.
    EVENTS_PERSONAL_DATA_RETENTION_MONTHS=(int, 12),
    EVENTS_REMINDER_HOURS=(int, 48),
    NETWORK_EMAIL_CHANGE_HOURS=(int, 48),
    PASSWORD_RESET_TIMEOUT_DAYS=(int, 3),
    WAGTAILSEARCH_HITS_MAX_AGE=(int, 14),
    # Uploads: images larger than this many bytes, or this many pixels (refused before decoding).
    WAGTAILIMAGES_MAX_UPLOAD_SIZE=(int, 10 * 1024 * 1024),
    HUB_PROPOSAL_IMAGE_MAX_BYTES=(int, 5 * 1024 * 1024),
    WAGTAILIMAGES_MAX_IMAGE_PIXELS=(int, 128_000_000),
    # Read API: most items one request may ask for (?limit=).
    WAGTAILAPI_LIMIT_MAX=(int, 100),
)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")
SITE_BASE_URL = env("SITE_BASE_URL").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
HUB_STATE_BRAND = env("HUB_STATE_BRAND")
HUB_MAP_TILES_URL = env("HUB_MAP_TILES_URL").strip()
HUB_MAP_TILES_ATTRIBUTION = env("HUB_MAP_TILES_ATTRIBUTION").strip()

INSTALLED_APPS = [
    "hub",
    "resources",
    "events",
    "network",
    "newsletter",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_tasks",
    "django_tasks_db",
    "dsfr",
    "widget_tweaks",  # django-dsfr's form templates load it
    "axes",
    "anymail",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: everything after it sees the client's address, not the proxy's.
    "hub.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hub.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hub.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hub.cache.AnonymousCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"
ASGI_APPLICATION = "hub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "hub.context_processors.hub",
            ],
        },
    },
]

# SQLite with no configuration; anything dj-database-url understands through DATABASE_URL.
if not env("DATABASE_URL"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env("CONN_MAX_AGE"),
        conn_health_checks=True,
    )
}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the dev server and a db_worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASE_IS_POSTGRES and env("DATABASE_POOL_MAX_SIZE") > 0:
    # psycopg's pool (pip install "psycopg[pool]"): persistent connections must then be off.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env("DATABASE_POOL_MAX_SIZE"),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: French first, English second; URLs carry the language prefix.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # Media on S3-compatible storage so several app servers share one set of files.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }

# Cache (and therefore rate-limit counters) in Redis when REDIS_URL is set.
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": "centralites",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Email: console by default; smtp://, smtp+tls://, or an anymail provider via EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Bounce and complaint webhooks (Brevo, Mailjet) authenticate with basic auth "user:password".
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET")} if env("ANYMAIL_WEBHOOK_SECRET") else {}

# Newsletter sending: messages per second per worker (0: no limit), recipients per batch task, batch
# tasks queued at once, seconds before a batch stuck in "sending" is taken again, retries on refusal.
# How long a worker waits inline for a batch before handing over, how often a watchdog reclaims a dead
# worker's rows; subscriptions per address and minute, one confirmation email per address per interval.
NEWSLETTER_MAX_PER_SECOND = env("NEWSLETTER_MAX_PER_SECOND")
NEWSLETTER_BATCH_SIZE = env("NEWSLETTER_BATCH_SIZE")
NEWSLETTER_PARALLEL_TASKS = env("NEWSLETTER_PARALLEL_TASKS")
NEWSLETTER_SENDING_TIMEOUT = env("NEWSLETTER_SENDING_TIMEOUT")
NEWSLETTER_RETRY_DELAY = env("NEWSLETTER_RETRY_DELAY")
NEWSLETTER_RETRY_MAX_DELAY = env("NEWSLETTER_RETRY_MAX_DELAY")
NEWSLETTER_MAX_ATTEMPTS = env("NEWSLETTER_MAX_ATTEMPTS")
NEWSLETTER_MAX_INLINE_WAIT = env("NEWSLETTER_MAX_INLINE_WAIT")
NEWSLETTER_RECLAIM_INTERVAL = env("NEWSLETTER_RECLAIM_INTERVAL")
# PostgreSQL: per-message "sent" marks committed without waiting for fsync (a crash loses at most a few marks,
# which the resume then sends again once).
NEWSLETTER_ASYNC_COMMIT = env("NEWSLETTER_ASYNC_COMMIT")
NEWSLETTER_SUBSCRIBE_RATE = env("NEWSLETTER_SUBSCRIBE_RATE") or None
NEWSLETTER_CONFIRMATION_INTERVAL = env("NEWSLETTER_CONFIRMATION_INTERVAL")

# Background work: django-tasks with the database backend (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Search: the database backend (SQLite FTS, PostgreSQL full text in French), or Elasticsearch 9.
if env("ELASTICSEARCH_URL"):
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch9",
            "URLS": [env("ELASTICSEARCH_URL")],
            "INDEX_PREFIX": env("ELASTICSEARCH_INDEX_PREFIX"),
            "TIMEOUT": 10,
            "OPTIONS": {},
            "INDEX_SETTINGS": {"settings": {"index": {"number_of_shards": 1}}},
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "hub.search_backend",
            "SEARCH_CONFIG": "french" if DATABASE_IS_POSTGRES else None,
        }
    }

WAGTAIL_SITE_NAME = "Centralités"
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Tag slugs end up in shareable filter URLs: keep them ASCII ("marche", not "marché").
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env("WAGTAILIMAGES_MAX_UPLOAD_SIZE")
HUB_PROPOSAL_IMAGE_MAX_BYTES = env("HUB_PROPOSAL_IMAGE_MAX_BYTES")
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env("WAGTAILIMAGES_MAX_IMAGE_PIXELS")
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "csv", "zip"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILAPI_BASE_URL = SITE_BASE_URL
WAGTAILAPI_LIMIT_MAX = env("WAGTAILAPI_LIMIT_MAX")
WAGTAILAPI_SEARCH_ENABLED = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_HITS_MAX_AGE = env("WAGTAILSEARCH_HITS_MAX_AGE")
# No avatars fetched from gravatar.com in the admin: editors' addresses stay here (and the CSP holds).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# CDN purge through Wagtail's front-end cache invalidation when configured.
WAGTAILFRONTENDCACHE = {}
if env("FRONTEND_CACHE_CLOUDFLARE_TOKEN"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": env("FRONTEND_CACHE_CLOUDFLARE_TOKEN"),
        "ZONEID": env("FRONTEND_CACHE_CLOUDFLARE_ZONEID"),
    }
elif env("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env("FRONTEND_CACHE_PURGE_URL"),
    }

# Accounts: members log in at /fr/compte/connexion/ (the admin keeps Wagtail's own login page).
LOGIN_URL = "network:login"
LOGIN_REDIRECT_URL = "network:profile"
LOGOUT_REDIRECT_URL = "/"
WAGTAIL_FRONTEND_LOGIN_URL = "/fr/compte/connexion/"
PASSWORD_RESET_TIMEOUT = env("PASSWORD_RESET_TIMEOUT_DAYS") * 24 * 3600  # reset and activation links
NETWORK_EMAIL_CHANGE_HOURS = env("NETWORK_EMAIL_CHANGE_HOURS")  # a new address's verification link

# Login lockout (django-axes): five failures for one account from one address lock it for 15 minutes,
# on the members' login and on the admin's alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env("AXES_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env("AXES_COOLOFF_MINUTES"))
# The client's address as hub.middleware.ForwardedForMiddleware resolved it (behind the proxy too),
# the same one django-ratelimit, the contact relay and the newsletter count.
AXES_CLIENT_IP_CALLABLE = "hub.middleware.client_ip"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "network.accounts.locked_out"
AXES_VERBOSE = False

# Events: registrations' personal data is anonymised this many months after the event
# (`purge_personal_data`); reminders go out this many hours before; public registration rate per address.
# Private-link resends per address and day.
EVENTS_PERSONAL_DATA_RETENTION_MONTHS = env("EVENTS_PERSONAL_DATA_RETENTION_MONTHS")
EVENTS_REMINDER_HOURS = env("EVENTS_REMINDER_HOURS")
EVENTS_REGISTRATION_RATE = env("EVENTS_REGISTRATION_RATE") or None
EVENTS_LINK_RESENDS_PER_DAY = env("EVENTS_LINK_RESENDS_PER_DAY")

# Directory and accounts: rate limits per client address on login, password reset, contact form,
# membership application and email change; contact relay limits (messages relayed to members);
# project sheets a member may propose per day.
NETWORK_LOGIN_RATE = env("NETWORK_LOGIN_RATE") or None
NETWORK_PASSWORD_RESET_RATE = env("NETWORK_PASSWORD_RESET_RATE") or None
NETWORK_CONTACT_RATE = env("NETWORK_CONTACT_RATE") or None
NETWORK_APPLY_RATE = env("NETWORK_APPLY_RATE") or None
NETWORK_EMAIL_CHANGE_RATE = env("NETWORK_EMAIL_CHANGE_RATE") or None
NETWORK_CONTACT_PER_SENDER_PER_HOUR = env("NETWORK_CONTACT_PER_SENDER_PER_HOUR")
NETWORK_CONTACT_PER_RECIPIENT_PER_DAY = env("NETWORK_CONTACT_PER_RECIPIENT_PER_DAY")
RESOURCES_PROPOSALS_PER_DAY = env("RESOURCES_PROPOSALS_PER_DAY")

# Behind the TLS proxy: requests from these addresses carry the client's address in this header
# (hub.middleware.ForwardedForMiddleware, first in MIDDLEWARE); from anyone else it is ignored.
HUB_TRUSTED_PROXIES = env("HUB_TRUSTED_PROXIES")
HUB_FORWARDED_FOR_HEADER = env("HUB_FORWARDED_FOR_HEADER")
HUB_RESPONSE_CACHE_TIMEOUT = env("HUB_RESPONSE_CACHE_TIMEOUT")
HUB_RESPONSE_CACHE_STALE_GRACE = env("HUB_RESPONSE_CACHE_STALE_GRACE")
HUB_RESPONSE_CACHE_BUILD_LOCK = env("HUB_RESPONSE_CACHE_BUILD_LOCK")
HUB_RESPONSE_CACHE_BUILD_WAIT = env("HUB_RESPONSE_CACHE_BUILD_WAIT")
HUB_CHROME_CACHE_TIMEOUT = env("HUB_CHROME_CACHE_TIMEOUT")
# A listing's facet index (hub.facets) is rebuilt when what it shows changes; this only bounds its life.
HUB_FACET_INDEX_TIMEOUT = env("HUB_FACET_INDEX_TIMEOUT")
HUB_OBSERVATORY_MEDIANS_TIMEOUT = env("HUB_OBSERVATORY_MEDIANS_TIMEOUT")
# Test-only: hub.settings.production answers plain http (.ci/production_smoke.py); `check --deploy` warns.
HUB_ALLOW_PLAIN_HTTP = env("HUB_ALLOW_PLAIN_HTTP")

# Security defaults that hold everywhere; production.py tightens transport security.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Wagtail's preview panel opts its own views back in to same-origin framing.
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"hub": {"level": "INFO"}, "django.request": {"level": "ERROR"}},
}
