from django import template
from django.conf import settings
from django.urls import resolve, reverse, translate_url
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar
from wagtail.models import Page

from hub.cache import may_use_admin
from hub.chrome import chrome_for
from hub.territory_pages import Territory

register = template.Library()


@register.simple_tag(takes_context=True)
def chrome(context):
    """The chrome's data (home links, menu, operator identity, footer parts): see hub.chrome."""
    return chrome_for(context.get("request"))


@register.simple_tag(takes_context=True)
def userbar(context, position="bottom-right"):
    """Wagtail's userbar, drawn for the accounts that may use the admin (see hub.cache.may_use_admin)."""
    request = context.get("request")
    if request is None or not may_use_admin(getattr(request, "user", None)):
        return ""
    return wagtailuserbar(context, position)


@register.simple_tag(takes_context=True)
def language_links(context):
    """For each language, where the switcher goes: the counterpart of what is shown.

    A Wagtail page: its live translation (for a routable page's sub-route, such as an event's
    `inscription/`, the translation's same sub-route). A view under the language prefix: the same view
    through Django's translate_url (translated URL patterns, same query). With no counterpart: the other
    language's home page, and the link says so (`home_fallback`). One query for all the page's
    translations (the home pages come from the chrome's cache), computed once per request (the header
    includes the switcher twice).
    """
    request = context.get("request")
    page = context.get("page")
    memo = getattr(request, "_hub_language_links", None) if request is not None else None
    if memo is not None and memo[0] is page:
        return memo[1]
    current = translation.get_language()
    translations = _live_translations(page) if isinstance(page, Page) else {}
    links = []
    for code, name in settings.LANGUAGES:
        fallback = False
        if code == current and request is not None:
            url = request.get_full_path()
        elif isinstance(page, Page):
            url = _page_counterpart(request, translations.get(code), code)
        else:
            url = _view_counterpart(request, code)
        if not url:
            url = chrome_for(request)["home_urls"].get(code) or f"/{code}/"
            fallback = True
        with translation.override(code):
            # Said in the language of the page it leads to (the link carries lang="<code>").
            note = str(_("page d’accueil : pas de version dans cette langue")) if fallback else ""
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "current": code == current,
                "home_fallback": fallback,
                "note": note,
            }
        )
    if request is not None:
        request._hub_language_links = (page, links)
    return links


def _live_translations(page):
    """The page's live translations by language code, in one query."""
    if not page.translation_key:
        return {}
    others = (
        page.specific_class.objects.live()
        .filter(translation_key=page.translation_key)
        .exclude(pk=page.pk)
        .defer_streamfields()  # only their URLs are wanted
        .select_related("locale")
    )
    return {other.locale.language_code: other for other in others}


def _page_counterpart(request, translated, language_code):
    """The URL of `translated` (the page's translation in `language_code`), at the same sub-route if any."""
    if translated is None:
        return None
    url = translated.get_url(request)
    if not url:
        return None
    match = getattr(request, "routable_resolver_match", None)
    if match is None or not hasattr(translated, "reverse_subpage"):
        return url
    subpath = _subroute_in(translated, match, language_code)
    if subpath is None:
        return None
    return url + subpath if subpath else url


def _subroute_in(page, match, language_code):
    """The sub-route `match` names, in `language_code`: routes named "<name>" in French have their
    English twin "<name>_en" (events' `inscription/` and `registration/`)."""
    name = match.url_name or ""
    base = name[:-3] if name.endswith("_en") else name
    candidates = [f"{base}_en", base] if language_code == "en" else [base]
    with translation.override(language_code):
        for candidate in candidates:
            try:
                return page.reverse_subpage(candidate, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                continue
    return None


# Routes to pages (Wagtail's catch-all, the events' direct registration route): the same path under the
# other prefix is not the page's translation; without a page in the context they have no counterpart.
PAGE_ROUTES = {"wagtail_serve", "wagtail_serve_file"}


def _view_counterpart(request, language_code):
    """The same non-page view in `language_code` (Django's translate_url on translated URL patterns)."""
    if request is None:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.url_name is None or match.view_name in PAGE_ROUTES:
        return None
    path = request.get_full_path()
    url = translate_url(path, language_code)
    if url == path:  # not under the language prefix, or no pattern in that language
        return None
    return url


@register.simple_tag(takes_context=True)
def breadcrumb_pages(context):
    """Ancestors of the current page between the localized home and the page itself."""
    page = context.get("page")
    if not isinstance(page, Page) or page.depth <= 2:
        return []
    # Walked up through get_parent(): routing leaves each parent on its child, so a served page's
    # ancestors cost no query (a preview's cost one per level).
    ancestors = []
    node = page
    while node.depth > 3:
        node = node.get_parent()
        ancestors.append(node)
    return [ancestor for ancestor in reversed(ancestors) if ancestor.live]


@register.filter
def in_section(page, section):
    """True when `page` is `section` (a page, or a menu item of the chrome) or below it (aria-current)."""
    path = section["path"] if isinstance(section, dict) else section.path
    return isinstance(page, Page) and page.path.startswith(path)


@register.filter
def territory_url(obj):
    """The territory page of a Commune, EPCI, Department or Region, in the active language ("" when it has none,
    as a delegated commune): no query, the row's own fields make the address."""
    territory = Territory.of(obj) if obj is not None else None
    return territory.url() if territory is not None else ""


# Listing facets whose values are territory codes: the route without the slug redirects to the page.
FACET_TERRITORY_ROUTES = {"region": "territory_region_bare", "departement": "territory_departement_bare"}


@register.filter
def facet_territory_url(value, param):
    """The territory page of a facet value (`region`, `departement`: a code), "" for other facets."""
    route = FACET_TERRITORY_ROUTES.get(param)
    if route is None:
        return ""
    try:
        return reverse(route, kwargs={"code": value})
    except NoReverseMatch:
        return ""
