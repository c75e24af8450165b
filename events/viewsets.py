"""The organisers' registrations in the Wagtail admin, as a ModelViewSet: every event's registrations,
filtered (event, status, session), searched, exported to CSV and XLSX.

Exports of one event (the event filter chosen) are that event's full table (events.exports: a column per
session and per question, dates in Paris time); across events, the viewset's `list_export` columns. Each
row opens the event's registrations page (admin_views.registrations), where the organiser decides,
checks people in, cancels and writes to them.
"""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from events import exports
from events.models import EventPage, EventSession, Registration, RegistrationStatus

PERMISSION = "events.manage_registrations"


def can_manage(user):
    return user.is_active and (user.is_superuser or user.has_perm(PERMISSION))


def status_filter(registrations, status):
    """ "confirmed" keeps the checked-in people (they are confirmed people who came)."""
    if status == RegistrationStatus.CONFIRMED:
        return registrations.filter(status__in=Registration.HOLDING)
    if status in RegistrationStatus.values:
        return registrations.filter(status=status)
    return registrations


class OrganiserPolicy(ModelPermissionPolicy):
    """Organisers (events.manage_registrations) see and export every registration; nobody adds, edits or
    deletes one here: registrations change through the organiser actions only (they keep the seats right)."""

    def user_has_permission(self, user, action):
        return action == "view" and can_manage(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and can_manage(user)


class RegistrationFilterSet(WagtailFilterSet):
    event = django_filters.ModelChoiceFilter(
        label=_("Événement"),
        queryset=EventPage.objects.filter(locale__language_code="fr").order_by("-start"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=RegistrationStatus.choices, method=lambda qs, _name, value: status_filter(qs, value)
    )
    session = django_filters.ModelChoiceFilter(
        label=_("Session"),
        field_name="sessions",
        queryset=EventSession.objects.filter(event__locale__language_code="fr").select_related("event"),
    )

    class Meta:
        model = Registration
        fields = ["event", "status", "session"]


class RegistrationIndexView(IndexView):
    def get_edit_url(self, instance):
        return reverse("events_registrations", args=[instance.event_id]) + f"#inscription-{instance.pk}"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("event", "commune").prefetch_related("sessions")

    def chosen_event(self):
        filters = getattr(self, "filters", None)
        if filters is not None and filters.is_valid():
            return filters.form.cleaned_data.get("event")
        return None

    def as_spreadsheet(self, queryset, spreadsheet_format):
        event = self.chosen_event()
        if event is None:
            return super().as_spreadsheet(queryset, spreadsheet_format)
        if spreadsheet_format == self.FORMAT_XLSX:
            return exports.xlsx_export(queryset, event)
        return exports.csv_export(queryset, event)


class RegistrationViewSet(ModelViewSet):
    url_namespace = "events_registration"
    url_prefix = "evenements/inscriptions"
    model = Registration
    index_view_class = RegistrationIndexView
    icon = "group"
    menu_label = _("Toutes les inscriptions")
    add_to_admin_menu = False
    add_view_enabled = False
    form_fields = ["first_name"]  # no edit view is reachable (see OrganiserPolicy)
    list_display = [
        Column("full_name", label=_("Nom")),
        "email",
        "organisation",
        "event",
        "status",
        DateColumn("created_at", label=_("Inscrit·e le")),
    ]
    filterset_class = RegistrationFilterSet
    search_fields = ["first_name", "last_name", "email", "organisation"]
    search_backend_name = None
    list_export = [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "role",
        "commune",
        "event",
        "status",
        "created_at",
        "checked_in_at",
    ]
    export_filename = "inscriptions"
    ordering = ["created_at", "pk"]
