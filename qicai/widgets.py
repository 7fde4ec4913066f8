"""Widgets rendered in Python where Django's template rendering dominates a page's time.

Django renders every ``<option>`` through a template include (about 0.1 ms each); the directory's
filter of 240 communities and 159 units, or an admin form's long selects, spent tens of milliseconds
there at city scale (issue 16). ``QuickSelect`` writes the same markup directly.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _options(optgroups) -> list[str]:
    parts = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(format_html('<optgroup label="{}">', group_name))
        parts.extend(
            format_html('<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"])
            for option in group_choices
        )
        if group_name:
            parts.append("</optgroup>")
    return parts


class _WrittenDirectly:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        opening = format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))
        return mark_safe("".join([opening, *_options(widget["optgroups"]), "</select>"]))


class QuickSelect(_WrittenDirectly, forms.Select):
    """``forms.Select`` with the markup of Django's template, written without a template per option."""


class QuickSelectMultiple(_WrittenDirectly, forms.SelectMultiple):
    """``forms.SelectMultiple`` written the same way."""
