"""The site's URLs plus bare views, so benchmarks compare against Django alone through the same middleware."""

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

from hub.urls import handler404, handler500  # noqa: F401
from hub.urls import urlpatterns as site_urlpatterns

BARE_SIZE = {"bytes": 1000}


def bare_page(request):
    return HttpResponse(b"x" * BARE_SIZE["bytes"], content_type="text/html; charset=utf-8")


def bare_stream(request):
    chunk = b"y" * 8192
    total = BARE_SIZE["bytes"]

    def generate():
        sent = 0
        while sent < total:
            part = chunk[: min(8192, total - sent)]
            sent += len(part)
            yield part

    return StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")


urlpatterns = [
    path("bare/page/", bare_page),
    path("bare/stream/", bare_stream),
    *site_urlpatterns,
]
