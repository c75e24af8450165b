"""benchmarks.urls plus a page of the site's layout holding one territory's indicator panel
(`{% indicator_panel %}`), as the territory pages include it: `/<language>/panneau-indicateurs/<kind>/<code>/`
with kind `commune`, `epci`, `departement` or `region`. Used by benchmarks/observatory.py and by the quality
gates (tests/browser/test_observatory_quality.py)."""

from django.http import Http404, HttpResponse
from django.template import RequestContext, Template
from django.urls import path
from django.utils import translation

from benchmarks.urls import handler404, handler500  # noqa: F401
from benchmarks.urls import urlpatterns as bench_urlpatterns
from hub.models import EPCI, Commune, Department, Region

PANEL_PAGE = Template(
    '{% extends "base.html" %}{% load observatory_tags %}{% block title %}{{ territory.name }}{% endblock %}'
    '{% block content %}<div class="fr-container fr-py-4w"><h1>{{ territory.name }}</h1>'
    "{% indicator_panel territory %}</div>{% endblock %}"
)
LOOKUPS = {
    "commune": (Commune.objects.filter(kind=Commune.Kind.CURRENT), "insee_code"),
    "epci": (EPCI.objects.all(), "siren"),
    "departement": (Department.objects.all(), "code"),
    "region": (Region.objects.all(), "code"),
}


def indicator_panel_page(request, language, kind, code):
    if kind not in LOOKUPS:
        raise Http404
    rows, field = LOOKUPS[kind]
    territory = rows.filter(**{field: code}).first()
    if territory is None:
        raise Http404
    with translation.override(language):
        request.LANGUAGE_CODE = language
        return HttpResponse(PANEL_PAGE.render(RequestContext(request, {"territory": territory})))


urlpatterns = [
    path("<str:language>/panneau-indicateurs/<str:kind>/<str:code>/", indicator_panel_page),
    *bench_urlpatterns,
]
