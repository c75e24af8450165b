"""System checks of the platform's own settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """In production several processes serve the site: a cache in each one's own memory would give
    each its own rate-limit counters, login lockouts and cached listings (a hidden profile would still
    show in the others' for minutes). The cache must be shared: set REDIS_URL."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Error(
                f"The default cache ({backend.rsplit('.', 1)[-1]}) lives in each process's own memory.",
                hint="Set REDIS_URL so every process shares rate limits, lockouts and cached pages.",
                id="hub.E001",
            )
        ]
    return []
