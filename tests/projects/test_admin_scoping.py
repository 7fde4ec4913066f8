"""An implementing unit never reaches another unit's records by any admin path.

The walk covers every URL of every registered model admin (change, delete, history,
historical versions, workflow transitions, …) as the outsider ``unit2`` against
``unit``'s objects, plus the lists, the autocomplete endpoint and the exports.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import (
    Activity,
    Agreement,
    AuditEntry,
    Beneficiary,
    CaseStory,
    Enrollment,
    Evaluation,
    FollowUp,
    Instalment,
    Project,
    RubricCriterion,
    RubricTemplate,
    SocialFund,
    SocialWorker,
    Volunteer,
)
from projects.services import activity_photo_add, agreement_attach_scan, project_sign, project_submit
from projects.workflow import TRANSITIONS
from tests.casework_factories import enroll, live_project, make_id
from tests.factories import AgreementFactory, OrganizationFactory, RoundFactory, complete_project, project_in_state
from tests.helpers import export, image_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db
SECRET_TITLE = "绝密测试项目甲"
SECRET_NUMBER = "QCXY-SECRET-001"
SECRET_PERSON = "甲单位服务对象"


@pytest.fixture
def unit_objects(cast, unit_org):
    round_ = RoundFactory(year=2014)
    project = complete_project(round=round_, implementing_unit=unit_org, title=SECRET_TITLE)
    project_submit(project=project, by=cast["unit"])
    AgreementFactory(project=project, round=round_, number=SECRET_NUMBER)
    # A second project of the unit's, signed: its agreement (with a scan), instalments and social funds.
    signed = project_in_state("approved", round=round_, implementing_unit=unit_org, title=SECRET_TITLE + "二")
    project_sign(project=signed, by=cast["civil"], signed_date=datetime.date(2014, 4, 1))
    agreement = Agreement.objects.get(project=signed)
    Agreement.objects.filter(pk=agreement.pk).update(number=SECRET_NUMBER + "-2")
    agreement_attach_scan(agreement=agreement, by=cast["civil"], upload=SimpleUploadedFile("s.pdf", PDF))
    fund = SocialFund.objects.create(
        project=signed, donor=OrganizationFactory(type="enterprise"), amount=5000, received_on=datetime.date(2014, 5, 1)
    )
    # Casework of a third, running project: a person, a case, a follow-up, an activity with a photo.
    running = live_project(unit_org, round=round_, title=SECRET_TITLE + "三")
    case = enroll(running, cast["unit"], name=SECRET_PERSON, id_number=make_id())
    worker = SocialWorker.objects.create(name=SECRET_PERSON + "社工", employer=unit_org)
    follow_up = FollowUp.objects.create(enrollment=case, date=datetime.date(2014, 6, 1), note=SECRET_PERSON)
    activity = Activity.objects.create(
        project=running, type="group", title=SECRET_TITLE, date=datetime.date(2014, 6, 2)
    )
    activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile("p.png", image_bytes("PNG")))
    story = CaseStory.objects.create(
        project=running, title=SECRET_TITLE, narrative="化名", consent_on=datetime.date.today()
    )
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    evaluation = Evaluation.objects.create(
        project=running,
        kind="midterm",
        template=template,
        due_date=datetime.date(2014, 9, 1),
        status="finalised",
        score=55,
        grade="fail",
    )
    return {
        Project: project,
        Agreement: agreement,
        AuditEntry: AuditEntry.objects.transitions().get(project=project),
        Instalment: signed.instalments.first(),
        SocialFund: fund,
        Beneficiary: case.beneficiary,
        Enrollment: case,
        FollowUp: follow_up,
        Activity: activity,
        SocialWorker: worker,
        Volunteer: Volunteer.objects.create(
            name=SECRET_PERSON + "义工", organization=unit_org, registered_on="2014-01-01"
        ),
        CaseStory: story,
        Evaluation: evaluation,
    }


def admin_routes(model_admin):
    """(route, needs_object) for every URL the model admin serves, converters left in place."""
    prefix = f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/"
    for pattern in model_admin.urls:
        if pattern.name is None:
            continue  # Django's legacy "<id>/" redirect to the change page, which is walked itself
        route = getattr(pattern.pattern, "_route", None)
        if route is None:  # simple-history's historical version page is a regex: ^(id)/history/(version)/$
            route = str(pattern.pattern).strip("^$")
            route = route.replace("([^/]+)", "<path:object_id>", 1).replace("([^/]+)", "<str:version_id>", 1)
        yield prefix + route


def fill(route, obj):
    urls = [route]
    if "<path:object_id>" in route:
        urls = [u.replace("<path:object_id>", str(obj.pk)) for u in urls]
    if "<slug:action>" in route:
        urls = [u.replace("<slug:action>", action) for u in urls for action in TRANSITIONS]
    if "<slug:field>" in route:
        urls = [u.replace("<slug:field>", field) for u in urls for field in ("id_number", "phone")]
    if "<int:photo_id>" in route:
        urls = [u.replace("<int:photo_id>", str(photo.pk)) for u in urls for photo in obj.photos.all()]
    if "<str:version_id>" in route:
        history_id = obj.history.latest().history_id
        urls = [u.replace("<str:version_id>", str(history_id)) for u in urls]
    assert all("<" not in u for u in urls), urls
    return urls


MISSING_PK = 987654321


def as_missing(url: str) -> str:
    """The same admin URL about an object that does not exist: /admin/<app>/<model>/<pk>/… with another pk."""
    parts = url.split("/")
    parts[4] = str(MISSING_PK)
    return "/".join(parts)


def walk_object_pages(client, unit_objects):
    """(method, url, response, the response for a missing object) for every object URL of every admin."""
    for model, model_admin in admin.site._registry.items():
        obj = unit_objects.get(model)
        if obj is None:
            continue
        for route in admin_routes(model_admin):
            if "<" not in route:
                continue
            for url in fill(route, obj):
                for method in ("get", "post"):
                    yield method, url, getattr(client, method)(url), getattr(client, method)(as_missing(url))


def is_history(url: str) -> bool:
    return "/history/" in url


def test_outsider_reaches_no_object_page_of_another_unit(client, cast, unit_objects):
    """Another unit's record answers exactly as a record that does not exist: 404, or 403 / 405 where the
    refusal comes before any lookup (a model or method the unit may not use), so it says nothing."""
    client.force_login(cast["unit2"])
    walked = []
    for method, url, response, missing in walk_object_pages(client, unit_objects):
        walked.append(url)
        body = response.content.decode(errors="replace")
        assert SECRET_TITLE not in body and SECRET_PERSON not in body, f"{method.upper()} {url}"
        if is_history(url):
            continue  # see test_history_pages_answer_as_for_a_missing_record
        assert response.status_code == missing.status_code, f"{method.upper()} {url}: {response.status_code}"
        assert response.status_code in (403, 404, 405), f"{method.upper()} {url}: {response.status_code}"
    project = unit_objects[Project].pk
    history_id = unit_objects[Project].history.latest().history_id
    for expected in [
        f"/admin/projects/project/{project}/change/",
        f"/admin/projects/project/{project}/delete/",
        f"/admin/projects/project/{project}/history/",
        f"/admin/projects/project/{project}/history/{history_id}/",
        f"/admin/projects/project/{project}/transition/approve/",
        f"/admin/projects/agreement/{unit_objects[Agreement].pk}/change/",
        f"/admin/projects/auditentry/{unit_objects[AuditEntry].pk}/change/",
        f"/admin/projects/agreement/{unit_objects[Agreement].pk}/scan/",
        f"/admin/projects/instalment/{unit_objects[Instalment].pk}/release/",
        f"/admin/projects/socialfund/{unit_objects[SocialFund].pk}/change/",
        f"/admin/projects/enrollment/{unit_objects[Enrollment].pk}/reveal/id_number/",
        f"/admin/projects/enrollment/{unit_objects[Enrollment].pk}/close/",
        f"/admin/projects/activity/{unit_objects[Activity].pk}/photo/upload/",
        f"/admin/projects/followup/{unit_objects[FollowUp].pk}/change/",
    ]:
        assert expected in walked
    assert Project.objects.get(pk=unit_objects[Project].pk).status == "submitted"


def test_history_pages_answer_as_for_a_missing_record(client, cast, unit_objects):
    client.force_login(cast["unit2"])
    answers = {
        f"{method.upper()} {url}": (response.status_code, missing.status_code)
        for method, url, response, missing in walk_object_pages(client, unit_objects)
        if is_history(url)
    }
    assert len(answers) >= 6  # the history and a version page of projects, agreements and instalments
    assert {url: pair for url, pair in answers.items() if pair[0] != pair[1]} == {}


def test_outsider_lists_show_nothing_of_another_unit(client, cast, unit_objects):
    client.force_login(cast["unit2"])
    for model_admin in admin.site._registry.values():
        for route in admin_routes(model_admin):
            if "<" in route:
                continue
            response = client.get(route)
            assert response.status_code in (200, 403, 405), route
            body = response.content.decode()
            assert SECRET_TITLE not in body and SECRET_NUMBER not in body and SECRET_PERSON not in body, route
    for url in [reverse("admin:index"), reverse("admin:todo")]:
        body = client.get(url).content.decode()
        assert SECRET_TITLE not in body
    # The unit's own organisation page shows its grades; another unit's page does not.
    grades = client.get(
        reverse("admin:projects_organization_change", args=[unit_objects[Project].implementing_unit_id])
    )
    assert "不合格" not in grades.content.decode() and "历年项目评估" not in grades.content.decode()


def test_owner_sees_its_own(client, cast, unit_objects):
    client.force_login(cast["unit"])
    project = unit_objects[Project]
    assert SECRET_TITLE in client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert client.get(reverse("admin:projects_project_change", args=[project.pk])).status_code == 200
    assert client.get(reverse("admin:projects_project_history", args=[project.pk])).status_code == 200
    agreement = unit_objects[Agreement]
    assert client.get(reverse("admin:projects_agreement_change", args=[agreement.pk])).status_code == 200
    download = client.get(reverse("admin:projects_agreement_scan", args=[agreement.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


# Every autocomplete over records kept per unit, and what the outsider unit gets from it. Organisations,
# rounds and award types are a directory every role reads whole: no unit's records among them.
OWN_PROJECTS = "its own projects"
SCOPED_AUTOCOMPLETES = [
    ("projects", "agreement", "project", OWN_PROJECTS),
    ("projects", "socialfund", "project", OWN_PROJECTS),
    ("projects", "evaluation", "project", OWN_PROJECTS),
    ("projects", "socialworker", "projects", OWN_PROJECTS),
    ("awards", "awardrecord", "project", OWN_PROJECTS),
    ("awards", "nomination", "project", OWN_PROJECTS),
    ("projects", "membership", "user", 403),  # a unit looks up no user accounts at all
]


def test_every_autocomplete_over_scoped_records_is_checked():
    scoped = set()
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            remote = model._meta.get_field(field_name).related_model
            if hasattr(remote._default_manager.all(), "visible_to") or remote is get_user_model():
                scoped.add((model._meta.app_label, model._meta.model_name, field_name))
    assert scoped == {case[:3] for case in SCOPED_AUTOCOMPLETES}


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name", "expected"),
    SCOPED_AUTOCOMPLETES,
    ids=[f"{model}.{field}" for _, model, field, _ in SCOPED_AUTOCOMPLETES],
)
def test_autocomplete_never_offers_another_units_records(
    client, cast, unit_objects, unit2_org, app_label, model_name, field_name, expected
):
    own = complete_project(round=unit_objects[Project].round, implementing_unit=unit2_org, title="心桥自己的项目")
    client.force_login(cast["unit2"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""},
    )
    if expected == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert [int(result["id"]) for result in response.json()["results"]] == [own.pk]


def test_exports_follow_the_scope(client, cast, unit_objects, unit2_org):
    complete_project(round=unit_objects[Project].round, implementing_unit=unit2_org, title="心桥自己的项目")
    client.force_login(cast["unit2"])
    response = export(client, "projects.project")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "心桥自己的项目" in body and "项目编号" in body
    assert SECRET_TITLE not in body
    assert SECRET_NUMBER not in export(client, "projects.agreement").content.decode("utf-8-sig")

    client.force_login(cast["unit"])
    assert SECRET_TITLE in export(client, "projects.project").content.decode("utf-8-sig")


def test_export_neutralises_spreadsheet_formulas(client, cast, unit_org):
    complete_project(round=RoundFactory(year=2014), implementing_unit=unit_org, title="=HYPERLINK(1)")
    complete_project(round=RoundFactory(year=2014), implementing_unit=unit_org, title="+cmd|calc")
    client.force_login(cast["unit"])
    body = export(client, "projects.project").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body and "'+cmd|calc" in body


def test_evaluator_sees_no_projects_until_assigned(client, cast, unit_objects):
    client.force_login(cast["evaluator"])
    assert SECRET_TITLE not in client.get(reverse("admin:projects_project_changelist")).content.decode()
    project = unit_objects[Project]
    assert client.get(reverse("admin:projects_project_change", args=[project.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, unit_objects):
    project = unit_objects[Project]
    for url in [
        reverse("admin:projects_project_change", args=[project.pk]),
        reverse("admin:projects_project_transition", args=[project.pk, "approve"]),
        reverse("admin:todo"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.fixture
def theirs_and_mine(unit_org, unit2_org):
    """A running project of each unit, and a social worker of each."""
    theirs = live_project(unit_org, title="甲单位秘密项目")
    mine = live_project(unit2_org, round=theirs.round, title="乙单位自己的项目")
    SocialWorker.objects.create(name="甲单位社工", employer=unit_org)
    SocialWorker.objects.create(name="乙单位社工", employer=unit2_org)
    return theirs, mine


def test_related_choices_stay_in_scope_on_the_social_fund_form(client, cast, unit_org, theirs_and_mine):
    theirs, mine = theirs_and_mine
    client.force_login(cast["unit2"])
    data = {"project": theirs.pk, "donor": unit_org.pk, "kind": "cash", "amount": "10", "received_on": "2014-05-01"}
    response = client.post(reverse("admin:projects_socialfund_add"), data)
    assert response.status_code == 200 and "project" in response.context["adminform"].form.errors
    assert "甲单位秘密项目" not in response.content.decode()
    assert not SocialFund.objects.exists()
    assert client.post(reverse("admin:projects_socialfund_add"), {**data, "project": mine.pk}).status_code == 302


def test_related_choices_stay_in_scope_on_the_follow_up_page(client, cast, theirs_and_mine):
    _theirs, mine = theirs_and_mine
    case = enroll(mine, cast["unit2"], name="乙的服务对象")
    follow_up = case.follow_ups.create(date=datetime.date(2014, 6, 1), note="记录")
    client.force_login(cast["unit2"])
    page = client.get(reverse("admin:projects_followup_change", args=[follow_up.pk])).content.decode()
    assert "乙单位社工" in page and "甲单位社工" not in page


def test_related_choices_stay_in_scope_on_the_social_worker_form(client, cast, theirs_and_mine):
    theirs, mine = theirs_and_mine
    client.force_login(cast["unit2"])
    data = {"name": "乙单位新社工", "gender": "unknown", "certification": "none", "is_active": "on"}
    response = client.post(reverse("admin:projects_socialworker_add"), {**data, "projects": [theirs.pk]})
    assert response.status_code == 200 and "projects" in response.context["adminform"].form.errors
    assert "甲单位秘密项目" not in response.content.decode()
    assert not SocialWorker.objects.filter(name="乙单位新社工").exists()
    assert client.post(reverse("admin:projects_socialworker_add"), {**data, "projects": [mine.pk]}).status_code == 302
    assert list(SocialWorker.objects.get(name="乙单位新社工").projects.all()) == [mine]
