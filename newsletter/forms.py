"""The public subscription and preference forms."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from hub.dsfr_widgets import CheckboxSelectMultiple, RadioSelect
from hub.facets import taxonomy_choices
from hub.forms import HoneypotMixin, PersonalDataConsentField
from hub.models import Programme, Thematic

# The consent wording people agree to, by version: the version is stored with each subscription as proof.
# Change the wording → add a new version, never edit a published one.
CONSENT_WORDINGS = {
    "2026-11": _(
        "J'accepte de recevoir la lettre d'information mensuelle à cette adresse. Je peux me désabonner à "
        "tout moment par le lien présent dans chaque lettre."
    ),
}
CURRENT_CONSENT_WORDING = "2026-11"


class InterestsMixin(forms.Form):
    language = forms.ChoiceField(
        label=_("Langue de la lettre"), choices=settings.LANGUAGES, initial="fr", widget=RadioSelect
    )
    programmes = forms.MultipleChoiceField(
        label=_("Programmes qui vous intéressent"),
        required=False,
        widget=CheckboxSelectMultiple,
        help_text=_("Facultatif : sans choix, vous recevez toute la lettre."),
    )
    thematics = forms.MultipleChoiceField(
        label=_("Thématiques qui vous intéressent"), required=False, widget=CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].choices = taxonomy_choices(Programme, full_names=True)()
        self.fields["thematics"].choices = taxonomy_choices(Thematic)()
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = (get_language() or "fr")[:2]

    def interest_terms(self):
        """The chosen programmes and thematics, as the default-language terms the subscriber is linked to."""
        fr = settings.LANGUAGE_CODE
        return (
            list(Programme.objects.filter(locale__language_code=fr, slug__in=self.cleaned_data.get("programmes", []))),
            list(Thematic.objects.filter(locale__language_code=fr, slug__in=self.cleaned_data.get("thematics", []))),
        )


class SubscriptionForm(HoneypotMixin, InterestsMixin, DsfrBaseForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        max_length=254,
        error_messages={
            "required": _("Indiquez votre adresse électronique."),
            "invalid": _("Cette adresse électronique n'est pas valide (format attendu : nom@domaine.fr)."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    consent = PersonalDataConsentField(
        label=CONSENT_WORDINGS[CURRENT_CONSENT_WORDING],
        error_messages={"required": _("Cochez cette case pour vous abonner.")},
    )

    field_order = ["email", "language", "programmes", "thematics", "consent", "website"]


class PreferencesForm(InterestsMixin, DsfrBaseForm):
    pass
