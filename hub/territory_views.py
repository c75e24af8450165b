"""The territory pages' views (hub.territory_pages holds what they show): the index and its search, a page
per commune, EPCI/EPT, département and région, and a commune's open data."""

from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from hub.cache import cached_response
from hub.models import Region
from hub.registry import territory_sections
from hub.territory_pages import (
    COMMUNE,
    KIND_PLURALS,
    KINDS,
    Territory,
    clean_territory_query,
    find_territories,
    homonyms,
    lookup,
    open_data,
    page_context,
    section_scopes,
)


def _found_or_redirect(request, kind, code, slug, url_of):
    """The territory, or a permanent redirect to its right address (a wrong slug or letter case, or none)."""
    territory = lookup(kind, code)
    if territory is None:
        raise Http404
    if code != territory.code or slug != territory.slug:
        query = request.META.get("QUERY_STRING", "")
        return None, HttpResponsePermanentRedirect(url_of(territory) + (f"?{query}" if query else ""))
    return territory, None


@require_GET
def territory_page(request, kind, code, slug=None):
    """A territory's page (`kind`, given by its URL pattern), cached for anonymous visitors.

    The cached response depends on the scopes the apps' sections name (the Projétothèque's and the agenda's
    index pages, whose descendants' publications renew them; the directory's scope, renewed by any profile
    change) and on the global generation, which territories and programmes bump when saved. What time alone
    changes (an event passing from upcoming to past) waits for the entry to expire
    (HUB_RESPONSE_CACHE_TIMEOUT).
    """
    territory, redirect = _found_or_redirect(request, kind, code, slug, lambda t: t.url())
    if redirect:
        return redirect
    built = {}

    def build():
        context = page_context(request, territory)
        built["scopes"] = context["scopes"]
        return TemplateResponse(request, "pages/territory_page.html", context)

    return cached_response(request, build, params=("page",), scopes=lambda: built.get("scopes", []))


@require_GET
def commune_data(request, code, slug=None):
    """A commune page's data as JSON (Licence Ouverte 2.0), as an anonymous visitor sees it, for everyone."""
    territory, redirect = _found_or_redirect(request, COMMUNE, code, slug, lambda t: t.data_url())
    if redirect:
        return redirect
    built = {}

    def build():
        sections = territory_sections(request, territory, None)
        built["scopes"] = section_scopes(sections)
        return JsonResponse(open_data(request, territory, sections), json_dumps_params={"ensure_ascii": False})

    return cached_response(request, build, params=(), scopes=lambda: built.get("scopes", []))


@require_GET
def territory_index(request):
    """Find a territory by name, INSEE code, SIREN or postcode (`q`). With `partiel=1`, the results alone: the
    search-as-you-type script replaces the page's results with them."""
    query = clean_territory_query(request.GET.get("q"))
    found, more = find_territories(query)
    groups = [
        {"kind": kind, "label": KIND_PLURALS[kind], "territories": found[kind], "more": kind in more}
        for kind in KINDS
        if found[kind]
    ]
    context = {
        "query": query,
        "regions": [] if query else [Territory.of(region) for region in Region.objects.order_by("name")],
        "groups": groups,
        "total": sum(len(group["territories"]) for group in groups),
        "homonyms": homonyms(found[COMMUNE]),
    }
    template = "components/territory_results.html" if request.GET.get("partiel") == "1" else None
    return render(request, template or "pages/territory_index.html", context)
