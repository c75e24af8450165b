"""What the apps contribute to the core, through Wagtail hooks, so hub imports none of them.

- `hub_home_sections`: fn(request, page) -> HomeSection | None — a block of latest content on the home page.
- `hub_key_figures`: fn(request) -> iterable of KeyFigure — figures shown on the home page.
- `hub_footer_parts`: fn(request) -> FooterPart | None — a block in the site footer (the newsletter form). Parts are
  rendered once per host and language into the cached chrome (hub.chrome): a part must not depend on the visitor.
- `hub_load_demo`: fn(home, sizes, seed, stdout) — an app's demo content (hook `order` sets who goes first).
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
