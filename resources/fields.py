"""A set of codes from a fixed list (an aid's natures, its beneficiaries…) in one column.

Stored as ",a,b," so that "has code x" is `field__contains=",x,"` on every database (a LIKE), which the
listings' facets use; read as a list of codes; edited as checkboxes.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def contains(field_name, code):
    """The filter for rows whose set `field_name` holds `code`."""
    return models.Q(**{f"{field_name}__contains": f",{code},"})


class CodeSetField(models.CharField):
    def __init__(self, *args, choices_of=None, **kwargs):
        self.choices_of = choices_of  # a TextChoices class
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices_of"] = self.choices_of
        for key, default in (("max_length", 255), ("blank", True), ("default", "")):
            if kwargs.get(key) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def _codes(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return [str(code) for code in value]

    def from_db_value(self, value, expression, connection):
        return self._codes(value)

    def to_python(self, value):
        return self._codes(value)

    def get_prep_value(self, value):
        codes = self._codes(value)
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        allowed = {code for code, _label in self.choices_of.choices}
        unknown = [code for code in self._codes(value) if code not in allowed]
        if unknown:
            raise ValidationError(_("Valeur inconnue : %(codes)s") % {"codes": ", ".join(unknown)})
        if not self.blank and not self._codes(value):
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.choices_of.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        for key in ("max_length", "empty_value", "strip"):
            defaults.pop(key, None)
        return form_class(**defaults)

    def labels(self, codes):
        names = dict(self.choices_of.choices)
        return [names.get(code, code) for code in codes]
