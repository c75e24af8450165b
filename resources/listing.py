"""The Projétothèque's and the resource library's facets, on hub's faceted-listing mechanism."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hub.cache import page_scope
from hub.facets import Facet, FacetedListing, Sort, department_choices, region_choices, taxonomy_choices
from hub.models import Programme, Thematic
from hub.models.territories import POPULATION_BAND_CHOICES, POPULATION_BANDS
from hub.search import restrict_to_search
from resources.models import ProjectPage, ProjectStatus, ResourcePage, ResourceType


def population_ranges(lookup):
    ranges = {}
    for key, _label, low, high in POPULATION_BANDS:
        condition = Q(**{f"{lookup}__gte": low})
        if high is not None:
            condition &= Q(**{f"{lookup}__lt": high})
        ranges[key] = condition
    return ranges


def project_facets():
    return [
        Facet("programme", _("Programme"), "programmes__slug", taxonomy_choices(Programme)),
        Facet("thematique", _("Thématique"), "thematics__slug", taxonomy_choices(Thematic)),
        Facet("region", _("Région"), "commune__department__region__code", region_choices),
        Facet("departement", _("Département"), "commune__department__code", department_choices),
        Facet(
            "population",
            _("Taille de la commune"),
            choices=POPULATION_BAND_CHOICES,
            ranges=population_ranges("commune__population"),
        ),
        Facet("statut", _("État du projet"), "status", lambda request: ProjectStatus.choices),
        # Years and keywords offer the values the projects have (read from the facet index).
        Facet("annee", _("Année de lancement"), "start_year", newest_first=True),
        Facet("tag", _("Mot-clé"), "tags__slug", label_lookup="tags__name"),
    ]


PROJECT_SORTS = [
    Sort("recent", _("Les plus récents"), ("-first_published_at", "-pk")),
    Sort("titre", _("Titre (A → Z)"), ("title", "pk")),
    Sort("commune", _("Commune (A → Z)"), ("commune__name", "title", "pk")),
    Sort("annee", _("Année de lancement"), ("-start_year", "title", "pk")),
]


# Projects whose commune has coordinates: the listing shows its map only when one of its results has.
LOCATED = Q(commune__latitude__isnull=False, commune__longitude__isnull=False)


def project_listing(request, index_page, page_size=None):
    source = index_page.source_index()
    return FacetedListing(
        request,
        ProjectPage.objects.child_of(source).live().public(),
        project_facets(),
        PROJECT_SORTS,
        search=restrict_to_search,
        page_size=page_size,
        scopes=[page_scope(source)],
        flags={"located": LOCATED},
        items_locale_id=source.locale_id,
    )


def resource_facets():
    return [
        Facet("type", _("Type de ressource"), "resource_type", lambda request: ResourceType.choices),
        Facet("programme", _("Programme"), "programmes__slug", taxonomy_choices(Programme)),
        Facet("thematique", _("Thématique"), "thematics__slug", taxonomy_choices(Thematic)),
        Facet("annee", _("Année"), "date__year", newest_first=True),
    ]


RESOURCE_SORTS = [
    Sort("recent", _("Les plus récentes"), ("-date", "-pk")),
    Sort("titre", _("Titre (A → Z)"), ("title", "pk")),
]


def resource_listing(request, index_page, page_size=None):
    source = index_page.source_index()
    return FacetedListing(
        request,
        ResourcePage.objects.child_of(source).live().public(),
        resource_facets(),
        RESOURCE_SORTS,
        search=restrict_to_search,
        page_size=page_size,
        scopes=[page_scope(source)],
        items_locale_id=source.locale_id,
    )
