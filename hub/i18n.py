"""Listings in a second language: each item once, in the visitor's language when it is translated.

Projects, resources, events and newsletter issues are written in French under the French index pages.
An English listing shows, for each of those items, its English translation when one is live and public
(so it links under `/en/`), and the French original otherwise, which the template marks as French
(`lang="fr"` on its title and an "in French" badge). Each item appears once, so counts, exports and
feeds computed on the result stay exact.

    from hub.i18n import localized_items, mark_languages

    issues = localized_items(NewsletterIssuePage.objects.child_of(fr_index).live().public(), "en")
    page_items = mark_languages(list(issues.order_by(...)[:20]), "en")
    # each item now has .content_language ("en" or "fr") and .in_other_language (True for "fr" here)

    items = localized_list(latest_projects(3))  # a short list already fetched, same order
"""

from django.db.models import Q
from django.utils.translation import get_language

from hub.pagestate import locale_codes, locale_for, public


def localized_items(queryset, language=None, items_locale_id=None):
    """`queryset`'s items, each replaced by its live, public translation in `language` when there is one.

    `queryset` holds pages of one model in the source language, already filtered (period, publication…);
    the result is a queryset of the same model, with one row per item of `queryset`: the translation
    (in `language`) or the original. It can be filtered, counted, searched and ordered further.
    With no `language`, the active one. When `language` has no locale, or is the items' own (the caller
    may say which it is: `items_locale_id`), `queryset` is returned unchanged.
    """
    locale = locale_for(language or get_language())
    if locale is None or locale.pk == items_locale_id:
        return queryset
    model = queryset.model
    manager = model._default_manager
    translations = public(manager.live()).filter(
        locale=locale, translation_key__in=queryset.exclude(locale=locale).values("translation_key")
    )
    originals = queryset.exclude(translation_key__in=translations.values("translation_key"))
    if not translations.exists():
        return queryset
    return manager.filter(Q(pk__in=originals.values("pk")) | Q(pk__in=translations.values("pk")))


def mark_languages(items, language=None):
    """Sets `content_language` (its language code) and `in_other_language` on each page of `items`."""

    language = (language or get_language() or "fr").split("-")[0]
    codes = locale_codes()
    for item in items:
        code = codes.get(getattr(item, "locale_id", None))
        item.content_language = code or language
        item.in_other_language = bool(code) and code != language
    return items


def localized_list(pages, language=None):
    """A list of pages (say the home page's three latest projects), each replaced by its live, public
    translation in `language` when there is one, in the same order, marked by `mark_languages`."""
    pages = list(pages)
    language = (language or get_language() or "fr").split("-")[0]
    locale = locale_for(language)
    if locale is None or not pages or all(page.locale_id == locale.pk for page in pages):
        return mark_languages(pages, language)  # nothing to swap: already in that language
    model = type(pages[0])
    translations = {
        page.translation_key: page
        for page in public(model._default_manager.live()).filter(
            locale=locale, translation_key__in=[p.translation_key for p in pages]
        )
    }
    return mark_languages([translations.get(page.translation_key, page) for page in pages], language)
