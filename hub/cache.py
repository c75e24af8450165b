"""A response cache for anonymous visitors of listing pages (and the home page), invalidated by what changed.

Each cached response carries the stamp of the content it was built from: the global content generation
and one token per *scope* it depends on (a scope is a page: "page:<id>", whose listing shows its
descendants; or "chrome", the header and footer). Publishing, unpublishing or deleting a page renews the
tokens of that page, of its ancestors (its parent index, the home page) and of their translations (an
English listing also shows French pages that have no translation yet): the Projétothèque and the home
page go stale, the resource library's cached listing does not. Every response also depends on the
chrome scope (a page published at the menu's depth, or one the footer links to, shows on every page).
Moves, the taxonomy and communes change
what every listing shows or links to, and bump the global generation (as does any app calling
`bump_content_generation`). With several app servers the cache must be shared: set REDIS_URL.

A stale or expired response is rebuilt by one request only: the first takes a lock (`cache.add`), the
others meanwhile get the previous version (marked `X-Hub-Cache: stale`), or, when there is none yet,
wait for the first to store it (at most HUB_RESPONSE_CACHE_BUILD_WAIT seconds, then build it themselves). Entries are
kept HUB_RESPONSE_CACHE_STALE_GRACE seconds after they expire for that purpose. The stamp is read before rendering, so a
publication during a render leaves that response stale (except on a path's very first render, whose
scopes are only known once built). The page's CSP nonce is stored as a placeholder and each response
served from the cache carries the nonce of its own Content-Security-Policy header.

Keys hold only the query parameters the view knows: a listing records, per path, the names it reads
(its facets, `q`, `tri`, `page`…) and the scopes it depends on, and the key of any later request to that
path is built from those names alone, in a fixed order. `?utm_source=…`, a click id or a reordered query
string then share the entry instead of each costing a full render and a new entry. Until a path has
recorded its names (its first render, or after the cache was emptied), its responses are neither read
from nor written to the cache by the middleware.
"""

import hashlib
import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from wagtail.signals import page_unpublished, post_page_move

GENERATION_KEY = "hub:content-generation"
SCOPE_KEY = "hub:scope:{}"
CHROME_SCOPE = "chrome"
PARAMS_TIMEOUT = 24 * 3600
# The rebuild lock's lifetime, the wait for another's rebuild and the grace of a stale entry are settings:
# HUB_RESPONSE_CACHE_BUILD_LOCK, HUB_RESPONSE_CACHE_BUILD_WAIT and HUB_RESPONSE_CACHE_STALE_GRACE.
WAIT_STEP = 0.05


