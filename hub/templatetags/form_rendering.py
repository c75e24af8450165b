"""The shared rendering of public forms (components/form_fields.html): error summary and optional marks."""

from django import forms, template
from django.utils.translation import gettext as _

from hub.forms import personal_data_url as url

register = template.Library()


def _first_input_id(bound_field):
    """The id of the element a link should focus: the input, or the first option of a choice list."""
    return bound_field.id_for_label or (f"{bound_field.auto_id}_0" if bound_field.auto_id else "")


@register.simple_tag
def form_error_summary(form):
    """One entry per error: the field's label and the id to link to; non-field errors have no id."""
    if form is None or not form.errors:
        return []
    items = [{"id": "", "label": "", "message": error} for error in form.non_field_errors()]
    for bound_field in form:
        if bound_field.is_hidden:
            continue
        for error in bound_field.errors:
            items.append({"id": _first_input_id(bound_field), "label": _label(bound_field), "message": error})
    return items


def _label(bound_field):
    label = str(bound_field.label or "")
    return label[:-1] if label.endswith(":") else label


@register.filter
def mark_optional(bound_field):
    """Adds « (facultatif) » to the label of an optional field (the forms say « obligatoires sauf mention
    contraire »); single checkboxes, which one may leave unticked by nature, are left as they are."""
    field = bound_field.field
    if field.required or isinstance(field.widget, forms.CheckboxInput) or field.widget.is_hidden:
        return bound_field
    mark = _("(facultatif)")
    label = str(bound_field.label or "")
    if mark.lower() not in label.lower() and "facultatif" not in label.lower():
        bound_field.label = f"{label} {mark}"
    return bound_field


@register.simple_tag
def personal_data_url():
    """The personal-data page in the current language, for consent notes written in templates."""

    return url() or ""
