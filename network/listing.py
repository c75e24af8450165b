"""The directory's facets, on hub's faceted-listing mechanism (the one the Projétothèque uses)."""

from django.utils.translation import gettext_lazy as _

from hub.facets import Facet, FacetedListing, Sort, department_choices, region_choices, taxonomy_choices
from hub.search import restrict_to_search
from network.models import Role
from network.visibility import visible_members


def member_facets():
    from hub.models import Programme, Thematic

    return [
        Facet("role", _("Catégorie"), "role", lambda request: Role.choices),
        Facet("region", _("Région"), "department__region__code", region_choices),
        Facet("departement", _("Département"), "department__code", department_choices),
        Facet("programme", _("Programme"), "programmes__slug", taxonomy_choices(Programme)),
        Facet("thematique", _("Thématique d'expertise"), "thematics__slug", taxonomy_choices(Thematic)),
    ]


MEMBER_SORTS = [
    Sort("nom", _("Nom (A → Z)"), ("last_name", "first_name", "pk")),
    Sort("recent", _("Arrivées récentes"), ("-created_at", "pk")),
]


def member_listing(request, page_size=None):
    """The directory as `request.user` may see it."""
    base = visible_members(request.user)
    return FacetedListing(request, base, member_facets(), MEMBER_SORTS, search=restrict_to_search, page_size=page_size)
