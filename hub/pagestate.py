"""What most pages ask of the page tree, kept in the cache under the content state instead of asked again.

- `locale_for(language)` and `locale_codes()`: the site's locales (saving one bumps the generation);
- `public(queryset)`: Wagtail's `.public()` (no page under a view restriction) without its query of the
  restrictions on every call (saving or deleting one, or moving pages, bumps the generation);
- `index_page(model)`: an app's live French index page and its translation in the active language, as
  the territory pages, the home page and the account pages link to them (their publication, at the
  menu's depth, renews the chrome scope).

Each answer is one cache read instead of one to three queries.
"""

import hashlib

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import get_language
from wagtail.models import Locale, PageViewRestriction

from hub.cache import CHROME_SCOPE, content_generation, stamp


def _kept(name, build, state=None):
    state = content_generation() if state is None else state
    key = f"hub:pagestate:{name}:" + hashlib.sha256(repr(state).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, timeout=24 * 3600)
    return found


def locale_codes():
    """{locale pk: language code}."""
    return _kept("locales", lambda: dict(Locale.objects.values_list("pk", "language_code")))


def locale_for(language):
    """The Locale of `language` ("en", "en-gb"…), or None: an unsaved copy carrying its pk, for filters."""
    code = (language or "").split("-")[0]
    pk = next((pk for pk, found in locale_codes().items() if found == code), None)
    return Locale(pk=pk, language_code=code) if pk is not None else None


def _restricted():
    return [
        (path, depth)
        for path, depth in PageViewRestriction.objects.values_list("page__path", "page__depth").order_by("page__path")
    ]


def public(queryset):
    """`queryset.public()`: its pages outside every view-restricted subtree."""
    private = Q()
    for path, depth in _kept("restrictions", _restricted):
        private |= Q(path__startswith=path, depth__gte=depth)
    return queryset.exclude(private) if private else queryset


def index_page(model):
    """(the live French index page of `model`, its live translation in the active language or itself, the
    latter's URL), or (None, None, "")."""
    language = (get_language() or "fr").split("-")[0]

    def build():
        index = model.objects.live().filter(locale__language_code="fr").first()
        if index is None:
            return (None, None, "")
        own = model.objects.live().filter(translation_key=index.translation_key, locale__language_code=language)
        own = own.first() or index
        return (index, own, own.url or "")

    return _kept(f"index:{model._meta.label_lower}:{language}", build, state=stamp([CHROME_SCOPE]))
