from django import template
from django.conf import settings
from django.urls import resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.utils import translation
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
    """For each language: where the switcher goes (the translated page, else the same view, else home)."""
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if isinstance(page, Page):
            try:
                translated = page.get_translation(Locale.objects.get(language_code=code))
                if translated.live:
                    url = translated.get_url(request)
            except (Page.DoesNotExist, Locale.DoesNotExist):
                url = None
        elif request is not None:
            url = _reverse_in(request, code)
        if not url:
            home = _home_for(request, code)
            url = home.get_url(request) if home else f"/{code}/"
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


def _reverse_in(request, language_code):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if not match.url_name or match.url_name == "wagtail_serve":
        return None
    with translation.override(language_code):
        try:
            url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


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
