"""Pieces shared by the public forms of every app."""

from django import forms
from django.utils.translation import gettext_lazy as _

HONEYPOT_FIELD = "website"


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS and from assistive technologies) and robots fill in."""

    website = forms.CharField(
        label=_("Ne pas remplir ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def caught_by_honeypot(self):
        return bool(self.data.get(self.add_prefix(HONEYPOT_FIELD)))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT_FIELD):
            raise forms.ValidationError(_("Votre envoi n'a pas pu être accepté."), code="honeypot")
        return cleaned