def content_generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def bump_content_generation(**kwargs):
    """Every cached response (and the chrome) is stale from now on: for changes every listing can show."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def page_scope(page_or_id):
    return f"page:{getattr(page_or_id, 'pk', page_or_id)}"


def _new_token():
    return f"{time.time_ns():x}{secrets.token_hex(4)}"


def renew_scopes(scopes):
    """Responses depending on any of `scopes` are stale from now on (one cache round trip)."""
    scopes = set(scopes)
    if scopes:
        cache.set_many({SCOPE_KEY.format(scope): _new_token() for scope in scopes}, timeout=None)


def stamp(scopes=()):
    """The state of the content a response depending on `scopes` is built from (two round trips at most).

    A scope with no token yet gets a fresh one: a token evicted from the cache then never matches an
    older response again.
    """
    keys = [GENERATION_KEY] + [SCOPE_KEY.format(scope) for scope in sorted(scopes)]
    found = cache.get_many(keys)
    if GENERATION_KEY not in found:
        found[GENERATION_KEY] = content_generation()
    for key in keys[1:]:
        if key not in found:
            cache.add(key, _new_token(), timeout=None)
            found[key] = cache.get(key)
    return (_rendering_settings(), *(found[key] for key in keys))


def _rendering_settings():
    """The settings every page's HTML shows (the brand, absolute links): a deploy changing them starts afresh,
    even with a cache (Redis) that outlives the processes."""
    return f"{settings.HUB_STATE_BRAND}|{settings.SITE_BASE_URL}"


def cacheable(request):
    return (
        request.method == "GET"
        and "messages" not in request.COOKIES  # a flash message is for this visitor only
        and not request.user.is_authenticated
    )


def _path_digest(request):
    return hashlib.sha256(request.path.encode()).hexdigest()


def _params_key(request):
    return f"hub:response-params:{_path_digest(request)}"


def _recorded(request):
    """(names, scopes) the view at this path recorded, or None."""
    record = cache.get(_params_key(request))
    if record is None:
        return None
    names, scopes = record
    return tuple(names), tuple(scopes)


def known_params(request):
    """The query parameter names the view at this path reads, as it recorded them (None before that)."""
    record = _recorded(request)
    return None if record is None else record[0]


def record_params(request, names, scopes=()):
    record = (tuple(sorted(set(names))), tuple(sorted(set(scopes))))
    if _recorded(request) != record:
        cache.set(_params_key(request), record, PARAMS_TIMEOUT)
    return record[0]


def _key(request, names):
    # Only the known parameters, sorted: unknown ones (trackers) do not split the cache.
    pairs = [(name, value) for name in names for value in request.GET.getlist(name)]
    # Hashed: full paths can be long and hold characters some cache backends refuse in keys.
    digest = hashlib.sha256(f"{request.path}?{urlencode(pairs)}".encode()).hexdigest()
    return f"hub:response:{digest}"


# The page's CSP nonce is per response: stored as this placeholder, replaced by the serving request's own.
NONCE_PLACEHOLDER = b"\x00hub-csp-nonce\x00"


def _without_nonce(request, content):
    nonce = getattr(request, "csp_nonce", None)
    return content.replace(nonce.encode(), NONCE_PLACEHOLDER) if nonce else content


def _with_nonce(request, content):
    nonce = getattr(request, "csp_nonce", None)
    return content.replace(NONCE_PLACEHOLDER, nonce.encode()) if nonce else content


def _response(request, entry, state):
    _stamp, _expires, content, content_type = entry
    response = HttpResponse(_with_nonce(request, content), content_type=content_type)
    response["X-Hub-Cache"] = state
    patch_vary_headers(response, ["Cookie"])
    return response


def _is_fresh(entry, current):
    return entry is not None and entry[0] == current and entry[1] > time.time()


def _from_cache(request):
    """The stored response when it is fresh (the middleware's fast path), else None."""
    record = _recorded(request)
    if record is None:
        return None
    names, scopes = record
    entry = cache.get(_key(request, names))
    if entry is None or not _is_fresh(entry, stamp(scopes)):
        return None
    return _response(request, entry, "hit")


class AnonymousCacheMiddleware:
    """Answers anonymous GETs from the fresh responses views stored with `cached_response`, before URL
    resolution and page routing, so a cached listing costs about what a bare Django view does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if cacheable(request):
            response = _from_cache(request)
            if response is not None:
                return response
        return self.get_response(request)


def _scopes_of(response, scopes):
    if scopes is not None:
        return scopes() if callable(scopes) else scopes
    # By default, the page the response shows (a listing depends on its descendants).
    page = (getattr(response, "context_data", None) or {}).get("page")
    return [page_scope(page)] if getattr(page, "pk", None) else []


def cached_response(request, build, timeout=None, params=(), scopes=None):
    """`build()`'s response, stored for anonymous GETs of the same path, known parameters and content state.

    `params` names the query parameters the response depends on: a sequence, or a callable called after
    `build()` (when the view only knows them once built). Any other parameter is ignored by the key.
    `scopes` names what the response shows (see the module's note); by default the `page` of its context.
    """
    if not cacheable(request):
        return build()
    timeout = settings.HUB_RESPONSE_CACHE_TIMEOUT if timeout is None else timeout
    record = _recorded(request)
    previous = None
    if record is not None:
        key = _key(request, record[0])
        previous = cache.get(key)
        if _is_fresh(previous, stamp(record[1])):
            return _response(request, previous, "hit")
        lock = f"{key}:lock"
    else:  # the path's first render (or the cache was emptied): one request renders it
        lock = f"hub:response-lock:{_path_digest(request)}"
    if not cache.add(lock, 1, settings.HUB_RESPONSE_CACHE_BUILD_LOCK):
        # Another request is building this response: the previous version, or wait for the new one.
        if previous is not None:
            return _response(request, previous, "stale")
        waited = _wait_for(request)
        if waited is not None:
            return _response(request, waited, "hit")
        lock = None  # the other request failed or is too slow: build without the lock
    try:
        return _build_and_store(request, build, timeout, params, scopes, record)
    finally:
        if lock is not None:
            cache.delete(lock)


def _wait_for(request):
    """The response another request is building for this path and parameters, once it is stored."""
    deadline = time.monotonic() + settings.HUB_RESPONSE_CACHE_BUILD_WAIT
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        record = _recorded(request)
        entry = cache.get(_key(request, record[0])) if record is not None else None
        if entry is not None and entry[1] > time.time():
            return entry
    return None


def _build_and_store(request, build, timeout, params, scopes, record):
    # The stamp read before rendering: a publication during the render leaves the response stale.
    before = stamp(record[1]) if record is not None else None
    response = build()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    # Every page shows the chrome (its menu, its footer): a new menu page must show everywhere at once.
    scope_names = tuple(sorted(set(_scopes_of(response, scopes)) | {CHROME_SCOPE}))
    names = record_params(request, params() if callable(params) else params, scope_names)
    if response.status_code == 200 and not response.streaming:
        if before is None or record[1] != scope_names:
            before = stamp(scope_names)
        content = _without_nonce(request, response.content)
        entry = (before, time.time() + timeout, content, response["Content-Type"])
        cache.set(_key(request, names), entry, timeout + settings.HUB_RESPONSE_CACHE_STALE_GRACE)
        response["X-Hub-Cache"] = "miss"
    patch_vary_headers(response, ["Cookie"])
    return response


def built_once(key, build, timeout):
    """The value stored under `key`, else `build()`'s, stored: while one request builds it (holding a lock,
    `cache.add`), the others arriving meanwhile wait for it (at most HUB_RESPONSE_CACHE_BUILD_WAIT seconds,
    then build it themselves) instead of all building it at once."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:lock"
    if not cache.add(lock, 1, settings.HUB_RESPONSE_CACHE_BUILD_LOCK):
        deadline = time.monotonic() + settings.HUB_RESPONSE_CACHE_BUILD_WAIT
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP)
            value = cache.get(key)
            if value is not None:
                return value
        lock = None  # the other request failed or is too slow: build without the lock
    try:
        value = build()
        cache.set(key, value, timeout)
        return value
    finally:
        if lock is not None:
            cache.delete(lock)


