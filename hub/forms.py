"""Pieces shared by the public forms of every app: honeypot, commune field, image checks, consent links."""

import re
import warnings

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from PIL import Image

from hub.dsfr_widgets import CommuneInput
from hub.models import Commune, StandardPage

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


# ---------------------------------------------------------------------------------------------------------
# Communes: typed by name (with the département's code for homonyms) or by INSEE code.

_WITH_DEPARTMENT = re.compile(r"^(?P<name>.+?)\s*\((?P<department>[0-9][0-9AB]{1,2})\)$", re.I)


def commune_label(commune):
    """How a commune is shown and typed back: « Abbeville (80) », unambiguous among homonyms."""
    code = commune.department.code if commune.department_id else ""
    return f"{commune.name} ({code})" if code else commune.name


def resolve_commune(value):
    """The current commune a person typed: « Nom (département) », exact name or INSEE code; a field error otherwise."""

    if isinstance(value, Commune):
        return value
    value = " ".join((value or "").split())
    current = Commune.objects.filter(kind=Commune.Kind.CURRENT).select_related("department")
    matches = list(current.filter(insee_code=value.upper())[:2])
    if not matches:
        match = _WITH_DEPARTMENT.match(value)
        if match:
            matches = list(
                current.filter(
                    name__iexact=match["name"].strip(), department__code__iexact=match["department"].upper()
                )[:2]
            )
        if not matches:
            matches = list(current.filter(name__iexact=value)[:2])
    if not matches:
        raise forms.ValidationError(
            _("Commune inconnue : choisissez-la dans la liste, ou indiquez son nom exact ou son code INSEE."),
            code="unknown_commune",
        )
    if len(matches) > 1:
        same_name = current.filter(name__iexact=matches[0].name).order_by("department__code")[:8]
        raise forms.ValidationError(
            _("Plusieurs communes portent ce nom : précisez le département, par exemple %(examples)s."),
            params={"examples": ", ".join(f"« {commune_label(c)} »" for c in same_name)},
            code="homonyms",
        )
    return matches[0]


def search_communes(query, limit=20):
    """Current communes whose name starts with `query` (then contains it), largest first: the autocomplete."""

    query = " ".join((query or "").split())[:100]
    if len(query) < 2:
        return []
    current = Commune.objects.filter(kind=Commune.Kind.CURRENT).select_related("department")
    if query.isdigit():
        rows = list(current.filter(insee_code__startswith=query).order_by("insee_code")[:limit])
    else:
        rows = list(current.filter(name__istartswith=query).order_by("-population", "name")[:limit])
        if len(rows) < limit:
            seen = [row.pk for row in rows]
            rows += list(
                current.filter(name__icontains=query)
                .exclude(pk__in=seen)
                .order_by("-population", "name")[: limit - len(rows)]
            )
    return [{"value": commune_label(row), "insee": row.insee_code} for row in rows]


class CommuneField(forms.CharField):
    """A commune, typed by name with a list of suggestions (« Nom (département) » for homonyms); works without JS.

    Cleans to a `hub.Commune` (or None when optional and empty). The initial value may be a Commune.
    """

    widget = CommuneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Commune"))
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "help_text",
            _("Commencez à taper son nom puis choisissez-la, par exemple « Abbeville (80) » ; ou son code INSEE."),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return commune_label(value)
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return resolve_commune(value)


# ---------------------------------------------------------------------------------------------------------
# Uploaded images: checked by their content, and by their size in pixels before anything decodes them.

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def max_image_pixels():
    """Wagtail's own limit (WAGTAILIMAGES_MAX_IMAGE_PIXELS, 128 megapixels by default) applies to every upload."""
    return settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS


# Pillow refuses to open (DecompressionBombError) images over twice this: a bomb never gets decoded.
Image.MAX_IMAGE_PIXELS = max_image_pixels()


def _header_size(image):
    """Width and height read from the file's header only (Pillow opens lazily; nothing is decoded)."""
    opened = getattr(image, "image", None)
    if opened is not None and getattr(opened, "size", None):
        return opened.format, opened.size
    position = image.tell() if hasattr(image, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(image) as header:
                return header.format, header.size
    finally:
        image.seek(position)


def check_uploaded_image(image):
    """An uploaded image checked without decoding it: JPEG, PNG or WebP, HUB_PROPOSAL_IMAGE_MAX_BYTES and
    WAGTAILIMAGES_MAX_IMAGE_PIXELS at most."""
    if not image:
        return image
    limit = settings.HUB_PROPOSAL_IMAGE_MAX_BYTES
    if image.size > limit:
        raise forms.ValidationError(_("L'image dépasse %(size)s.") % {"size": filesizeformat(limit)}, code="too_large")
    try:
        detected, (width, height) = _header_size(image)
    except Image.DecompressionBombError:
        detected, (width, height) = None, (max_image_pixels() + 1, 1)
    except Exception:  # noqa: BLE001 — anything Pillow cannot read is not an image we accept
        raise forms.ValidationError(_("Format non accepté : JPEG, PNG ou WebP uniquement."), code="format") from None
    if width * height > max_image_pixels():
        raise forms.ValidationError(
            _("L'image est trop grande : %(megapixels)s mégapixels au plus (réduisez sa définition)."),
            params={"megapixels": max_image_pixels() // 1_000_000},
            code="too_many_pixels",
        )
    if detected not in IMAGE_FORMATS:
        raise forms.ValidationError(_("Format non accepté : JPEG, PNG ou WebP uniquement."), code="format")
    return image


# ---------------------------------------------------------------------------------------------------------
# Consent checkboxes link to the personal-data page.


def personal_data_url():
    """The live « Données personnelles » page in the current language (the French one otherwise), or None."""

    pages = StandardPage.objects.live().filter(slug__in=["donnees-personnelles", "personal-data", "privacy"])
    pages = pages.select_related("locale")
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    chosen = None
    for page in pages:
        if page.locale.language_code == language:
            chosen = page
            break
        if chosen is None or page.locale.language_code == settings.LANGUAGE_CODE:
            chosen = page
    if chosen is None:
        return None
    localized = chosen.localized
    return (localized if localized.live else chosen).url


def _personal_data_help(text):
    url = personal_data_url()
    if not url:
        return str(text)
    return format_html(
        '{} <a href="{}" target="_blank" rel="noopener" title="{}">{}</a>',
        text,
        url,
        _("Politique de données personnelles - nouvelle fenêtre"),
        _("Lire la politique de données personnelles"),
    )


personal_data_help = lazy(_personal_data_help, str)


class PersonalDataConsentField(forms.BooleanField):
    """A consent checkbox whose hint links to the personal-data page (resolved when the form is shown)."""

    def __init__(self, *, help_text="", **kwargs):
        super().__init__(help_text=personal_data_help(help_text or ""), **kwargs)
