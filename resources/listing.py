"""The Projétothèque's and the resource library's facets, on hub's faceted-listing mechanism."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

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


def project_facets(base_queryset):

    # Choices come from small lookup columns over every project, not from the filtered set:
    # a value with no project in the current selection is hidden by its zero count anyway.
    def years(request):
        values = (
            base_queryset.model._default_manager.exclude(start_year=None)
            .values_list("start_year", flat=True)
            .distinct()
            .order_by("-start_year")
        )
        return [(str(year), str(year)) for year in values]

    def tags(request):
        rows = (
            Tag.objects.filter(resources_projecttag_items__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("slug", "name")
        )
        return list(rows)

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
        Facet("annee", _("Année de lancement"), "start_year", years),
        Facet("tag", _("Mot-clé"), "tags__slug", tags),
    ]


PROJECT_SORTS = [
    Sort("recent", _("Les plus récents"), ("-first_published_at", "-pk")),
    Sort("titre", _("Titre (A → Z)"), ("title", "pk")),
    Sort("commune", _("Commune (A → Z)"), ("commune__name", "title", "pk")),
    Sort("annee", _("Année de lancement"), ("-start_year", "title", "pk")),
]


def project_listing(request, index_page, page_size=None):
    base = ProjectPage.objects.child_of(index_page.source_index()).live().public()
    return FacetedListing(
        request,
        base,
        project_facets(base),
        PROJECT_SORTS,
        search=restrict_to_search,
        page_size=page_size,
    )


def resource_facets(base_queryset):
    def years(request):
        values = base_queryset.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in values]

    return [
        Facet("type", _("Type de ressource"), "resource_type", lambda request: ResourceType.choices),
        Facet("programme", _("Programme"), "programmes__slug", taxonomy_choices(Programme)),
        Facet("thematique", _("Thématique"), "thematics__slug", taxonomy_choices(Thematic)),
        Facet("annee", _("Année"), "date__year", years),
    ]


RESOURCE_SORTS = [
    Sort("recent", _("Les plus récentes"), ("-date", "-pk")),
    Sort("titre", _("Titre (A → Z)"), ("title", "pk")),
]


def resource_listing(request, index_page, page_size=None):
    base = ResourcePage.objects.child_of(index_page.source_index()).live().public()
    return FacetedListing(
        request,
        base,
        resource_facets(base),
        RESOURCE_SORTS,
        search=restrict_to_search,
        page_size=page_size,
    )
