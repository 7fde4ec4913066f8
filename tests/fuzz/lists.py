"""Every list's query parameters, hostile: the admin's changelists and the portal's lists never answer 500.

Collected in ``test_district.py`` (one seeding of the demo district for all of them).

The lists are found, not listed: every registered model admin whose list the role may view, with the
parameter names it understands read from the admin itself (its filters' parameters, its date drill-down,
search, ordering, paging, Django's own ``e``, ``_to_field``, ``_popup``, ``all``) and field lookups that are
no filter at all; the portal's lists with the names of their filter forms, read from the page. Django's admin
answers a parameter it cannot use with a redirect to ``?e=1``: that is a refusal, not a failure.
"""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.hostile import _FormParser, changed, hostile_text, row_counts

pytestmark = pytest.mark.django_db
ROLES = ("admin", "committee", "civil", "association", "unit", "unit2", "evaluator")
DJANGO_PARAMS = ["o", "p", "q", "e", "_to_field", "_popup", "all", "_changelist_filters", "_facets", "utm", "x" * 300]
PAGE_VALUES = ["-1", "0", "99999999999999999999", "1e3", "abc", "", "\x00", "2"]
# Examples per list: a few in CI, a tenth of the profile's under ``make fuzz``.
LIST_EXAMPLES = max(3, settings.default.max_examples // 10)
ORDER_VALUES = ["-", "1.2", "999", "-0", "0.-1.x", "abc", "1.1.1", "-9999999999999999999", ".", ""]


def list_params(model_admin, request) -> list[str]:
    """The parameter names ``model_admin``'s list reads, from the admin itself."""
    names = list(DJANGO_PARAMS)
    try:
        changelist = model_admin.get_changelist_instance(request)
    except Exception:  # the list itself is tested by the GET below
        return names
    for spec in changelist.filter_specs:
        names += spec.expected_parameters()
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    fields = [f.name for f in model_admin.opts.get_fields() if getattr(f, "concrete", False)][:8]
    names += [f"{name}__exact" for name in fields] + [f"{name}__id__exact" for name in fields]
    names += [f"{name}__in" for name in fields[:3]] + [f"{name}__isnull" for name in fields[:3]]
    return names


@st.composite
def query(draw, names: list[str]):
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4))
    pairs = []
    for name in chosen:
        if name == "p":
            value = draw(st.one_of(st.sampled_from(PAGE_VALUES), hostile_text))
        elif name == "o":
            value = draw(st.one_of(st.sampled_from(ORDER_VALUES), hostile_text))
        else:
            value = draw(hostile_text)
        pairs.append((name, value))
    return pairs


def fuzz_list(client, url: str, names: list[str]):
    @settings(max_examples=LIST_EXAMPLES)
    @given(query(names))
    def example(pairs):
        response = client.get(f"{url}?{urlencode(pairs)}")
        assert response.status_code != 500, f"500 from {url}?{urlencode(pairs)}"

    example()


@pytest.mark.parametrize("username", ROLES)
def test_admin_lists_survive_hostile_query_parameters(client, demo_district, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    before = row_counts()
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        if not model_admin.has_view_or_change_permission(request):
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        fuzz_list(client, url, list_params(model_admin, request))
    # Reading lists writes nothing, except the record of who read personal data (an audit entry) where kept.
    wrote = changed(before, row_counts())
    wrote.pop("projects.AuditEntry", None)
    assert not wrote, wrote


def get_form_names(body: str) -> list[str]:
    parser = _FormParser()
    parser.feed(body)
    return [f.name for form in parser.forms if form.method == "get" for f in form.fields]


@pytest.mark.parametrize("username", [None, "civil", "unit", "evaluator"])
def test_portal_lists_survive_hostile_query_parameters(client, demo_district, username):
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    # The export reads the directory's own filters (a whole workbook per example): under ``make fuzz`` only.
    long_run = settings.default.max_examples > 100
    url_names = ["portal:projects", "portal:dashboard", "portal:public"] + (
        ["portal:projects_export"] if long_run else []
    )
    for url_name in url_names:
        url = reverse(url_name)
        page = client.get(url)
        assert page.status_code != 500
        is_page = page.status_code == 200 and not page.streaming
        names = get_form_names(page.content.decode(errors="replace")) if is_page else []
        fuzz_list(client, url, [*sorted(set(names)), "sort", "o", "page", "p", "q", "format", "fmt", "year"])
