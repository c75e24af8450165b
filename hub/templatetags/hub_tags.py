from django import template
from django.conf import settings
from django.urls import resolve, translate_url
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, Site

register = template.Library()


def _home_for(request, language_code):
    # Header, breadcrumb, footer and language switcher all ask: answer once per request.
    memo = getattr(request, "_hub_homes", None) if request is not None else None
    if memo is not None and language_code in memo:
        return memo[language_code]
    home = _find_home(request, language_code)
    if request is not None:
        request._hub_homes = {**(memo or {}), language_code: home}
    return home


def _find_home(request, language_code):
    site = Site.find_for_request(request) if request else None
    root = site.root_page if site else None
    if root is None:
        return None
    try:
        locale = Locale.objects.get(language_code=language_code)
    except Locale.DoesNotExist:
        return None
    return root.get_translation_or_none(locale)


@register.simple_tag(takes_context=True)
def localized_home(context):
    request = context.get("request")
    return _home_for(request, translation.get_language())


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The localized home page's children flagged "show in menus"."""
    home = localized_home(context)
    if home is None:
        return []
    return home.get_children().live().public().in_menu().specific()


@register.simple_tag(takes_context=True)
def language_links(context):
    """For each language, where the switcher goes: the counterpart of what is shown.

    A Wagtail page: its live translation (for a routable page's sub-route, such as an event's
    `inscription/`, the translation's same sub-route). A view under the language prefix: the same view
    through Django's translate_url (translated URL patterns, same query). With no counterpart: the other
    language's home page, and the link says so (`home_fallback`). One query per other language at most,
    computed once per request (the header includes the switcher twice).
    """
    request = context.get("request")
    page = context.get("page")
    memo = getattr(request, "_hub_language_links", None) if request is not None else None
    if memo is not None and memo[0] is page:
        return memo[1]
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        fallback = False
        if code == current and request is not None:
            url = request.get_full_path()
        else:
            url = _page_counterpart(request, page, code) if isinstance(page, Page) else _view_counterpart(request, code)
        if not url:
            home = _home_for(request, code)
            url = home.get_url(request) if home else f"/{code}/"
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


def _page_counterpart(request, page, language_code):
    """The live translation of `page` in `language_code` (one query), at the same sub-route if any."""
    if not page.translation_key:
        return None
    translated = (
        page.specific_class.objects.live()
        .filter(translation_key=page.translation_key, locale__language_code=language_code)
        .exclude(pk=page.pk)
        .first()
    )
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
PAGE_ROUTES = {"wagtail_serve", "wagtail_serve_file", "events:registration_route", "events:registration_route_en"}


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
    return page.get_ancestors().filter(depth__gt=2).live()


def _in_language(settings_obj, field, language_code):
    """The operator text `field` in English when asked and written (`<field>_en`), else in French."""
    if settings_obj is None:
        return ""
    if language_code == "en" and getattr(settings_obj, f"{field}_en"):
        return getattr(settings_obj, f"{field}_en")
    return getattr(settings_obj, field)


@register.filter
def tagline_for_language(settings_obj, language_code):
    return _in_language(settings_obj, "tagline", language_code)


@register.filter
def footer_for_language(settings_obj, language_code):
    return _in_language(settings_obj, "footer_text", language_code)


@register.filter
def in_section(page, section):
    """True when `page` is `section` or below it (for the menu's aria-current)."""
    return isinstance(page, Page) and page.path.startswith(section.path)


@register.simple_tag(takes_context=True)
def footer_parts(context):
    """The footer blocks the apps contribute (hub_footer_parts hook), rendered in order."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from hub.registry import footer_parts as parts

    request = context.get("request")
    html = [
        render_to_string(part.template, {**context.flatten(), **part.context}, request=request)
        for part in parts(request)
    ]
    return mark_safe("".join(html))
