"""A direct route to the busiest URL of an event, the registration form (mounted by the project under the
agenda's slug, /fr/evenements/). It finds the agenda by its slug in one query instead of walking the page
tree from the site root (site, locale, home page, agenda: five queries), then serves the event exactly as
Wagtail's serve view does (before_serve_page hooks: view restrictions, passwords…). Anything it cannot
answer that way goes to Wagtail's serve view. The English form's sub-route is `registration/`."""

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("<slug:slug>/inscription/", views.registration_route, name="registration_route"),
    path(
        "<slug:slug>/registration/",
        views.registration_route,
        {"route": "registration"},
        name="registration_route_en",
    ),
]
