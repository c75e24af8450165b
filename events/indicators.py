"""The observatory's indicator computed from the agenda (declared in events.wagtail_hooks)."""

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import EventPage
from hub.observatory import ComputedIndicator, values_by_territory
from hub.pagestate import public


def held_events():
    """The live, public events that have ended (the French originals: each event once)."""
    return public(EventPage.objects.live()).filter(locale__language_code="fr", end__lt=timezone.now())


def events_by_territory(kind, pks):
    return values_by_territory(held_events(), kind, pks, value=Count("pk"), year=ExtractYear("start"))


def indicators():
    return ComputedIndicator(
        slug="evenements",
        name=_("Événements tenus"),
        definition=_("Événements de l'agenda déjà terminés, dans la commune, cumulés par année."),
        source=_("Centralités, agenda"),
        compute=events_by_territory,
        order=30,
    )
