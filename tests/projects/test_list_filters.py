"""The changelists' filters at city scale (issue 16): the project filter that searches (autocomplete), the date
range that replaced the date drill-down on big tables, the agreement scope without an OR across a join, the
round list's money grouped once, and the indexes behind the lists."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Activity, Agreement, Enrollment, Round
from tests.casework_factories import enroll, live_project
from tests.factories import AgreementFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

CASES = "admin:projects_enrollment_changelist"
ACTIVITIES = "admin:projects_activity_changelist"
SCRIPTS_IN_ORDER = [
    "admin/js/vendor/jquery/jquery.min.js",
    "admin/js/vendor/select2/select2.full.min.js",
    "admin/js/jquery.init.js",
    "admin/js/autocomplete.js",
    "qicai/autocomplete-filter.js",
]
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


@pytest.fixture
def two_units(cast, unit_org, unit2_org):
    """Two live projects, one per unit, each with a case and an activity."""
    mine, theirs = live_project(unit_org), live_project(unit2_org)
    cases = {
        "mine": enroll(mine, cast["unit"], name="李一"),
        "theirs": enroll(theirs, cast["unit2"], name="张二"),
    }
    activities = {
        "mine": Activity.objects.create(
            project=mine, type="group", title="亲子阅读小组", date=datetime.date(2014, 6, 3)
        ),
        "theirs": Activity.objects.create(
            project=theirs, type="group", title="长者健康讲座", date=datetime.date(2014, 6, 4)
        ),
    }
    return {"mine": mine, "theirs": theirs, "cases": cases, "activities": activities}


def listed_codes(response) -> set[str]:
    return {str(row) for row in response.context["cl"].result_list}


def inline_scripts(page: str) -> list[str]:
    """``<script>`` tags that are neither a file (src=) nor JSON data (json_script)."""
    return [tag for tag in SCRIPT_TAG.findall(page) if "src=" not in tag and "application/json" not in tag]


# -- the project filter (autocomplete) ----------------------------------------------------------------------


def test_the_project_filter_is_one_search_box_not_a_list_of_projects(client, cast, two_units):
    client.force_login(cast["civil"])
    response = client.get(reverse(CASES))
    page = response.content.decode()
    assert response.status_code == 200
    # One select box searching through the admin's autocomplete; no link per project.
    assert 'class="admin-autocomplete"' in page
    assert f'data-ajax--url="{reverse("admin:autocomplete")}"' in page
    assert 'data-model-name="enrollment"' in page and 'data-field-name="project"' in page
    assert f"project__id__exact={two_units['mine'].pk}" not in page
    assert two_units["theirs"].code not in page.split('class="autocomplete-filter"')[1].split("</form>")[0]
    # select2 and the filter's own script as files; no inline script anywhere on the list.
    # The filter's script runs after jQuery, django.jQuery and the admin's select2 start-up.
    order = [page.index(f'src="/static/{name}"') for name in SCRIPTS_IN_ORDER]
    assert order == sorted(order)
    assert inline_scripts(page) == []
    assert finders.find("qicai/autocomplete-filter.js")


@pytest.mark.parametrize("url_name", [CASES, ACTIVITIES])
def test_choosing_a_project_lists_its_rows_and_keeps_the_other_parameters(client, cast, two_units, url_name):
    client.force_login(cast["civil"])
    mine = two_units["mine"]
    response = client.get(
        reverse(url_name), {"project__id__exact": mine.pk, "o": "1", "project__round__id__exact": mine.round_id}
    )
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert rows and {row.project_id for row in rows} == {mine.pk}
    page = response.content.decode()
    form = page.split('class="autocomplete-filter"')[1].split("</form>")[0]
    assert f'<option value="{mine.pk}" selected>{mine}</option>' in form
    # The other parameters travel with the form; the filter's own is the select's.
    assert f'name="project__round__id__exact" value="{mine.round_id}"' in form
    assert 'name="o" value="1"' in form
    assert 'name="project__id__exact" value=' not in form


@pytest.mark.parametrize("url_name", [CASES, ACTIVITIES])
def test_another_units_project_is_an_invalid_filter_never_their_rows(client, cast, two_units, url_name):
    client.force_login(cast["unit"])
    url = reverse(url_name)
    for value in [two_units["theirs"].pk, 987654321, "abc", "9" * 30, "-1"]:
        response = client.get(url, {"project__id__exact": value})
        assert response.status_code == 302, value
        assert response.url.endswith("?e=1"), value
    # Its own project filters as usual; an empty choice is the whole list.
    own = client.get(url, {"project__id__exact": two_units["mine"].pk})
    assert own.status_code == 200
    assert {row.project_id for row in own.context["cl"].result_list} == {two_units["mine"].pk}
    everything = client.get(url, {"project__id__exact": ""})
    assert everything.status_code == 200
    assert {row.project_id for row in everything.context["cl"].result_list} == {two_units["mine"].pk}


def test_the_autocomplete_offers_only_projects_in_scope(client, cast, two_units):
    client.force_login(cast["unit"])
    url = reverse("admin:autocomplete")
    query = {"app_label": "projects", "model_name": "enrollment", "field_name": "project"}
    found = client.get(url, {**query, "term": ""}).json()["results"]
    assert {item["id"] for item in found} == {str(two_units["mine"].pk)}
    assert client.get(url, {**query, "term": two_units["theirs"].code}).json()["results"] == []
    activity_query = {**query, "model_name": "activity", "term": two_units["mine"].code}
    assert [item["id"] for item in client.get(url, activity_query).json()["results"]] == [str(two_units["mine"].pk)]


def test_the_export_keeps_the_project_filter(client, cast, two_units):
    client.force_login(cast["civil"])
    mine = two_units["mine"]
    response = client.get(reverse("admin:projects_enrollment_export"), {"project__id__exact": mine.pk})
    assert response.status_code == 200
    assert response.context["count"] == Enrollment.objects.filter(project=mine).count() == 1
    refused = client.get(reverse("admin:projects_enrollment_export"), {"project__id__exact": "abc"})
    assert refused.status_code == 302 and refused.url.endswith("?e=1")


# -- the date range ----------------------------------------------------------------------------------------


def test_the_date_range_filters_cases_and_activities_by_their_days(client, cast, two_units):
    client.force_login(cast["civil"])
    mine, theirs = two_units["cases"]["mine"], two_units["cases"]["theirs"]
    Enrollment.objects.filter(pk=theirs.pk).update(intake_date=datetime.date(2014, 5, 20))
    day = mine.intake_date.isoformat()

    def cases(**params):
        response = client.get(reverse(CASES), params)
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    assert cases(since=day, until=day) == {mine.pk}
    assert cases(since="2014-05-11") == {theirs.pk}
    assert cases(until="2014-05-19") == {mine.pk}
    assert cases(since="2014-05-21") == set()
    assert cases(since="not-a-date", until="2014-13-45") == {mine.pk, theirs.pk}  # ignored, never a 500
    response = client.get(reverse(ACTIVITIES), {"since": "2014-06-04", "until": "2014-06-04", "type__exact": "group"})
    assert [row.pk for row in response.context["cl"].result_list] == [two_units["activities"]["theirs"].pk]
    form = response.content.decode().split('class="date-range-filter"')[1].split("</form>")[0]
    assert 'name="type__exact" value="group"' in form and 'value="2014-06-04"' in form


def test_big_tables_have_no_date_drill_down():
    from django.contrib import admin

    for model in [
        "project",
        "enrollment",
        "followup",
        "activity",
        "auditentry",
        "agreement",
        "instalment",
        "socialfund",
    ]:
        model_admin = next(ma for m, ma in admin.site._registry.items() if m._meta.model_name == model)
        assert not model_admin.date_hierarchy, model


# -- the agreement scope -----------------------------------------------------------------------------------


def test_a_units_agreements_are_the_same_rows_as_before(cast, unit_org, unit2_org):
    """Its own projects' agreements (whoever party B is) and those where it is party B (another unit's project)."""
    own = AgreementFactory(project=live_project(unit_org))
    own_other_party = AgreementFactory(project=live_project(unit_org), party_b=OrganizationFactory())
    as_party_b = AgreementFactory(project=live_project(unit2_org), party_b=unit_org)
    theirs = AgreementFactory(project=live_project(unit2_org))
    framework = AgreementFactory(project=None, kind=Agreement.Kind.FRAMEWORK, party_b=unit_org)
    for user, org in [(cast["unit"], unit_org), (cast["unit2"], unit2_org)]:
        before = Agreement.objects.filter(Q(party_b_id=org.pk) | Q(project__implementing_unit_id=org.pk))
        assert set(Agreement.objects.visible_to(user)) == set(before)
    assert set(Agreement.objects.visible_to(cast["unit"])) == {own, own_other_party, as_party_b, framework}
    assert theirs in set(Agreement.objects.visible_to(cast["unit2"]))
    assert as_party_b in set(Agreement.objects.visible_to(cast["unit2"]))


# -- the round list's money --------------------------------------------------------------------------------


def test_the_round_list_shows_each_rounds_money_computed_once(admin_client, two_units):
    from projects.figures import FIGURES

    response = admin_client.get(reverse("admin:projects_round_changelist"))
    assert response.status_code == 200
    listed = {round_.pk: round_ for round_ in response.context["cl"].result_list}
    expected = {round_.pk: round_ for round_ in Round.objects.with_money()}
    assert listed.keys() == expected.keys()
    for pk, round_ in listed.items():
        for figure in FIGURES:
            assert getattr(round_, figure.name) == getattr(expected[pk], figure.name), figure.name
    # Sorted by a money column (已审定, the fifth), the rounds come annotated by the database instead.
    response = admin_client.get(reverse("admin:projects_round_changelist"), {"o": "-5"})
    assert response.status_code == 200
    totals = [round_.approved_total for round_ in response.context["cl"].result_list]
    assert totals == sorted(totals, reverse=True)


def test_the_round_lists_money_follows_every_change(admin_client, two_units):
    """The figures are kept under the data version: a change of a project's approved amount shows at once."""
    from projects.models import Project

    url = reverse("admin:projects_round_changelist")

    def approved(round_id):
        response = admin_client.get(url)
        return next(r.approved_total for r in response.context["cl"].result_list if r.pk == round_id)

    project = Project.objects.get(pk=two_units["mine"].pk)
    before = approved(project.round_id)
    assert approved(project.round_id) == before  # kept: the same figure again
    project.approved_amount += 1000
    project.save()  # any save makes a new data version
    assert approved(project.round_id) == before + 1000
    assert approved(project.round_id) == Round.objects.with_money().get(pk=project.round_id).approved_total


