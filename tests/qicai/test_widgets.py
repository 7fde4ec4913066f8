"""The form renderer (qicai.widgets.QuickRenderer) writes exactly the markup Django's templates write."""

import pytest
from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from qicai.widgets import QuickRenderer

CHOICES = [("", "---"), ("a", "甲 <b>"), ("b&c", mark_safe("<i>乙</i>")), ("群组", [("x", "X"), ("y", 'Y"引号"')])]
CASES = [
    (forms.TextInput(), "标题", '他说"你好" <script>&'),
    (forms.TextInput(attrs={"class": "form-control", "required": True, "disabled": False}), "t", None),
    (forms.HiddenInput(), "id", 42),
    (forms.NumberInput(attrs={"step": "0.01", "min": 0}), "amount", 12.5),
    (forms.EmailInput(), "email", mark_safe("a&b@example.com")),
    (forms.PasswordInput(), "password", "secret"),
    (forms.DateInput(), "day", "2014-04-11"),
    (forms.CheckboxInput(), "flag", True),
    (forms.CheckboxInput(), "flag", False),
    (forms.Select(choices=CHOICES), "kind", "b&c"),
    (forms.Select(choices=CHOICES, attrs={"aria-describedby": "help x"}), "kind", None),
    (forms.SelectMultiple(choices=CHOICES), "kinds", ["a", "y"]),
    (forms.NullBooleanSelect(), "answer", True),
    (forms.Textarea(attrs={"rows": 3}), "note", "第一行\n<第二行>"),
    (forms.Textarea(), "note", ""),
    (admin_widgets.AdminTextInputWidget(), "name", "社工"),
    (admin_widgets.AdminDateWidget(), "date", "2014-01-01"),
]


@pytest.mark.parametrize(
    ("widget", "name", "value"), CASES, ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)]
)
def test_the_markup_is_djangos(widget, name, value):
    attrs = {"id": f"id_{name}"}
    assert widget.render(name, value, attrs, renderer=QuickRenderer()) == widget.render(
        name, value, attrs, renderer=DjangoTemplates()
    )


def test_a_whole_form_is_the_same():
    class Form(forms.Form):
        title = forms.CharField(label="标题", help_text="<说明>")
        kind = forms.ChoiceField(choices=CHOICES)
        note = forms.CharField(widget=forms.Textarea, required=False)
        agreed = forms.BooleanField()

    bound = Form({"title": 'x"y', "kind": "zzz"})
    assert bound.render(renderer=QuickRenderer()) == bound.render(renderer=DjangoTemplates())


def test_it_is_the_projects_renderer(settings):
    assert settings.FORM_RENDERER == "qicai.widgets.QuickRenderer"
