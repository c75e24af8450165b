"""Empty: the events' URLs are their pages' routes (EventIndexPage, EventPage), served by Wagtail.

hub/urls.py still mounts this module under /fr/evenements/; the mount (one line) can go, then this file.
"""

app_name = "events"

urlpatterns = []
