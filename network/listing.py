"""The directory's facets, on hub's faceted-listing mechanism (the one the Projétothèque uses)."""

from django.utils.translation import gettext_lazy as _

from hub.facets import Facet, FacetedListing, Sort, department_choices, region_choices, taxonomy_choices
from hub.models import Programme, Thematic
from hub.search import restrict_to_search
from network.models import Member, Role
from network.visibility import visible_members


def member_facets():
    return [
        Facet("role", _("Catégorie"), "role", lambda request: Role.choices),
        Facet("region", _("Région"), "department__region__code", region_choices),
        Facet("departement", _("Département"), "department__code", department_choices),
        Facet("programme", _("Programme"), "programmes__slug", taxonomy_choices(Programme)),
        Facet("thematique", _("Thématique d'expertise"), "thematics__slug", taxonomy_choices(Thematic)),
    ]


# Renewed by any change to a profile, an organisation or an account (network.apps): the directory's
# cached listing and facet index depend on it (hub.cache).
DIRECTORY_SCOPE = "directory"

MEMBER_SORTS = [
    Sort("nom", _("Nom (A → Z)"), ("last_name", "first_name", "pk")),
    Sort("recent", _("Arrivées récentes"), ("-created_at", "pk")),
]


def search_members(queryset, terms):
    """Text match over every profile, then narrowed to `queryset` by primary key.

    The visibility rules filter on the account (`user__is_active`), which a search index does not
    hold; matching first and intersecting after keeps Elasticsearch and the database backends equal.
    """

    return queryset.filter(pk__in=restrict_to_search(Member.objects.all(), terms).values("pk"))


def member_listing(request, page_size=None):
    """The directory as `request.user` may see it."""
    base = visible_members(request.user)
    return FacetedListing(
        request,
        base,
        member_facets(),
        MEMBER_SORTS,
        search=search_members,
        page_size=page_size,
        scopes=[DIRECTORY_SCOPE],
    )
