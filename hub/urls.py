import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.views import serve as wagtail_serve

from hub import territory_views, views
from hub.api import api_router
from hub.sitemaps import AllLanguagesSitemap, TerritorySitemap
from hub.territory_pages import COMMUNE, DEPARTMENT, INTERCOMMUNALITY, REGION

urlpatterns = [
    path("", RedirectView.as_view(url=f"/{settings.LANGUAGE_CODE}/", permanent=False)),
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("carte/fond.geojson", views.base_map, name="base_map"),
    re_path(
        r"^carte/contours/(?P<kind>commune|epci|departement|region)/(?P<code>[0-9A-Za-z]{2,9})\.geojson$",
        views.territory_outline,
        name="territory_outline",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": AllLanguagesSitemap, "territories": TerritorySitemap}},
        name="sitemap",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Links in emails (double opt-in, unsubscribe, one-click POST) and provider webhooks: no language prefix.
    path("newsletter/", include("newsletter.urls")),
    path("api/v2/", api_router.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Codes as INSEE and the DGCL write them (2A/2B in Corsica; any case, redirected to the right one), then the slug.
COMMUNE_CODE = r"(?P<code>\d[\dABab]\d{3})"
SIREN = r"(?P<code>\d{9})"
DEPARTMENT_CODE = r"(?P<code>97\d|2[ABab]|\d{2})"
REGION_CODE = r"(?P<code>\d{2,3})"
SLUG = r"-(?P<slug>[^/]+)"
escaped = lazy(lambda text: re.escape(str(text)), str)


def territory_routes(code, kind):
    # With no slug (a link built from the code alone), the view redirects to the full address.
    view, name = territory_views.territory_page, f"territory_{kind}"
    return [
        re_path(rf"^{code}{SLUG}/$", view, {"kind": kind}, name=name),
        re_path(rf"^{code}/$", view, {"kind": kind}, name=f"{name}_bare"),
    ]


territory_patterns = [
    path("", territory_views.territory_index, name="territory_index"),
    path(
        pgettext_lazy("URL", "communes/"),
        include(
            [
                # Before the pages' file-like routes (wagtail_serve_file), which would take any path ending in .json.
                re_path(
                    format_lazy(r"^{}{}/{}$", COMMUNE_CODE, SLUG, escaped(pgettext_lazy("URL", "donnees.json"))),
                    territory_views.commune_data,
                    name="territory_commune_data",
                ),
                *territory_routes(COMMUNE_CODE, COMMUNE),
            ]
        ),
    ),
    path(
        pgettext_lazy("URL", "intercommunalites/"),
        include(territory_routes(SIREN, INTERCOMMUNALITY)),
    ),
    path(
        pgettext_lazy("URL", "departements/"),
        include(territory_routes(DEPARTMENT_CODE, DEPARTMENT)),
    ),
    path(
        pgettext_lazy("URL", "regions/"),
        include(territory_routes(REGION_CODE, REGION)),
    ),
]

urlpatterns += i18n_patterns(
    path(pgettext_lazy("URL", "recherche/"), views.search, name="search"),
    path(pgettext_lazy("URL", "territoires/"), include(territory_patterns)),
    path(pgettext_lazy("URL", "compte/"), include("network.urls")),
    path(pgettext_lazy("URL", "territoires/observatoire/"), include("hub.observatory.urls")),
    # Pages' file-like routes (export.csv, flux.xml, evenement.ics…) have a dot, which Wagtail's own pattern
    # refuses; they go to the same page router, with or without the trailing slash a reversed sub-route has.
    re_path(r"^((?:[\w\-]+/)+[\w\-]+\.(?:csv|json|xml|ics|xlsx)/?)$", wagtail_serve, name="wagtail_serve_file"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"
