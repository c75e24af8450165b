from urllib.parse import urlencode

from django.db.models import prefetch_related_objects
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button, ListingButton
from wagtail.permissions import register_permission_policy

import events
from events import admin_views as views
from events import demo
from events.admin_views import can_manage
from events.listing import PAST
from events.models import EventIndexPage, EventPage, Registration, recount_seats
from events.personal_data import anonymise, export_for, registrations_of
from events.viewsets import OrganiserPolicy, RegistrationViewSet
from hub.cache import page_scope
from hub.i18n import localized_list
from hub.pagestate import index_page, public
from hub.registry import HomeSection, KeyFigure, TerritoryContent, TerritorySection

# Before any admin view asks for the model's policy (Wagtail would make a fallback one).
register_permission_policy(Registration, OrganiserPolicy(Registration))


@hooks.register("register_admin_urls")
def admin_urls():
    return [
        path("evenements/", views.event_list, name="events_admin"),
        path("evenements/<int:event_id>/inscriptions/", views.registrations, name="events_registrations"),
        path(
            "evenements/<int:event_id>/inscriptions/<int:registration_id>/<slug:action>/",
            views.registration_action,
            name="events_registration_action",
        ),
        path("evenements/<int:event_id>/pointage/", views.check_in_list, name="events_check_in"),
        path("evenements/<int:event_id>/message/", views.message_attendees, name="events_message"),
    ]


@hooks.register("register_admin_viewset")
def register_registration_viewset():
    return RegistrationViewSet()


class OrganiserMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage(request.user)


@hooks.register("register_admin_menu_item")
def registrations_menu_item():
    return OrganiserMenuItem(_("Inscriptions"), reverse("events_admin"), icon_name="group", order=250)


def _is_event(page):
    return page.specific_class is EventPage


@hooks.register("register_page_header_buttons")
def registrations_header_button(page, user, next_url=None, view_name=None):
    if page.pk and _is_event(page) and can_manage(user):
        yield Button(_("Inscriptions"), reverse("events_registrations", args=[page.pk]), icon_name="group", priority=15)


@hooks.register("register_page_listing_buttons")
def registrations_listing_button(page, user, next_url=None):
    if _is_event(page) and can_manage(user):
        yield ListingButton(
            _("Inscriptions"), reverse("events_registrations", args=[page.pk]), icon_name="group", priority=15
        )


@hooks.register("hub_home_sections")
def home_next_events(request=None, page=None):
    return HomeSection(
        title=_("Prochains événements"),
        items=localized_list(events.upcoming(3)),
        more_url=index_page(EventIndexPage)[2],
        more_label=_("Tout l'agenda"),
        template="components/event_home_section.html",
        order=30,
    )


@hooks.register("hub_key_figures")
def event_figures(request=None):
    count = len(events.upcoming())
    return [KeyFigure(count, _("événements à venir"), 60)] if count else []


@hooks.register("hub_territory_indicators")
def observatory_indicators():
    from events.indicators import indicators  # noqa: PLC0415 (apart from the imports the territory pages add)

    return indicators()


@hooks.register("hub_load_demo", order=20)
def load_demo(home, sizes, seed, stdout):
    demo.load_demo(home, sizes, seed, stdout)
    recount_seats(EventPage.objects.values("pk"))  # the demo writes its registrations in bulk


@hooks.register("network_personal_data")
def registrations_personal_data(user):
    return export_for(user)


@hooks.register("network_erase_personal_data")
def erase_registrations(user):
    anonymise(registrations_of(user))


# Territory pages (hub.territory_pages): the events held there, upcoming and past -------------------------
TERRITORY_EVENTS_SHOWN = 6


def _live_events():
    return public(EventPage.objects.live()).filter(locale__language_code="fr")


def _event_cards(queryset, limit):
    items = localized_list(queryset.defer_streamfields().select_related("commune")[:limit])
    prefetch_related_objects(items, "commune")
    return items


@hooks.register("hub_territory_sections")
def territory_events(request=None, territory=None, viewer=None):
    """Upcoming events soonest first, past ones latest first. The agenda filters by région only: its link is
    given on a région's page."""
    index, _own, agenda_url = index_page(EventIndexPage)
    scopes = (page_scope(index),) if index else ()
    now = timezone.now()
    here = _live_events().filter(territory.where("commune"))
    by_region = territory.facet() == "region" and agenda_url
    sections = []
    for key, title, events_there, more, order in (
        ("events_upcoming", _("Prochains événements"), here.filter(end__gte=now).order_by("start", "pk"), {}, 20),
        (
            "events_past",
            _("Événements passés"),
            here.filter(end__lt=now).order_by("-start", "-pk"),
            {"quand": PAST},
            25,
        ),
    ):
        sections.append(
            TerritorySection(
                key=key,
                title=title,
                items=_event_cards(events_there, TERRITORY_EVENTS_SHOWN),
                count=events_there.count(),
                template="components/territory_events.html",
                more_url=f"{agenda_url}?{urlencode({**more, 'region': territory.code})}" if by_region else "",
                more_label=_("Ces événements dans l'agenda"),
                order=order,
                scopes=scopes,
            )
        )
    return sections


@hooks.register("hub_territory_content")
def event_territories():
    held = _live_events().exclude(commune=None).order_by()
    return TerritoryContent(
        communes=held.values_list("commune_id", flat=True).distinct(),
        departments=held.values_list("commune__department_id", flat=True).distinct(),
    )
