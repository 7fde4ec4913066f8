"""Template helpers of the portal: Bootstrap form fields, links that keep the query string."""

from django import forms, template
from django.template.loader import render_to_string

register = template.Library()

SELECTS = (forms.Select, forms.SelectMultiple)
CHECKS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.simple_tag
def bootstrap_field(field):
    """A form field as a labelled Bootstrap control, its help and errors tied to it (aria-describedby)."""
    widget = field.field.widget
    css = (
        "form-select"
        if isinstance(widget, SELECTS)
        else "form-check-input"
        if isinstance(widget, CHECKS)
        else "form-control"
    )
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget.attrs.update(attrs)
    return render_to_string("portal/includes/field.html", {"field": field})


@register.filter
def grade_label(value) -> str:
    """An evaluation grade's label (优秀 …) from its code; a dash for none."""
    from projects.formatting import choice_label
    from projects.models.evaluation import Grade

    return choice_label(Grade, value)


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with ``changes`` applied (``None`` or "" removes a key): ``?a=1&page=2``."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
