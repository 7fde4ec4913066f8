"""Every form of the workbench and the portal, posted with hostile values: never a 500, never a partial write.

Collected in ``test_district.py`` (one seeding of the demo district for all of them).

The forms are found, not listed: every page each demo role can reach (the walk of
``tests/browser/test_workbench_widths.py``: every registered model admin's add and change pages, and every
custom admin page it is taught), the portal's sign-in and password forms, each read from the page's HTML.
A new model admin or a new field is fuzzed without a change here; a new custom admin URL fails the width
walk until it is taught there.

Each example posts the form as the page filled it, with some fields replaced by hostile values (NUL bytes,
huge and non-finite numbers, impossible dates, SQL and HTML fragments, wrong choices, other records' ids,
hostile files). A refusal (4xx, the form again with its errors, a redirect with an error message) must leave
every table's row count as it was.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.browser.test_workbench_widths import put_work_in_flight, workbench_pages
from tests.fuzz.hostile import Form, changed, hostile_text, is_refusal, post_forms, rolled_back, row_counts, uploads

pytestmark = pytest.mark.django_db
ROLES = ("admin", "committee", "civil", "association", "unit", "unit2", "evaluator")
# Forms that end the session or only switch the language: fuzzed elsewhere or not worth a POST per example.
SKIPPED_ACTIONS = ("/admin/logout/", "/accounts/logout/")
# Examples per form: a few in CI (a form reached by several roles is fuzzed as the first of them), a
# tenth of the profile's examples under ``make fuzz``.
FORM_EXAMPLES = max(2, settings.default.max_examples // 10)
FUZZED: set = set()


@pytest.fixture(scope="module")
def district(demo_district, django_db_blocker):
    with django_db_blocker.unblock():
        put_work_in_flight()


def forms_of(client, url: str) -> list[Form]:
    response = client.get(url)
    assert response.status_code != 500, url
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    return [f for f in post_forms(response.content.decode(), url) if not f.action.startswith(SKIPPED_ACTIONS)]


@st.composite
def hostile_post(draw, form: Form, ids: list[str]):
    """The form's own values, with each field replaced by a hostile value or another record's id by chance."""
    data = form.defaults()
    for f in form.fields:
        if f.kind in ("submit", "button", "reset", "image") or f.name == "csrfmiddlewaretoken":
            continue
        if f.kind == "file":
            if draw(st.booleans()):
                data[f.name] = draw(uploads())
            continue
        if not draw(st.integers(0, 2)):  # two fields in three keep the page's value: deeper paths get reached
            continue
        choices = [hostile_text]
        if f.kind == "select":
            choices.append(st.sampled_from(f.options or [""]))
        if ids:
            choices.append(st.sampled_from(ids))
        data[f.name] = [draw(st.one_of(*choices))]
    return data


def fuzz_form(client, form: Form, ids: list[str], *, may_write: tuple[str, ...] = ()):
    """Post ``form`` with hostile values; a refusal may write only to the models labelled ``may_write...``."""

    @settings(max_examples=FORM_EXAMPLES)
    @given(st.data())
    def example(data):
        post = data.draw(hostile_post(form, ids))
        with rolled_back():
            before = row_counts()
            response = client.post(form.action, post)
            assert response.status_code != 500, f"500 from {form.action} with {post!r}"
            if is_refusal(response):
                wrote = {label for label in changed(before, row_counts()) if not label.startswith(may_write or "\0")}
                assert not wrote, f"refused but wrote {wrote}: {form.action} {post!r}"

    example()


def other_ids() -> list[str]:
    """Primary keys of records across units (a unit's form given another unit's record), and absurd ones."""
    from projects.models import Activity, Enrollment, Organization, Project

    ids = []
    for model in (Project, Organization, Enrollment, Activity):
        ids += [str(pk) for pk in model.objects.order_by("?").values_list("pk", flat=True)[:3]]
    return [*ids, "0", "-1", "2147483648", "9223372036854775808"]


@pytest.mark.parametrize("username", ROLES)
def test_workbench_forms_survive_hostile_posts(client, district, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    # Django's pages that are one template for every model (history, deletion, an app's index) are walked as
    # the superuser under ``make fuzz``; the normal run keeps to the models' own forms.
    pages, _ = workbench_pages(user, generic=username == "admin" and settings.default.max_examples > 100)
    ids = other_ids()
    for page in pages:
        for form in forms_of(client, page.url):
            # One form is one view and one set of fields, whichever record or role it was opened for.
            key = (re.sub(r"/\d+/", "/N/", form.action.split("?")[0]), tuple(sorted(f.name for f in form.fields)))
            if key in FUZZED:
                continue
            FUZZED.add(key)
            fuzz_form(client, form, ids)


# Rows a refused sign-in is meant to write: django-axes counts failed attempts (the lockout needs them).
SIGN_IN_RECORDS = ("axes.",)


@pytest.mark.parametrize("url_name", ["portal:login", "admin:login"])
def test_sign_in_forms_survive_hostile_posts(client, demo_district, url_name):
    for form in forms_of(client, reverse(url_name)):
        fuzz_form(client, form, [], may_write=SIGN_IN_RECORDS)


def test_password_forms_survive_hostile_posts(client, demo_district):
    client.force_login(get_user_model().objects.get(username="unit"))
    for url in (reverse("portal:password_change"), reverse("admin:password_change")):
        for form in forms_of(client, url):
            fuzz_form(client, form, [])
