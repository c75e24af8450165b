"""What the apps contribute to the core, through Wagtail hooks, so hub imports none of them.

- `hub_home_sections`: fn(request, page) -> HomeSection | None — a block of latest content on the home page.
- `hub_key_figures`: fn(request) -> iterable of KeyFigure — figures shown on the home page.
- `hub_footer_parts`: fn(request) -> FooterPart | None — a block in the site footer (the newsletter form). Parts are
  rendered once per host and language into the cached chrome (hub.chrome): a part must not depend on the visitor.
- `hub_load_demo`: fn(home, sizes, seed, stdout) — an app's demo content (hook `order` sets who goes first).
- `hub_territory_sections`: fn(request, territory, viewer) -> TerritorySection, a list of them, or None — what an
  app shows on a territory page (hub.territory_pages.Territory); `viewer` is the user whose rights apply (None:
  an anonymous visitor, whatever the request's account, for the open data).
- `hub_territory_content`: fn() -> TerritoryContent | None — where an app has something an anonymous visitor
  sees, for the sitemap: it must agree with the `own` sections that app returns for an anonymous viewer.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@dataclass
class KeyFigure:
    value: int
    label: str
    order: int = 100


@dataclass
class HomeSection:
    title: str
    items: list
    more_url: str = ""
    more_label: str = ""
    template: str = "components/home_section.html"
    order: int = 100
    extra: dict = field(default_factory=dict)


@dataclass
class FooterPart:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


def footer_parts(request=None):
    parts = [hook(request=request) for hook in hooks.get_hooks("hub_footer_parts")]
    return sorted((p for p in parts if p), key=lambda p: p.order)


def key_figures(request=None, page=None):
    """The home page's key figures: the core's own (programme towns) plus the apps' contributions."""
    from hub.models import Commune, Programme  # noqa: PLC0415

    figures = []
    for programme in Programme.objects.filter(locale__language_code="fr").order_by("sort_order"):
        count = Commune.objects.filter(programmes=programme).count()
        if count:
            figures.append(
                KeyFigure(
                    count, _("communes %(programme)s") % {"programme": programme.localized.label}, programme.sort_order
                )
            )
    for hook in hooks.get_hooks("hub_key_figures"):
        figures.extend(hook(request=request) or [])
    return sorted(figures, key=lambda f: f.order)


def home_sections(request=None, page=None):
    """The latest-content sections the apps register for the home page, in their order."""
    sections = [hook(request=request, page=page) for hook in hooks.get_hooks("hub_home_sections")]
    return sorted((s for s in sections if s and s.items), key=lambda s: s.order)


@dataclass
class TerritorySection:
    """A block of a territory page: `count` items there in all, `items` the first few shown.

    `key` names it in the page's open data (`donnees.json` counts). `own` is False for what lies around the
    territory rather than in it (a commune's neighbours in its EPCI): such a section alone does not make a
    page worth indexing. `scopes` are the cache scopes (hub.cache) whose changes make the section stale.
    """

    key: str
    title: str
    items: list
    count: int
    template: str
    more_url: str = ""
    more_label: str = ""
    order: int = 100
    own: bool = True
    scopes: tuple = ()
    extra: dict = field(default_factory=dict)


@dataclass
class TerritoryContent:
    """Primary keys (querysets of `pk` values, or iterables) of the communes and départements where an app has
    content: a commune's page has some when the commune is listed, an EPCI's when one of its communes is, a
    département's when it is listed, a région's when one of its départements is."""

    communes: object = ()
    departments: object = ()


def territory_sections(request, territory, viewer=None):
    """Every app's sections for `territory` as `viewer` may see them, in their order (empty ones included)."""
    sections = []
    for hook in hooks.get_hooks("hub_territory_sections"):
        found = hook(request=request, territory=territory, viewer=viewer)
        if isinstance(found, TerritorySection):
            found = [found]
        sections.extend(found or [])
    return sorted(sections, key=lambda s: s.order)


def territory_content():
    """The apps' TerritoryContent, for the sitemap."""
    found = (hook() for hook in hooks.get_hooks("hub_territory_content"))
    return [content for content in found if content]
