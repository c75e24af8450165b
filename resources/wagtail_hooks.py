from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from hub.i18n import localized_list
from hub.registry import HomeSection, KeyFigure
from resources import demo
from resources.models import ProjectIndexPage, ProjectPage, ResourceIndexPage, ResourcePage


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
    index = ProjectIndexPage.objects.live().filter(locale__language_code="fr").first()
    localized = index.localized if index else None
    return HomeSection(
        title=_("Derniers projets de la Projétothèque"),
        items=localized_list(latest_projects(3)),
        more_url=localized.url if localized else "",
        more_label=_("Tous les projets"),
        order=10,
    )


@hooks.register("hub_home_sections")
def home_latest_resources(request=None, page=None):
    index = ResourceIndexPage.objects.live().filter(locale__language_code="fr").first()
    items = list(ResourcePage.objects.live().public().filter(locale__language_code="fr").order_by("-date")[:3])
    return HomeSection(
        title=_("Nouvelles ressources"),
        items=localized_list(items),
        more_url=index.localized.url if index else "",
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
