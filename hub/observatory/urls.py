"""The observatory's routes, under `territoires/observatoire/` (included by hub.urls in every language)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.observatory, name="observatory"),
    path("export.csv", views.observatory_export, name="observatory_export"),
]
