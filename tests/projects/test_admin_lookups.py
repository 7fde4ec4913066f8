"""URL lookups and date drill-downs in the admin lists: nothing leaks, nothing overflows."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from projects import roles
from projects.models import Evaluation, Project, Round, RubricCriterion, RubricTemplate
from projects.services import evaluation_assign, evaluation_create
from tests.casework_factories import enroll, live_project, make_id
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(cast, unit_org):
    """An open evaluation of the unit's project, with the cast's evaluator assigned."""
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS)
    project = project_in_state(Project.Status.IN_PROGRESS, round=round_, implementing_unit=unit_org)
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )
    evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["civil"])
    return evaluation


EVALUATOR_LOOKUPS = {
    "admin:projects_evaluation_changelist": [
        "evaluators__id__exact",
        "evaluators__exact",
        "evaluators",
        "evaluators__id__in",
        "scorecards__evaluator__id__exact",
        "scorecards__evaluator",
    ],
    "admin:projects_project_changelist": [
        "evaluations__evaluators__id__exact",
        "evaluations__evaluators",
        "evaluations__scorecards__evaluator__id__exact",
    ],
}


def filter_fields(response) -> list[str]:
    return [
        getattr(spec, "field_path", getattr(spec, "parameter_name", "")) for spec in response.context["cl"].filter_specs
    ]


def test_units_cannot_filter_by_evaluator(client, cast, assigned):
    """Whether the unit's evaluation is in the list must not depend on who evaluates it."""
    stranger = UserFactory(role=roles.EVALUATOR, organization=OrganizationFactory(type="other"))
    client.force_login(cast["unit"])
    response = client.get(reverse("admin:projects_evaluation_changelist"))
    assert response.status_code == 200 and assigned.project.code in response.content.decode()
    assert "evaluators" not in filter_fields(response)
    for url_name, lookups in EVALUATOR_LOOKUPS.items():
        for lookup in lookups:
            answers = {
                client.get(f"{reverse(url_name)}?{lookup}={who.pk}").status_code
                for who in (cast["evaluator"], stranger)
            }
            assert answers == {400}, (url_name, lookup, answers)  # refused alike, whoever evaluates


def test_no_filtering_by_draft_scores_outside_programme_staff(client, cast, assigned):
    for role in ["unit", "evaluator"]:
        client.force_login(cast[role])
        response = client.get(reverse("admin:projects_evaluation_changelist") + "?scorecards__total__gte=0")
        assert response.status_code == 400, role


def test_programme_staff_filter_by_evaluator(client, cast, assigned):
    client.force_login(cast["civil"])
    url = reverse("admin:projects_evaluation_changelist")
    assert "evaluators" in filter_fields(client.get(url))
    response = client.get(f"{url}?evaluators__id__exact={cast['evaluator'].pk}")
    assert response.status_code == 200 and assigned.project.code in response.content.decode()
    stranger = UserFactory(role=roles.EVALUATOR, organization=OrganizationFactory(type="other"))
    response = client.get(f"{url}?evaluators__id__exact={stranger.pk}")
    assert response.status_code == 200 and assigned.project.code not in response.content.decode()
    client.force_login(cast["evaluator"])
    response = client.get(url)
    assert response.status_code == 200 and "evaluators" not in filter_fields(response)


# -- date drill-down -----------------------------------------------------------------------


def date_hierarchy_admins():
    from django.contrib import admin

    return sorted(
        (model_admin for model_admin in admin.site._registry.values() if model_admin.date_hierarchy),
        key=lambda model_admin: model_admin.opts.label,
    )


def changelist_url(model_admin) -> str:
    return reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")


VALID_EDGES = ["year=9999", "year=9999&month=12", "year=9999&month=12&day=31", "year=1", "year=1&month=1&day=1"]
INVALID = [
    "year=0",
    "year=-1",
    "year=10000",
    "year=99999999999999999999999",
    "year=",
    "year=abc",
    "year=2014&month=13",
    "year=2014&month=0",
    "year=2014&month=abc",
    "year=2014&month=1&day=32",
    "year=2014&month=2&day=30",
    "year=2014&month=1&day=abc",
    "year=9999&month=12&day=32",
]


def test_every_date_hierarchy_admin_uses_the_safe_changelist(rf, superuser):
    from qicai.admin_changelist import SafeChangeList

    admins = date_hierarchy_admins()
    # Ours on a table that stays small (award records; the big ones have a date range instead) and
    # django-axes' logs.
    assert len(admins) >= 4
    for model_admin in admins:
        assert issubclass(model_admin.get_changelist(rf.get("/")), SafeChangeList), model_admin


