"""Upcoming and past events on hub's faceted listing: type, thematic, format, region, month."""

import datetime

from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from events.models import PARIS, EventFormat, EventPage, EventType
from hub.facets import Facet, FacetedListing, Sort, taxonomy_choices
from hub.models import Region, Thematic
from hub.search import restrict_to_search

UPCOMING, PAST = "a-venir", "passes"


def _month_start(moment):
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(moment):
    return _month_start(moment + datetime.timedelta(days=32))


def month_facet(base_queryset):
    months = [_month_start(m) for m in base_queryset.datetimes("start", "month", tzinfo=PARIS)]
    ranges = {f"{m:%Y-%m}": Q(start__gte=m, start__lt=_next_month(m)) for m in months}

    def choices(request):
        return [(f"{m:%Y-%m}", dateformat.format(m, "F Y").capitalize()) for m in months]

    return Facet("mois", _("Mois"), choices=choices, ranges=ranges)


def event_facets(base_queryset):
    def regions(request):
        codes = base_queryset.exclude(commune=None).values_list("commune__department__region__code", flat=True)
        return list(Region.objects.filter(code__in=codes).order_by("name").values_list("code", "name"))

    return [
        Facet("type", _("Type d'événement"), "event_type", lambda request: EventType.choices),
        Facet("thematique", _("Thématique"), "thematics__slug", taxonomy_choices(Thematic)),
        Facet("format", _("Format"), "format", lambda request: EventFormat.choices),
        Facet("region", _("Région"), "commune__department__region__code", regions),
        month_facet(base_queryset),
    ]


class EventListing(FacetedListing):
    """A faceted listing that also remembers whether it shows upcoming or past events."""

    extra_params = ("quand",)

    def __init__(self, request, base_queryset, facets, sorts, period, **kwargs):
        self.period = period
        super().__init__(request, base_queryset, facets, sorts, **kwargs)

    def fixed_params(self):
        return [("quand", PAST)] if self.period == PAST else []


def event_listing(request, index_page, page_size=None, now=None):
    now = now or timezone.now()
    period = PAST if request.GET.get("quand") == PAST else UPCOMING
    source = index_page.source_index()
    base = EventPage.objects.child_of(source).live().public()
    if period == PAST:
        base = base.filter(end__lt=now)
        sorts = [Sort("date", _("Les plus récents"), ("-start", "-pk"))]
    else:
        base = base.filter(end__gte=now)
        sorts = [Sort("date", _("Date"), ("start", "pk"))]
    # The base depends on the time (`now`): its facet index is built for each request (a few events).
    return EventListing(
        request,
        base,
        event_facets(base),
        sorts,
        period,
        search=restrict_to_search,
        page_size=page_size,
        items_locale_id=source.locale_id,
    )
