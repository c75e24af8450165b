from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.chooser import ChooserViewSet

from hub.models import Commune


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
