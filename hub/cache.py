"""A response cache for anonymous visitors of listing pages, invalidated by a content generation.

Any publication, unpublication, move or deletion of a page, or a change to the taxonomy, bumps a
generation number kept in the cache; cached responses are keyed by it, so they go stale at once
rather than after their timeout. With several app servers the cache (and thus the generation) must
be shared: set REDIS_URL.
"""

from django.core.cache import cache
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
    return request.method == "GET" and not request.user.is_authenticated and not request.GET.get("preview")


def cached_response(request, build, timeout=DEFAULT_TIMEOUT):
    """`build()`'s response, from the cache for anonymous GETs of the same full path and content state."""
    if not cacheable(request):
        return build()
    key = f"hub:response:{content_generation()}:{request.get_full_path()}"
    stored = cache.get(key)
    if stored is not None:
        content, content_type = stored
        from django.http import HttpResponse

        response = HttpResponse(content, content_type=content_type)
        response["X-Hub-Cache"] = "hit"
        patch_vary_headers(response, ["Cookie"])
        return response
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
