from urllib.parse import urlencode

from django.db.models import F, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from hub.cache import page_scope
from hub.i18n import localized_list
from hub.models import Commune
from hub.pagestate import index_page, public
from hub.registry import HomeSection, KeyFigure, TerritoryContent, TerritorySection
from hub.territory_pages import COMMUNE, DEPARTMENT, INTERCOMMUNALITY, Territory
from resources import demo, eligibility
from resources.models import AidIndexPage, AidPage, ProjectIndexPage, ProjectPage, ResourceIndexPage, ResourcePage
from resources.views import map_points


def latest_projects(limit=3):
    """The newest live fiches projet (a public function other apps may use, e.g. the newsletter)."""

    return list(
        ProjectPage.objects.live()
        .public()
        .filter(locale__language_code="fr")
        .select_related("commune")
        .order_by("-first_published_at")[:limit]
    )


@hooks.register("hub_home_sections")
def home_latest_projects(request=None, page=None):
    return HomeSection(
        title=_("Derniers projets de la Projétothèque"),
        items=localized_list(latest_projects(3)),
        more_url=index_page(ProjectIndexPage)[2],
        more_label=_("Tous les projets"),
        order=10,
    )


@hooks.register("hub_home_sections")
def home_latest_resources(request=None, page=None):
    items = list(public(ResourcePage.objects.live()).filter(locale__language_code="fr").order_by("-date")[:3])
    return HomeSection(
        title=_("Nouvelles ressources"),
        items=localized_list(items),
        more_url=index_page(ResourceIndexPage)[2],
        more_label=_("Toutes les ressources"),
        order=20,
    )


@hooks.register("hub_key_figures")
def project_figures(request=None):
    count = ProjectPage.objects.live().public().filter(locale__language_code="fr").count()
    return [KeyFigure(count, _("fiches projet"), 50)] if count else []


@hooks.register("hub_territory_indicators")
def observatory_indicators():
    from resources.indicators import indicators  # noqa: PLC0415 (apart from the imports the territory pages add)

    return indicators()


@hooks.register("hub_load_demo")
def load_demo(home, sizes, seed, stdout):
    demo.load_demo(home, sizes, seed, stdout)


# Territory pages (hub.territory_pages): the projects there, and around a commune in its EPCI -------------
TERRITORY_PROJECTS_SHOWN = 12
NEIGHBOUR_PROJECTS_SHOWN = 6


def _live_projects():
    return public(ProjectPage.objects.live()).filter(locale__language_code="fr")


def _project_cards(queryset, limit):
    """The newest `limit` projects of `queryset` in the visitor's language, for project_card.html once
    `_prefetch_cards` has read their relations."""
    newest = (
        queryset.defer_streamfields()
        .select_related("commune__department__region")
        .order_by("-first_published_at", "-pk")[:limit]
    )
    return localized_list(newest)


def _prefetch_cards(*lists):
    """The relations project cards show, for every list at once (the translations swapped in too): the same
    queries whether one list or both have projects."""
    prefetch_related_objects(
        [item for items in lists for item in items], "commune__department__region", "programmes", "thematics"
    )


def _map_points(queryset):
    """The territory page's map: a point per commune with its number of projects there, linked to its page."""
    points = map_points(queryset)
    for point in points:
        point["url"] = Territory.commune_url(point["insee"], point["name"])
    return points


@hooks.register("hub_territory_sections")
def territory_projects(request=None, territory=None, viewer=None):
    index, _own, listing_url = index_page(ProjectIndexPage)
    scopes = (page_scope(index),) if index else ()
    live = _live_projects()
    here = live.filter(territory.where("commune"))
    facet = territory.facet()
    sections = [
        TerritorySection(
            key="projects",
            title=_("Projets"),
            items=_project_cards(here, TERRITORY_PROJECTS_SHOWN),
            count=here.count(),
            template="components/territory_projects.html",
            more_url=f"{listing_url}?{urlencode({facet: territory.code})}" if facet and listing_url else "",
            more_label=_("Ces projets dans la Projétothèque, avec ses filtres"),
            order=10,
            scopes=scopes,
            extra={"map_points": _map_points(here)},
        )
    ]
    grouping = territory.obj.ept or territory.obj.epci if territory.kind == COMMUNE else None
    if grouping is not None:
        around = Territory.of(grouping)
        nearby = live.filter(around.where("commune")).exclude(commune=territory.obj)
        sections.append(
            TerritorySection(
                key="projects_nearby",
                title=_("Projets ailleurs dans %(name)s") % {"name": grouping.name},
                items=_project_cards(nearby, NEIGHBOUR_PROJECTS_SHOWN),
                count=nearby.count(),
                template="components/territory_projects.html",
                more_url=around.url(),
                more_label=_("La page de l'intercommunalité"),
                order=15,
                own=False,
                scopes=scopes,
            )
        )
    _prefetch_cards(*(section.items for section in sections))
    return sections


@hooks.register("hub_territory_content")
def project_territories():
    projects = _live_projects().order_by()
    return TerritoryContent(
        communes=projects.values_list("commune_id", flat=True).distinct(),
        departments=projects.values_list("commune__department_id", flat=True).distinct(),
    )


# Territory pages: the aids that can be used there ----------------------------------------------------------
TERRITORY_AIDS_SHOWN = 8


@hooks.register("hub_territory_sections")
def territory_aids(request=None, territory=None, viewer=None):
    """A commune's page lists the open aids it can get (resources.eligibility); a wider territory's, those
    whose territory reaches it. Nationwide aids are everywhere: the section is not the page's own content
    (`own` False), so it alone does not put a page in the sitemap."""
    index, _own, guide_url = index_page(AidIndexPage)
    if index is None:
        return None
    aids = public(AidPage.objects.child_of(index).live()).filter(eligibility.status_conditions()[eligibility.OPEN])
    if territory.kind == COMMUNE:
        aids = aids.filter(eligibility.eligible_for(territory.obj))
        more = {"commune": territory.code}
    else:
        # A wider territory: the aids its rules reach that are open to the programmes of one of its communes.
        communes = Commune.objects.filter(territory.where(""), kind=Commune.Kind.CURRENT)
        if territory.kind == INTERCOMMUNALITY:
            reach, more = eligibility.reaches_epci(territory.obj), None
        elif territory.kind == DEPARTMENT:
            reach, more = eligibility.reaches_department(territory.code), {"departement": territory.code}
        else:
            reach, more = eligibility.reaches_region(territory.code), {"region": territory.code}
        aids = aids.filter(reach).filter(eligibility.open_to_programmes_of(communes))
    shown = localized_list(
        aids.defer_streamfields().order_by(F("closes_on").asc(nulls_last=True), "title", "pk")[:TERRITORY_AIDS_SHOWN]
    )
    return TerritorySection(
        key="aids",
        title=_("Aides mobilisables"),
        items=shown,
        count=aids.count(),
        template="components/territory_aids.html",
        more_url=f"{guide_url}?{urlencode(more)}" if guide_url and more else "",
        more_label=_("Ces aides dans le guide des aides"),
        order=40,
        own=False,
        scopes=(page_scope(index),),
        extra={"commune_code": territory.code if territory.kind == COMMUNE else ""},
    )
