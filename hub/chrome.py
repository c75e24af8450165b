"""What the page chrome shows (home links, menu, operator identity, footer parts), computed once per host,
language and content state, and kept in the cache.

The data only, not the rendered header: what is per request (the active menu item, the language switcher's
links for the current page, the account links and their CSRF token, the search query) is rendered around
it. The stamp is the one of `hub.cache` for the "chrome" scope: publishing a page at the menu's depth or
one the footer links to, saving the operator settings, or any global bump (taxonomy, moves) rebuilds it.
Footer parts (the `hub_footer_parts` hook) are rendered here, once, without the request's context
processors: a part must not depend on who is looking.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from wagtail.models import Page, Site

from hub import cache as hub_cache
from hub.context_processors import hub as hub_values
from hub.models import OperatorSettings
from hub.registry import footer_parts

FALLBACK_TITLE = "Centralités"


def chrome_for(request):
    """The chrome's data for this request's host and language (no query when cached)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    memo = getattr(request, "_hub_chrome", None) if request is not None else None
    if memo is not None and memo[0] == language:
        return memo[1]
    if request is None:
        return _build(None, language)
    state = hashlib.sha256(repr((request.get_host(), hub_cache.stamp([hub_cache.CHROME_SCOPE]))).encode())
    key = f"hub:chrome:{language}:{state.hexdigest()}"
    data = cache.get(key)
    if data is None:
        data = _build(request, language)
        cache.set(key, data, settings.HUB_CHROME_CACHE_TIMEOUT)
    data = {**data, "footer_parts": mark_safe(data["footer_parts"])}
    request._hub_chrome = (language, data)
    return data


def _build(request, language):
    site = Site.find_for_request(request) if request is not None else Site.objects.filter(is_default_site=True).first()
    root = site.root_page if site else None
    homes = {}
    if root is not None:
        for page in Page.objects.filter(translation_key=root.translation_key).select_related("locale"):
            homes[page.locale.language_code] = page
    home = homes.get(language)
    menu = []
    if home is not None:
        menu = [
            {"title": item.title, "url": item.get_url(request), "path": item.path}
            for item in home.get_children().live().public().in_menu()
        ]
    operator = OperatorSettings.for_site(site) if site else None
    return {
        "home_urls": {code: page.get_url(request) for code, page in homes.items()},
        "home_url": home.get_url(request) if home else None,
        "menu": menu,
        **_operator(operator, request, language),
        "footer_parts": _footer_parts(request, language),
    }


def _in_language(operator, field, language):
    """The operator text `field` in English when asked and written (`<field>_en`), else in French."""
    if operator is None:
        return ""
    if language == "en" and getattr(operator, f"{field}_en"):
        return getattr(operator, f"{field}_en")
    return getattr(operator, field)


def _localized_url(page, request):
    if page is None:
        return None
    return page.localized.get_url(request)


def _operator(operator, request, language):
    if operator is None:
        return {
            "site_title": FALLBACK_TITLE,
            "operator_name": "",
            "tagline": "",
            "footer_text": "",
            "logo": None,
            "legal_url": None,
            "privacy_url": None,
            "accessibility_url": None,
            "accessibility_status": "",
        }
    logo = None
    if operator.operator_logo_id:
        rendition = operator.operator_logo.get_rendition("max-200x100")
        logo = {"url": rendition.url, "width": rendition.width, "height": rendition.height}
    return {
        "site_title": operator.site_title or FALLBACK_TITLE,
        "operator_name": operator.operator_name,
        "tagline": _in_language(operator, "tagline", language),
        "footer_text": _in_language(operator, "footer_text", language),
        "logo": logo,
        "legal_url": _localized_url(operator.legal_page, request),
        "privacy_url": _localized_url(operator.privacy_page, request),
        "accessibility_url": _localized_url(operator.accessibility_page, request),
        "accessibility_status": str(operator.get_accessibility_status_display()),
    }


def _footer_parts(request, language):
    base = {**hub_values(request), "LANGUAGE_CODE": language}
    return "".join(render_to_string(part.template, {**base, **part.context}) for part in footer_parts(request))
