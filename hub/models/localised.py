"""Pages that point to taxonomy terms (programmes, thematics) point to the terms of their own language.

Programmes and thematics are translatable snippets: each term exists once per locale, with the same slug
and translation key. A French page lists the French terms; its English translation the English ones.
wagtail-localize (and Wagtail's copy for translation) copy the many-to-many values of the source page
as they are, so the copy first points to the French terms: `localise_taxonomy` maps them to the
translations in the page's locale whenever the page is cleaned or saved.
"""

from hub.admin_forms import HubPageForm
from hub.models.taxonomy import TaxonomyTerm


def _is_taxonomy(model):
    return isinstance(model, type) and issubclass(model, TaxonomyTerm)


def _in_locale(terms, locale_id):
    """The same terms in the locale (the term itself when it has no translation there), without repeats."""
    terms = list(terms)
    foreign = [term for term in terms if term.locale_id != locale_id]
    if not foreign:
        return terms
    model = type(foreign[0])
    translations = {
        term.translation_key: term
        for term in model.objects.filter(
            translation_key__in=[term.translation_key for term in foreign], locale_id=locale_id
        )
    }
    mapped, seen = [], set()
    for term in terms:
        target = term if term.locale_id == locale_id else translations.get(term.translation_key, term)
        if target.pk not in seen:
            seen.add(target.pk)
            mapped.append(target)
    return mapped


class LocalisedTaxonomyMixin:
    """For pages with ParentalManyToManyFields to Programme/Thematic (list them in `taxonomy_fields`)."""

    taxonomy_fields = ("programmes", "thematics")

    def localise_taxonomy(self):
        if not self.locale_id:
            return
        for name in self.taxonomy_fields:
            terms = list(getattr(self, name).all())
            mapped = _in_locale(terms, self.locale_id)
            if [term.pk for term in mapped] != [term.pk for term in terms]:
                setattr(self, name, mapped)

    def full_clean(self, *args, **kwargs):
        self.localise_taxonomy()
        return super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self.localise_taxonomy()
        return super().save(*args, **kwargs)


class LocalisedTaxonomyPageForm(HubPageForm):
    """The admin form's taxonomy choices are the terms of the page's locale only, each shown once.

    Any page type may use it as `base_form_class` (events, newsletter issues…).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale_id = self.instance.locale_id
        if locale_id is None and self.parent_page is not None:
            locale_id = self.parent_page.locale_id
        if locale_id is None:
            return
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not _is_taxonomy(queryset.model):
                continue
            field.queryset = queryset.filter(locale_id=locale_id)
            if self.is_bound or not self.instance.pk:
                continue
            current = self.initial.get(name)
            if current:
                terms = queryset.model.objects.filter(pk__in=[getattr(value, "pk", value) for value in current])
                self.initial[name] = [term.pk for term in _in_locale(terms, locale_id)]
