"""The project's URLs plus the newsletter's non-language URLs, as hub/urls.py will mount them."""

from django.urls import include, path

from hub.urls import handler404, handler500  # noqa: F401
from hub.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("newsletter/", include("newsletter.urls")), *site_urlpatterns]