# Who may use the admin, for Wagtail's userbar on the public pages: its own check costs two permission
# queries on every page a logged-in member views. Kept per account until groups or permissions change (the
# admin itself always checks afresh: this only decides whether the userbar is drawn).
ADMIN_ACCESS_SCOPE = "admin-access"


def may_use_admin(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    key = f"hub:admin-access:{user.pk}"
    state = stamp([ADMIN_ACCESS_SCOPE])
    cached = cache.get(key)
    if cached is not None and cached[0] == state:
        return cached[1]
    allowed = user.has_perm("wagtailadmin.access_admin")
    cache.set(key, (state, allowed), PARAMS_TIMEOUT)
    return allowed


def admin_access_changed(**kwargs):
    renew_scopes([ADMIN_ACCESS_SCOPE])


# Invalidation


def pages_changed(pages):
    """The scopes that can show these pages go stale: each page (its own URL), its ancestors (the listings
    and the home page above it) and their translations; the chrome too when a page is in it."""
    from wagtail.models import Page  # noqa: PLC0415

    pages = [page for page in pages if getattr(page, "pk", None)]
    if not pages:
        return
    paths = {path for page in pages for path in _ancestor_paths(page)}
    ancestors = Page.objects.filter(path__in=paths, depth__gt=1).values("translation_key")
    ids = Page.objects.filter(translation_key__in=ancestors).values_list("pk", flat=True)
    scopes = {page_scope(page) for page in pages} | {page_scope(pk) for pk in ids}
    if any(page.depth <= 3 for page in pages) or _in_operator_settings(pages):
        scopes.add(CHROME_SCOPE)
    renew_scopes(scopes)


def _ancestor_paths(page):
    steplen = page.steplen
    return [page.path[:length] for length in range(steplen, len(page.path) + 1, steplen)]


def _in_operator_settings(pages):
    """Pages the footer links to (legal, privacy, accessibility), in any language."""
    from wagtail.models import Page  # noqa: PLC0415

    from hub.models import OperatorSettings  # noqa: PLC0415

    linked = set()
    for row in OperatorSettings.objects.values_list("legal_page", "privacy_page", "accessibility_page"):
        linked.update(pk for pk in row if pk)
    if not linked:
        return False
    keys = set(Page.objects.filter(pk__in=linked).values_list("translation_key", flat=True))
    return any(page.translation_key in keys for page in pages)


def chrome_changed(**kwargs):
    renew_scopes([CHROME_SCOPE])


def _page_saved(sender, instance, **kwargs):
    from wagtail.models import Page  # noqa: PLC0415

    if isinstance(instance, Page):
        pages_changed([instance])


def _page_unpublished(sender, instance, **kwargs):
    pages_changed([instance])


def connect_invalidation():
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.contrib.auth.models import Group, Permission  # noqa: PLC0415
    from wagtail.models import Locale, PageViewRestriction, Site  # noqa: PLC0415

    from hub.models import (  # noqa: PLC0415
        EPCI,
        Commune,
        Department,
        Indicator,
        OperatorSettings,
        Programme,
        Region,
        Thematic,
    )

    # Any save of a page (a publication saves it; so do imports and scripts creating live pages directly)
    # and any unpublication: deleting a live page sends page_unpublished first (Wagtail's pre_delete
    # handler), tree still in place.
    post_save.connect(_page_saved, dispatch_uid="hub-cache-page-saved")
    page_unpublished.connect(_page_unpublished, dispatch_uid="hub-cache-unpublished")
    # A move changes the URLs of a whole subtree, and two sets of listings: rare, so everything.
    post_page_move.connect(bump_content_generation, dispatch_uid="hub-cache-moved")
    # Territories are named on their pages and on the cards that place an item (import_territories writes in
    # bulk, without signals, and bumps the generation itself once it commits).
    for model in (Programme, Thematic, Commune, EPCI, Department, Region, Site, Locale, Indicator):
        post_save.connect(bump_content_generation, sender=model, dispatch_uid=f"hub-cache-{model.__name__}")
    # A view restriction hides or shows a whole subtree in every listing (hub.pagestate keeps them).
    for signal in (post_save, post_delete):
        signal.connect(
            bump_content_generation, sender=PageViewRestriction, dispatch_uid=f"hub-cache-restriction-{signal}"
        )
    # Territory pages show the observatory's indicators (their values' imports bump the generation themselves).
    post_delete.connect(bump_content_generation, sender=Indicator, dispatch_uid="hub-cache-Indicator-deleted")
    post_save.connect(chrome_changed, sender=OperatorSettings, dispatch_uid="hub-cache-operator-settings")
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(admin_access_changed, sender=through, dispatch_uid=f"hub-admin-access-{through.__name__}")
    for model in (user_model, Group, Permission):
        post_save.connect(admin_access_changed, sender=model, dispatch_uid=f"hub-admin-access-save-{model.__name__}")
        post_delete.connect(admin_access_changed, sender=model, dispatch_uid=f"hub-admin-access-del-{model.__name__}")