# -- the indexes -------------------------------------------------------------------------------------------

BTREE = ["enrollment_intake", "activity_date", "followup_date", "evaluation_due"]
TRIGRAM = ["project_code_trgm", "audit_repr_trgm"]


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {row[0] for row in cursor.fetchall()}


def test_the_lists_indexes_exist():
    names = index_names()
    assert set(BTREE) <= names
    if connection.vendor == "postgresql":
        assert set(TRIGRAM) <= names
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'project_code_trgm'")
            assert "gin_trgm_ops" in cursor.fetchone()[0]
    else:
        assert not set(TRIGRAM) & names  # the trigram migration does nothing on SQLite


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_the_case_list_walks_its_index_rather_than_sorting_the_table(client, cast, two_units):
    queryset = Enrollment.objects.order_by("-intake_date", "-pk")[:50]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index can serve
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "enrollment_intake" in plan and "Sort" not in plan


# -- lighter lists -----------------------------------------------------------------------------------------


def test_the_row_checkbox_is_djangos_markup(cast, two_units):
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin
    from django.utils import translation

    from projects.models import Project

    model_admin = admin.site._registry[Project]
    project = two_units["mine"]
    project.title = '<b>"年度" & 项目</b>'  # escaped alike
    for language in ["zh-hans", "en"]:
        with translation.override(language):
            assert model_admin.action_checkbox(project) == ModelAdmin.action_checkbox(model_admin, project)


