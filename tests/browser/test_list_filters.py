"""The case list's project filter in a real browser (issue 16): a search box, not a list of every project.

Typing part of a project's code offers the unit's own projects (the admin's autocomplete over ProjectAdmin);
choosing one reloads the list with that project and the other filters kept; clearing it lists everything
again. Under the strict Content-Security-Policy, with no script error.
"""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Enrollment, Project
from tests.browser.test_csp import watched  # noqa: F401  (a fixture)
from tests.browser.test_journey import demo  # noqa: F401  (a fixture)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_choosing_a_project_in_the_case_lists_search_box(watched, demo):  # noqa: F811
    from django.contrib.auth import get_user_model

    unit = get_user_model().objects.get(username="unit").membership.organization
    project = (
        Project.objects.filter(implementing_unit=unit, enrollments__status=Enrollment.Status.OPEN)
        .order_by("code")
        .first()
    )
    session = watched("unit")
    page = session.goto("/admin/projects/enrollment/?status__exact=open")
    box = page.locator("form.autocomplete-filter .select2-selection")
    expect(box).to_be_visible()
    box.click()
    page.locator(".select2-container--open .select2-search__field").fill(project.code)
    option = page.locator(".select2-results__option", has_text=project.code)
    expect(option).to_have_count(1)
    with page.expect_navigation():
        option.click()
    assert re.search(rf"project__id__exact={project.pk}\b", page.url) and "status__exact=open" in page.url
    codes = page.locator("#result_list tbody th a").all_inner_texts()
    expected = Enrollment.objects.filter(project=project, status=Enrollment.Status.OPEN)
    assert codes and set(codes) <= set(expected.values_list("code", flat=True))
    expect(page.locator("form.autocomplete-filter .select2-selection__rendered")).to_contain_text(project.code)
    # Cleared: the whole list again, the other filter kept.
    with page.expect_navigation():
        page.locator("form.autocomplete-filter .select2-selection__clear").click()
    assert "project__id__exact" not in page.url and "status__exact=open" in page.url
    assert session.problems == [], session.problems
