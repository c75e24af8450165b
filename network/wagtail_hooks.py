"""The directory in the Wagtail admin: members, organisations, applications to moderate, the contact log."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, DateColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from hub.cache import page_scope
from hub.pagestate import index_page
from hub.registry import KeyFigure, TerritoryContent, TerritorySection
from network import demo
from network.forms import ApplicationDecisionForm
from network.listing import DIRECTORY_SCOPE
from network.membership import AlreadyDecided, approve, refuse, resend_activation
from network.models import Application, ContactMessage, Member, MemberIndexPage, Organisation
from network.visibility import ProfileView, fields_for, visible_members


class MemberViewSet(ModelViewSet):
    url_namespace = "network_member"
    url_prefix = "network/member"
    model = Member
    icon = "user"
    menu_label = gettext_lazy("Membres")
    list_display = [
        "__str__",
        "role",
        "organisation",
        "visibility",
        BooleanColumn("consent_to_appear", label=gettext_lazy("Consentement")),
        DateColumn("created_at", label=gettext_lazy("Arrivée")),
    ]
    list_filter = ["role", "visibility", "consent_to_appear", "programmes", "department"]
    search_fields = ["first_name", "last_name", "job_title", "organisation__name", "user__email"]
    search_backend_name = None  # the moderators also search by account email, which is not in the index
    list_export = [
        "last_name",
        "first_name",
        "role",
        "job_title",
        "organisation",
        "commune",
        "department",
        "visibility",
        "consent_to_appear",
        "accepts_messages",
        "created_at",
    ]
    export_filename = "membres"
    ordering = ["last_name", "first_name"]

    def get_queryset(self, request):
        return Member.objects.select_related("organisation", "commune", "department", "user")


class OrganisationViewSet(ModelViewSet):
    url_namespace = "network_organisation"
    url_prefix = "network/organisation"
    model = Organisation
    icon = "group"
    menu_label = gettext_lazy("Organisations")
    list_display = ["name", "kind", "commune", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]
    search_backend_name = None
    list_export = ["name", "kind", "commune", "epci", "website"]
    export_filename = "organisations"
    ordering = ["name"]


class ApplicationIndexView(IndexView):
    def get_edit_url(self, instance):
        # A moderator opens an application to decide on it, not to edit what the person wrote.
        return reverse("network_application:decide", args=[instance.pk])


class ApplicationViewSet(ModelViewSet):
    url_namespace = "network_application"
    url_prefix = "network/application"
    model = Application
    index_view_class = ApplicationIndexView
    icon = "form"
    menu_label = gettext_lazy("Demandes d'adhésion")
    list_display = [
        "__str__",
        "organisation_name",
        "role",
        "status",
        DateColumn("submitted_at", label=gettext_lazy("Reçue le")),
    ]
    list_filter = ["status", "role"]
    search_fields = ["first_name", "last_name", "email", "organisation_name"]
    search_backend_name = None
    list_export = ["submitted_at", "status", "last_name", "first_name", "email", "role", "organisation_name"]
    export_filename = "demandes-adhesion"
    ordering = ["status", "-submitted_at"]
    add_view_enabled = False
    form_fields = ["organisation", "commune"]
    inspect_view_enabled = True

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("decide/<int:pk>/", self.decide_view, name="decide")]

    def decide_view(self, request, pk):
        """Shows the application and lets a moderator approve or refuse it (once)."""

        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        application = get_object_or_404(Application.objects.select_related("commune", "user"), pk=pk)
        form = ApplicationDecisionForm(request.POST or None, initial={"organisation": application.organisation})
        if request.method == "POST":
            action = request.POST.get("action")
            if action == "resend" and application.user and not application.user.is_active:
                resend_activation(application.user)
                messages.success(request, _("Le lien d'activation est renvoyé."))
                return redirect(self.get_url_name("decide"), pk=pk)
            if form.is_valid():
                try:
                    if action == "approve":
                        approve(application.pk, request.user, form.cleaned_data["organisation"])
                        messages.success(
                            request,
                            _("Demande acceptée : %(name)s reçoit un lien pour activer son compte.")
                            % {"name": application.full_name},
                        )
                        return redirect(self.get_url_name("index"))
                    if action == "refuse":
                        if not form.cleaned_data["refusal_reason"].strip():
                            form.add_error("refusal_reason", _("Indiquez le motif : il est envoyé à la personne."))
                        else:
                            refuse(application.pk, request.user, form.cleaned_data["refusal_reason"])
                            messages.success(request, _("Demande refusée ; la personne est prévenue."))
                            return redirect(self.get_url_name("index"))
                except AlreadyDecided:
                    messages.error(
                        request,
                        _("Cette demande a déjà été traitée, ou un compte existe déjà pour cette adresse."),
                    )
                    return redirect(self.get_url_name("decide"), pk=pk)
        return TemplateResponse(
            request,
            "network/admin/application_decide.html",
            {
                "application": application,
                "form": form,
                "page_title": _("Demande d'adhésion de %(name)s") % {"name": application.full_name},
                "header_icon": "form",
                "index_url": reverse(self.get_url_name("index")),
            },
        )


class ContactMessageViewSet(ModelViewSet):
    url_namespace = "network_contactmessage"
    url_prefix = "network/contactmessage"
    model = ContactMessage
    icon = "mail"
    menu_label = gettext_lazy("Messages relayés")
    list_display = ["created_at", "sender_name", "recipient", "subject", "status"]
    list_filter = ["status"]
    search_fields = ["sender_name", "sender_email", "subject"]
    search_backend_name = None
    add_view_enabled = False
    form_fields = ["status"]
    ordering = ["-created_at"]


class NetworkViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Réseau")
    menu_icon = "group"
    menu_order = 250
    items = (MemberViewSet, OrganisationViewSet, ApplicationViewSet, ContactMessageViewSet)


@hooks.register("register_admin_viewset")
def register_network_viewsets():
    return NetworkViewSetGroup()


@hooks.register("hub_key_figures")
def member_figures(request=None):
    count = Member.objects.listed().count()
    return [KeyFigure(count, _("membres dans l'annuaire"), 60)] if count else []


@hooks.register("hub_territory_indicators")
def observatory_indicators():
    from network.indicators import indicators  # noqa: PLC0415 (apart from the imports the territory pages add)

    return indicators()


@hooks.register("hub_load_demo", order=10)
def load_demo(home, sizes, seed, stdout):
    demo.build(home, sizes["members"], seed, stdout)


# Territory pages (hub.territory_pages): the directory's members there, as the viewer may see them --------
TERRITORY_MEMBERS_SHOWN = 12


@hooks.register("hub_territory_sections")
def territory_members(request=None, territory=None, viewer=None):
    """Through the directory's own rules (network.visibility): a visitor sees public profiles, a member also
    the members-only ones, and hidden profiles are never there."""
    index, directory, _url = index_page(MemberIndexPage)
    there = visible_members(viewer).filter(territory.where("commune", department="department"))
    fields = fields_for(viewer)
    shown = there.select_related("organisation", "commune", "department").order_by("last_name", "first_name", "pk")
    facet = territory.facet()
    return TerritorySection(
        key="members",
        title=_("Membres du réseau"),
        items=[ProfileView(member, fields) for member in shown[:TERRITORY_MEMBERS_SHOWN]] if directory else [],
        count=there.count() if directory else 0,
        template="components/territory_members.html",
        more_url=f"{directory.url}?{urlencode({facet: territory.code})}" if facet and directory else "",
        more_label=_("Ces membres dans l'annuaire"),
        order=30,
        scopes=(DIRECTORY_SCOPE, page_scope(index)) if index else (DIRECTORY_SCOPE,),
        extra={"directory": directory},
    )


@hooks.register("hub_territory_content")
def member_territories():
    listed = visible_members(None).order_by()
    return TerritoryContent(
        communes=listed.values_list("commune_id", flat=True).distinct(),
        departments=listed.values_list("department_id", flat=True).distinct(),
    )
