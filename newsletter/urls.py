"""Newsletter URLs outside the language prefix (the links in emails must not depend on a language).

Mounted by the project at /newsletter/: path("newsletter/", include("newsletter.urls")).
"""

from django.urls import path

from newsletter import views, webhooks

app_name = "newsletter"

urlpatterns = [
    path("inscription/", views.subscribe, name="subscribe"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("webhooks/brevo/tracking/", webhooks.brevo_tracking, name="brevo_tracking"),
    path("webhooks/mailjet/tracking/", webhooks.mailjet_tracking, name="mailjet_tracking"),
]
