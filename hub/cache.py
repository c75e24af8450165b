"""A response cache for anonymous visitors of listing pages, invalidated by a content generation.

Any publication, unpublication, move or deletion of a page, or a change to the taxonomy, bumps a
generation number kept in the cache; cached responses are keyed by it, so they go stale at once
rather than after their timeout. With several app servers the cache (and thus the generation) must
be shared: set REDIS_URL.
"""

import hashlib

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


def _key(request):
    # Hashed: full paths can be long and hold characters some cache backends refuse in keys.
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"hub:response:{content_generation()}:{digest}"


def _from_cache(request):
    stored = cache.get(_key(request))
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


def cached_response(request, build, timeout=DEFAULT_TIMEOUT):
    """`build()`'s response, stored for anonymous GETs of the same full path and content state."""
    if not cacheable(request):
        return build()
    response = _from_cache(request)
    if response is not None:
        return response
    key = _key(request)
    response = build()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if response.status_code == 200 and not response.streaming:
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
