"""Newsletter URLs outside the language prefix (the links in emails must not depend on a language).

Mounted by the project at /newsletter/: path("newsletter/", include("newsletter.urls")).
Tokens are URL-safe base64 (letters, digits, "-" and "_"): anything else (a NUL byte, a quote) is a plain
404 from the resolver, before any database lookup.
"""

from django.urls import path, register_converter

from newsletter import views, webhooks


class TokenConverter:
    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "nltoken")

app_name = "newsletter"

urlpatterns = [
    path("inscription/", views.subscribe, name="subscribe"),
    path("confirmer/<nltoken:token>/", views.confirm, name="confirm"),
    path("desabonnement/<nltoken:token>/", views.unsubscribe, name="unsubscribe"),
    path("webhooks/brevo/tracking/", webhooks.brevo_tracking, name="brevo_tracking"),
    path("webhooks/mailjet/tracking/", webhooks.mailjet_tracking, name="mailjet_tracking"),
]
