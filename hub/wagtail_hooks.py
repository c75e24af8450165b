from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from hub import observatory
from hub.models import Commune, Indicator


class CommuneChooserViewSet(ChooserViewSet):
    """Communes are chosen by searching (37,590 of them would not fit a drop-down)."""

    model = "hub.Commune"
    icon = "site"
    choose_one_text = _("Choisir une commune")
    choose_another_text = _("Choisir une autre commune")
    edit_item_text = _("Modifier la commune")
    per_page = 20
    url_filter_parameters = ["kind"]

    def get_object_list(self):
        return Commune.objects.filter(kind=Commune.Kind.CURRENT).select_related("department").order_by("name")


commune_chooser_viewset = CommuneChooserViewSet("commune_chooser", url_prefix="communes")


@hooks.register("register_admin_viewset")
def register_commune_chooser():
    return commune_chooser_viewset


class IndicatorViewSet(SnippetViewSet):
    """The observatory's imported indicators: what they measure and where from (values come from files)."""

    model = Indicator
    icon = "table"
    menu_label = _("Indicateurs")
    add_to_admin_menu = False
    list_display = ["name", "slug", "unit", "source", BooleanColumn("illustrative", label=_("Illustratif"))]
    list_filter = ["illustrative"]
    search_fields = ["name", "name_en", "slug"]
    search_backend_name = None  # a handful of rows, not in the search index
    ordering = ["sort_order", "name"]


register_snippet(IndicatorViewSet)


@hooks.register("hub_territory_indicators")
def population_indicator():
    return observatory.population_indicator
