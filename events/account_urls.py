"""The account's "Mes inscriptions" page (/fr/compte/inscriptions/, /en/account/registrations/).

Included by the account URLs (network/urls.py) without a namespace of its own, so its name joins
theirs: `network:event_registrations`."""

from django.urls import path
from django.utils.translation import pgettext_lazy

from events import account_views

urlpatterns = [
    path(pgettext_lazy("URL", "inscriptions/"), account_views.my_registrations, name="event_registrations"),
]
