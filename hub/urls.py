from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.utils.translation import pgettext_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.views import serve as wagtail_serve

from hub import views
from hub.api import api_router
from hub.sitemaps import AllLanguagesSitemap

urlpatterns = [
    path("", RedirectView.as_view(url=f"/{settings.LANGUAGE_CODE}/", permanent=False)),
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("carte/fond.geojson", views.base_map, name="base_map"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": AllLanguagesSitemap}}, name="sitemap"),
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

urlpatterns += i18n_patterns(
    path(pgettext_lazy("URL", "recherche/"), views.search, name="search"),
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
