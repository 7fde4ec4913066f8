"""The form renderer: Django's widget markup, written in Python for the widgets every page is full of.

Django renders each widget, and each ``<option>`` of a select, through a template (an include of
``input.html`` and ``attrs.html``): about 0.2 ms a widget and 0.1 ms an option. At city scale the
directory's filter of 240 communities and 159 units, a changelist's row checkboxes and a project page's
~90 widgets (68 of them hidden inputs of its inline tables) spent tens of milliseconds there (issue 16).
``QuickRenderer`` (``FORM_RENDERER``) writes the markup of the plain inputs, selects and text areas
directly — the same markup, attribute for attribute — and leaves every other template (the admin's
widgets, radio lists, file inputs, forms and formsets) to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
# Templates that are exactly ``{% include "django/forms/widgets/input.html" %}``.
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "number",
        "email",
        "url",
        "password",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
}
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
TEXTAREA = f"{WIDGETS}textarea.html"


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless it is marked safe."""
    text = f"{value}"
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """``attrs.html``: in order; True as a bare name, False left out."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None  # an option of its own kind: Django's templates render the select
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option template's closing newline
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class QuickRenderer(DjangoTemplates):
    """Django's default renderer, with the commonest widget templates written directly (see the module)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUTS:
                return mark_safe(_input(widget))
            if template_name == SELECT:
                html = _select(widget)
                if html is not None:
                    return mark_safe(html)
            if template_name == TEXTAREA:
                return mark_safe(_textarea(widget))
        return super().render(template_name, context, request)