@pytest.mark.parametrize("model_admin", date_hierarchy_admins(), ids=lambda model_admin: model_admin.opts.label)
def test_date_drill_down_never_fails(admin_client, model_admin):
    url, field = changelist_url(model_admin), model_admin.date_hierarchy

    def get(query):
        params = "&".join(f"{field}__{part}" for part in query.split("&"))
        return admin_client.get(f"{url}?{params}")

    for query in VALID_EDGES:
        assert get(query).status_code == 200, query
    for query in INVALID:
        response = get(query)
        assert response.status_code == 302 and response.url.endswith("?e=1"), query
    # Month or day without a year is a plain lookup: nothing matches, or the value is refused.
    assert get("month=13").status_code == 200
    assert get("day=abc").status_code == 302


def test_a_year_9999_date_in_the_database_keeps_the_date_range_working(admin_client, cast, assigned, unit_org):
    """Evaluation.due_date has no date window in the database: a 9999-12-31 can be stored by hand."""
    project = project_in_state(Project.Status.IN_PROGRESS, round=assigned.project.round, implementing_unit=unit_org)
    far = evaluation_create(
        project=project,
        kind="midterm",
        template=assigned.template,
        due_date=datetime.date(2014, 9, 1),
        by=cast["civil"],
    )
    Evaluation.objects.filter(pk=far.pk).update(due_date=datetime.date(9999, 12, 31))  # bypassing every form
    url = reverse("admin:projects_evaluation_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert far.project.code in body and assigned.project.code in body
    for query in ("since=9999-12-31", "since=9999-12-31&until=9999-12-31", "since=9000-01-01&until=9999-12-31"):
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        body = response.content.decode()
        assert far.project.code in body and assigned.project.code not in body, query
    response = admin_client.get(f"{url}?until=2100-01-01")
    assert far.project.code not in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "query", "answers"),
    [
        # The first moment of year 1 at +08:00 is in year 0 in UTC: SQLite's adapter overflows, PostgreSQL
        # holds the date and runs the lookup.
        (
            "admin:projects_auditentry_changelist",
            "at__gte=0001-01-01%2000:00%2B08:00",
            {"sqlite": 302, "postgresql": 200},
        ),
        # No database holds a year of twenty digits.
        (
            "admin:projects_project_changelist",
            "start_date__year__gte=99999999999999999999",
            {"sqlite": 302, "postgresql": 302},
        ),
    ],
)
def test_lookup_values_the_database_cannot_hold_are_bad_lookups(admin_client, url_name, query, answers):
    """Never a 500: a value the database cannot hold is a bad lookup (the list again, with ?e=1)."""
    response = admin_client.get(f"{reverse(url_name)}?{query}")
    assert response.status_code == answers[connection.vendor]
    if response.status_code == 302:
        assert response.url.endswith("?e=1")


def test_no_url_lookups_on_id_or_phone_numbers(client, cast, unit_org):
    person = enroll(live_project(unit_org), cast["unit"], id_number=make_id(), phone="13812345678").beneficiary
    client.force_login(cast["civil"])
    for query in ["id_number__startswith=3201", "phone=13812345678", "id_number=" + person.id_number]:
        response = client.get(reverse("admin:projects_beneficiary_changelist") + "?" + query)
        assert response.status_code == 400, query
    for query in ["beneficiary__id_number__startswith=32", "phone=13812345678", "phone__startswith=138"]:
        response = client.get(reverse("admin:projects_enrollment_changelist") + "?" + query)
        assert response.status_code == 400, query
    # The same lists open for programme staff, and a lookup on another field works.
    response = client.get(reverse("admin:projects_beneficiary_changelist") + "?code=" + person.code)
    assert response.status_code == 200 and person.code in response.content.decode()


def test_a_unit_cannot_filter_its_cases_by_person_key(client, cast, unit_org, unit2_org):
    """?beneficiary__lte=… would tell an old person key (known elsewhere) from a new one."""
    enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    mine = live_project(unit2_org)
    known = enroll(mine, cast["unit2"], id_number=make_id())
    enroll(mine, cast["unit2"], id_number=make_id(serial="456"))
    client.force_login(cast["unit2"])
    changelist = reverse("admin:projects_enrollment_changelist")
    for query in [
        f"beneficiary__lte={known.beneficiary_id}",
        f"beneficiary={known.beneficiary_id}",
        f"beneficiary__id__exact={known.beneficiary_id}",
        f"beneficiary__in={known.beneficiary_id}",
        "consent_recorded_by__lt=100",
    ]:
        for url in (changelist, reverse("admin:projects_enrollment_export")):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 400, (url, query, response.status_code)
            assert known.code not in response.content.decode()
    client.force_login(cast["civil"])  # programme staff may
    assert client.get(f"{changelist}?beneficiary={known.beneficiary_id}").status_code == 200
