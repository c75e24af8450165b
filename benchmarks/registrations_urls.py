"""The site's URLs plus a bare view: a CSRF-protected form whose POST writes one row."""

from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from hub.urls import handler404, handler500  # noqa: F401
from hub.urls import urlpatterns as site_urlpatterns

BARE_TABLE = "bench_bare_registration"


def bare_registration(request):
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {BARE_TABLE} (email, created_at) VALUES (%s, now())", [request.POST.get("email", "")]
            )
        return HttpResponse(status=302, headers={"Location": "/bare/registration/?ok=1"})
    token = get_token(request)
    return HttpResponse(
        f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input name="email"><button>OK</button></form>',
        content_type="text/html; charset=utf-8",
    )


urlpatterns = [path("bare/registration/", bare_registration), *site_urlpatterns]
