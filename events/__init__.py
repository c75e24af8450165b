"""Events: workshops, webinars, the Assises du Centre-Ville, with sessions and registrations."""

from django.utils import timezone


def upcoming(limit=None):
    """Live, public events that have not ended yet, soonest first (French pages: events are written in French).

    A public function other apps rely on (the newsletter's "upcoming events" block, the home page).
    """

    from events.models import EventPage  # noqa: PLC0415

    queryset = (
        EventPage.objects.live()
        .public()
        .filter(end__gte=timezone.now(), locale__language_code="fr")
        .select_related("commune")
        .order_by("start", "pk")
    )
    return list(queryset[:limit] if limit else queryset)