def test_a_whole_big_table_shows_the_planners_count_and_every_page(client, cast, two_units, monkeypatch):
    """On PostgreSQL a list of a whole table above ``ESTIMATED_ABOVE`` rows counts nothing: it shows 约 and the
    planner's count, and pages past the estimate still answer. A scoped list (a unit's) is always counted."""
    from django.contrib import admin
    from django.db.models import Count

    from qicai.admin_changelist import SafeChangeList

    monkeypatch.setattr(SafeChangeList, "ESTIMATED_ABOVE", 1)
    monkeypatch.setattr(admin.site._registry[Enrollment], "list_per_page", 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE projects_enrollment")
    client.force_login(cast["civil"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(CASES))
    counted = any(query["sql"].upper().startswith("SELECT COUNT(") for query in captured.captured_queries)
    page = response.content.decode()
    if connection.vendor == "postgresql":
        assert not counted and response.context["cl"].result_count_estimated
        assert "约" + str(Enrollment.objects.aggregate(n=Count("pk"))["n"]) in page
        beyond = client.get(reverse(CASES), {"p": 3})  # two pages by the estimate
        assert beyond.status_code == 200 and list(beyond.context["cl"].result_list) == []
    else:
        assert counted and not response.context["cl"].result_count_estimated
    client.force_login(cast["unit"])
    scoped = client.get(reverse(CASES))
    assert not scoped.context["cl"].result_count_estimated and scoped.context["cl"].result_count == 1


def test_the_evaluator_filter_lists_the_people_assigned(client, cast, unit_org):
    """Programme staff's filter of evaluations by evaluator: the people assigned to any evaluation, by name."""
    from projects.models import Evaluation, Project, RubricCriterion, RubricTemplate
    from projects.services import evaluation_assign, evaluation_create
    from tests.factories import RoundFactory, project_in_state

    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100, order=0)
    project = project_in_state(Project.Status.IN_PROGRESS, round=RoundFactory(year=2014), implementing_unit=unit_org)
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )
    evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["civil"])
    client.force_login(cast["civil"])
    response = client.get(reverse("admin:projects_evaluation_changelist"))
    spec = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "evaluators")
    assigned = Evaluation.objects.filter(evaluators__isnull=False).values_list("evaluators", flat=True)
    assert [pk for pk, _name in spec.lookup_choices] == [cast["evaluator"].pk] == list(assigned)
    # A unit has no such filter (who evaluates is for programme staff).
    client.force_login(cast["unit"])
    response = client.get(reverse("admin:projects_evaluation_changelist"))
    assert all(getattr(spec, "field_path", "") != "evaluators" for spec in response.context["cl"].filter_specs)
