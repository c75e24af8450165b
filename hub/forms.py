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


def resolve_commune(value):
    """The current commune a person typed, by INSEE code or exact name; a field error otherwise."""
    from hub.models import Commune

    value = (value or "").strip()
    current = Commune.objects.filter(kind=Commune.Kind.CURRENT).select_related("department")
    matches = list(current.filter(insee_code=value.upper())[:2]) or list(current.filter(name__iexact=value)[:2])
    if not matches:
        raise forms.ValidationError(_("Commune inconnue : indiquez son code INSEE ou son nom exact."))
    if len(matches) > 1:
        raise forms.ValidationError(_("Plusieurs communes portent ce nom : indiquez plutôt le code INSEE."))
    return matches[0]


MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def check_uploaded_image(image):
    """An uploaded image checked by decoding it (not by its name): JPEG, PNG or WebP, 5 MB at most."""
    if not image:
        return image
    if image.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(_("L'image dépasse 5 Mo."), code="too_large")
    detected = getattr(getattr(image, "image", None), "format", None)
    if detected not in IMAGE_FORMATS:
        raise forms.ValidationError(_("Format non accepté : JPEG, PNG ou WebP uniquement."), code="format")
    return image
