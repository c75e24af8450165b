"""A response cache for anonymous visitors of listing pages, invalidated by a content generation.

Any publication, unpublication, move or deletion of a page, or a change to the taxonomy, bumps a
generation number kept in the cache; cached responses are keyed by it, so they go stale at once
rather than after their timeout. With several app servers the cache (and thus the generation) must
be shared: set REDIS_URL.

Keys hold only the query parameters the view knows: a listing records, per path, the names it reads
(its facets, `q`, `tri`, `page`…), and the key of any later request to that path is built from those
alone, in a fixed order. `?utm_source=…`, a click id or a reordered query string then share the entry
instead of each costing a full render and a new entry. Until a path has recorded its names (its first
render, or after the cache was emptied), its responses are neither read from nor written to the cache
by the middleware.
"""

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

GENERATION_KEY = "hub:content-generation"
DEFAULT_TIMEOUT = 300


def content_generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def bump_content_generation(**kwargs):
    """Signal receiver: every cached listing is stale from now on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def cacheable(request):
    return (
        request.method == "GET"
        and "messages" not in request.COOKIES  # a flash message is for this visitor only
        and not request.user.is_authenticated
    )


PARAMS_TIMEOUT = 24 * 3600


def _path_digest(request):
    return hashlib.sha256(request.path.encode()).hexdigest()


def _params_key(request):
    return f"hub:response-params:{_path_digest(request)}"


def known_params(request):
    """The query parameter names the view at this path reads, as it recorded them (None before that)."""
    names = cache.get(_params_key(request))
    return None if names is None else tuple(names)


def record_params(request, names):
    names = tuple(sorted(set(names)))
    if known_params(request) != names:
        cache.set(_params_key(request), names, PARAMS_TIMEOUT)
    return names


def _key(request, names, generation=None):
    # Only the known parameters, sorted: unknown ones (trackers) do not split the cache.
    pairs = [(name, value) for name in names for value in request.GET.getlist(name)]
    # Hashed: full paths can be long and hold characters some cache backends refuse in keys.
    digest = hashlib.sha256(f"{request.path}?{urlencode(pairs)}".encode()).hexdigest()
    return f"hub:response:{generation or content_generation()}:{digest}"


def _from_cache(request, names=None):
    names = known_params(request) if names is None else names
    if names is None:
        return None
    stored = cache.get(_key(request, names))
    if stored is None:
        return None
    content, content_type = stored
    response = HttpResponse(content, content_type=content_type)
    response["X-Hub-Cache"] = "hit"
    patch_vary_headers(response, ["Cookie"])
    return response


class AnonymousCacheMiddleware:
    """Answers anonymous GETs from the responses views stored with `cached_response`, before URL
    resolution and page routing, so a cached listing costs about what a bare Django view does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if cacheable(request):
            response = _from_cache(request)
            if response is not None:
                return response
        return self.get_response(request)


def cached_response(request, build, timeout=DEFAULT_TIMEOUT, params=()):
    """`build()`'s response, stored for anonymous GETs of the same path, known parameters and content state.

    `params` names the query parameters the response depends on: a sequence, or a callable called after
    `build()` (when the view only knows them once built). Any other parameter is ignored by the key.
    """
    if not cacheable(request):
        return build()
    names = known_params(request)
    if names is not None:
        response = _from_cache(request, names)
        if response is not None:
            return response
    generation = content_generation()
    response = build()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    names = record_params(request, params() if callable(params) else params)
    if response.status_code == 200 and not response.streaming:
        # Under the generation read before rendering: a publication during the render leaves it stale.
        key = _key(request, names, generation)
        cache.set(key, (response.content, response["Content-Type"]), timeout)
        response["X-Hub-Cache"] = "miss"
    patch_vary_headers(response, ["Cookie"])
    return response


def connect_invalidation():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from hub.models import Commune, Programme, Thematic

    page_published.connect(bump_content_generation, dispatch_uid="hub-cache-published")
    page_unpublished.connect(bump_content_generation, dispatch_uid="hub-cache-unpublished")
    post_page_move.connect(bump_content_generation, dispatch_uid="hub-cache-moved")
    post_delete.connect(_page_deleted, dispatch_uid="hub-cache-deleted")
    for model in (Programme, Thematic, Commune):
        post_save.connect(bump_content_generation, sender=model, dispatch_uid=f"hub-cache-{model.__name__}")


def _page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump_content_generation()
