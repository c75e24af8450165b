"""The site's URLs with the account's "Mes inscriptions" page mounted as network/urls.py will mount it
(`path("", include("events.account_urls"))` in the account URLs), for tests until then."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils.translation import pgettext_lazy

from hub.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *i18n_patterns(path(pgettext_lazy("URL", "compte/"), include("events.account_urls"))),
    *site_urlpatterns,
]
