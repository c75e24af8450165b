"""System checks of the platform's own settings (`manage.py check --deploy`)."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """In production several processes serve the site: a cache in each one's own memory would give
    each its own rate-limit counters, login lockouts and cached listings (a hidden profile would still
    show in the others' for minutes). The cache must be shared: set REDIS_URL."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        return [
            Error(
                f"The default cache ({backend.rsplit('.', 1)[-1]}) lives in each process's own memory.",
                hint="Set REDIS_URL so every process shares rate limits, lockouts and cached pages.",
                id="hub.E001",
            )
        ]
    return []


@register(Tags.security)
def trusted_proxies(app_configs, **kwargs):
    errors = []
    for entry in settings.HUB_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"HUB_TRUSTED_PROXIES: {entry!r} is neither an address nor a network.",
                    hint="List the TLS proxy's addresses or networks, comma-separated: 10.0.0.2,10.1.0.0/16.",
                    id="hub.E002",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def plain_http(app_configs, **kwargs):
    if settings.HUB_ALLOW_PLAIN_HTTP:
        return [
            Warning(
                "HUB_ALLOW_PLAIN_HTTP is on: no https redirect, cookies sent over plain http.",
                hint="It exists for the local production smoke test only; never set it on a server.",
                id="hub.W001",
            )
        ]
    return []


@register(Tags.security)
def map_tiles(app_configs, **kwargs):
    """A tile layer is loaded by every visitor's browser: over https only, and credited under each map."""
    url = settings.HUB_MAP_TILES_URL
    if not url:
        return []
    errors = []
    if not url.startswith("https://") or "{z}" not in url or "{x}" not in url or "{y}" not in url:
        errors.append(
            Error(
                f"HUB_MAP_TILES_URL: {url!r} is not an https tile URL template.",
                hint="For example https://data.geopf.fr/wmts?…&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}, or leave it "
                "empty to draw maps on the shipped outlines only.",
                id="hub.E003",
            )
        )
    if not settings.HUB_MAP_TILES_ATTRIBUTION:
        errors.append(
            Error(
                "HUB_MAP_TILES_URL is set without HUB_MAP_TILES_ATTRIBUTION.",
                hint="Give the tile layer's credit line, for example « © IGN – Plan IGN ».",
                id="hub.E004",
            )
        )
    return errors
