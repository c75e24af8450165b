import gzip
import hashlib
from collections import OrderedDict

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Locale, Page

from hub import geodata, territory_pages
from hub.models import Commune
from hub.search import clean_query, excerpt, search_results
from hub.territory_pages import KINDS, find_territories

SEARCH_PAGE_SIZE = 30
# The header search's « Territoires » group: the first few matches of each kind, the rest on /fr/territoires/.
SEARCH_TERRITORY_LIMITS = {"commune": 8, "epci": 3, "departement": 3, "region": 2}


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise (for load balancers and uptime checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "unhealthy", whatever its class
        return JsonResponse({"status": "error", "database": exc.__class__.__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def base_map(request):
    """The départements' outlines (GeoJSON) every map draws on, from the file shipped in hub/data: sent as
    stored, gzip-compressed, to the browsers that accept it (all of them), and kept by them a day."""
    path = geodata.DEPARTMENT_OUTLINES
    stored = path.read_bytes()
    etag = f'"{hashlib.sha256(stored).hexdigest()[:32]}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(stored, content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(stored), content_type="application/geo+json")
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def territory_outline(request, kind, code):
    """A territory's outline (GeoJSON) for its page's map: a commune's, a département's or a région's as
    shipped, an EPCI's or EPT's as its communes' outlines."""
    territory = territory_pages.lookup(kind, code)
    if territory is None:
        raise Http404
    if kind == territory_pages.INTERCOMMUNALITY:
        codes = Commune.objects.filter(territory.where("")).order_by("insee_code").values_list("insee_code", flat=True)
        shapes = [(code, geodata.commune_outline(code)) for code in codes]
    else:
        outline = {
            territory_pages.COMMUNE: geodata.commune_outline,
            territory_pages.DEPARTMENT: geodata.department_outline,
            territory_pages.REGION: geodata.region_outline,
        }[kind]
        shapes = [(territory.code, outline(territory.code))]
    features = [{"type": "Feature", "id": code, "properties": {}, "geometry": shape} for code, shape in shapes if shape]
    if not features:
        raise Http404
    response = JsonResponse({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /*/recherche/",
        "Disallow: /*/search/",
        f"Sitemap: {settings.SITE_BASE_URL}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def search(request):
    """Site search over every published, public page of the current language, grouped by page type; the
    territories matching the text first, as their own group (on the first page of results)."""
    query = (request.GET.get("q") or "").strip()[:200]
    terms = clean_query(query)
    groups = OrderedDict()
    page_obj = None
    total = 0
    territories, more_territories = [], False
    if query and request.GET.get("page") in (None, "", "1"):
        found, more = find_territories(query, SEARCH_TERRITORY_LIMITS)
        territories = [territory for kind in KINDS for territory in found[kind]]
        more_territories = bool(more)
    if terms:
        locale = Locale.objects.filter(language_code=get_language()).first() or Locale.get_default()
        pages = Page.objects.live().public().filter(locale=locale, depth__gt=1).specific()
        # Each language's pages are searched with its own stemming (hub.search_backend).
        results = search_results(pages, terms, language=locale.language_code)
        paginator = Paginator(results, SEARCH_PAGE_SIZE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        total = paginator.count
        for result in page_obj.object_list:
            label = result._meta.verbose_name_plural
            result.search_excerpt = excerpt(result, terms)
            result.search_type = result._meta.verbose_name
            result.search_date = result_date(result)
            groups.setdefault(str(label), []).append(result)
    return render(
        request,
        "pages/search.html",
        {
            "query": query,
            "groups": groups,
            "page_obj": page_obj,
            "total": total,
            "territories": territories,
            "more_territories": more_territories,
        },
    )


def result_date(page):
    """The date a reader cares about: an event's start, a resource's date, else the last publication."""
    for name in ("start", "date", "sent_at"):
        value = getattr(page, name, None)
        if value:
            return value
    return page.last_published_at or page.first_published_at


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that may touch the failing part: a plain render of a static template.

    return HttpResponse(loader.get_template("500.html").render({"request": None}), status=500)
