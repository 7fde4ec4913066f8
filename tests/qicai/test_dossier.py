"""The portal's project dossier (项目档案): who may read it, the workbench's buttons, the summary's figures,
what stays hidden (evaluators from units, scores until finalised, the rectification note, scans), and a
query count that does not grow with the project's rows."""

import datetime
import itertools
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects import data_version, permissions, roles
from projects.formatting import format_cny, format_ratio, format_yuan
from projects.models import (
    Agreement,
    BudgetCategory,
    BudgetLine,
    Evaluation,
    Organization,
    Project,
    Round,
    RubricCriterion,
    RubricTemplate,
    SocialFund,
)
from projects.selectors import project_summary
from projects.services import (
    agreement_attach_scan,
    evaluation_assign,
    evaluation_create,
    instalment_release,
    project_sign,
)
from projects.states import Action
from projects.workflow import TRANSITIONS
from tests.factories import AwardRecordFactory, OrganizationFactory, RoundFactory, UserFactory, project_in_state
from tests.helpers import count_queries, grow_cases

pytestmark = pytest.mark.django_db
S = Project.Status
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
TRANSITION_LINK = re.compile(r'href="/admin/projects/project/(\d+)/transition/(\w+)/"')


def url(project) -> str:
    return reverse("portal:project", args=[project.code])


def page(client, user, project) -> str:
    client.force_login(user)
    response = client.get(url(project))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def round_2014(db):
    return RoundFactory(
        year=2014,
        status=Round.Status.IN_PROGRESS,
        period_start=datetime.date(2014, 3, 1),
        period_end=datetime.date(2015, 2, 28),
    )


@pytest.fixture
def running(cast, round_2014, unit_org):
    """The unit's project, signed (agreement and instalment plan) and under way."""
    project = project_in_state(S.APPROVED, round=round_2014, implementing_unit=unit_org)
    project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2014, 3, 5))
    Project.objects.filter(pk=project.pk).update(status=S.IN_PROGRESS)
    project.refresh_from_db()
    return project


@pytest.fixture
def rubric(db):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    return template


def assign(project, evaluator, by, rubric) -> Evaluation:
    evaluation = evaluation_create(
        project=project, kind="midterm", template=rubric, due_date=datetime.date(2014, 10, 1), by=by
    )
    evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=by)
    return evaluation


# -- who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["committee", "civil", "association"])
def test_programme_staff_read_every_dossier(client, cast, running, role):
    body = page(client, cast[role], running)
    assert running.title in body and running.code in body


def test_a_unit_reads_its_own_dossier_and_never_another_units(client, cast, running, round_2014, unit2_org):
    other = project_in_state(S.IN_PROGRESS, round=round_2014, implementing_unit=unit2_org)
    assert running.title in page(client, cast["unit"], running)
    assert client.get(url(other)).status_code == 404


def test_the_outsider_gets_the_answer_of_a_code_that_does_not_exist(client, cast, running):
    client.force_login(cast["unit2"])
    outsider = client.get(url(running))
    made_up = client.get(reverse("portal:project", args=["QC-2014-999"]))
    assert outsider.status_code == made_up.status_code == 404
    assert running.title not in outsider.content.decode()
    assert outsider.content.decode().replace(running.code, "QC-2014-999") == made_up.content.decode()


def test_an_evaluator_reads_a_dossier_only_while_assigned(client, cast, running, rubric):
    client.force_login(cast["evaluator"])
    assert client.get(url(running)).status_code == 404
    assign(running, cast["evaluator"], cast["civil"], rubric)
    assert running.title in page(client, cast["evaluator"], running)


def test_anonymous_is_sent_to_the_portal_login(client, running):
    response = client.get(url(running))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={quote(url(running))}"
    assert response["Location"].startswith("/accounts/login/?next=")


def test_an_unknown_code_is_404(client, cast):
    client.force_login(cast["civil"])
    assert client.get(reverse("portal:project", args=["QC-1999-001"])).status_code == 404


def test_the_page_only_reads(client, cast, running):
    client.force_login(cast["civil"])
    assert client.post(url(running)).status_code == 405


def test_the_markup_is_accessible_and_fit_for_a_strict_csp(client, cast, funded):
    body = page(client, cast["civil"], funded)
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", body)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))
    tables = re.findall(r"<table.*?</table>", body, re.S)
    assert len(tables) >= 5
    for table in tables:
        assert "<caption" in table and '<th scope="col"' in table
    assert not re.search(r"\sstyle=", body)
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", body))


# -- the workbench's buttons ------------------------------------------------------------------------


def transition_links(body: str, project) -> set[str]:
    return {action for pk, action in TRANSITION_LINK.findall(body) if int(pk) == project.pk}


def test_a_submitted_project_offers_review_to_the_association_and_nothing_to_its_unit(
    client, cast, round_2014, unit_org
):
    project = project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)
    association = page(client, cast["association"], project)
    review = {Action.RECOMMEND, Action.RETURN, Action.REJECT}
    assert transition_links(association, project) == review
    for action in review:
        assert str(TRANSITIONS[action].label) in association
    assert transition_links(page(client, cast["unit"], project), project) == set()


def test_a_draft_offers_submission_to_its_unit(client, cast, round_2014, unit_org):
    project = project_in_state(S.DRAFT, round=round_2014, implementing_unit=unit_org)
    body = page(client, cast["unit"], project)
    assert transition_links(body, project) == {Action.SUBMIT}
    assert reverse("admin:projects_project_transition", args=[project.pk, Action.SUBMIT]) in body
    assert str(TRANSITIONS[Action.SUBMIT].label) in body


@pytest.mark.parametrize("role", ["committee", "civil", "association", "unit"])
@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RECOMMENDED, S.APPROVED, S.IN_PROGRESS, S.COMPLETED])
def test_the_buttons_are_the_workbenchs(client, cast, round_2014, unit_org, role, status):
    project = project_in_state(status, round=round_2014, implementing_unit=unit_org)
    body = page(client, cast[role], project)
    expected = {t.action for t in permissions.available_transitions(cast[role], project)}
    assert transition_links(body, project) == expected
    assert reverse("admin:projects_project_change", args=[project.pk]) in body  # 在工作台中打开


def test_casework_links_follow_the_casework_rule(client, cast, running):
    cases = f"{reverse('admin:projects_enrollment_changelist')}?project__id__exact={running.pk}"
    assert cases in page(client, cast["unit"], running)
    assert cases in page(client, cast["civil"], running)
    assert not permissions.can_view_casework(cast["association"], running)
    assert cases not in page(client, cast["association"], running)


# -- money ------------------------------------------------------------------------------------------


@pytest.fixture
def funded(cast, running):
    """``running`` with its first instalment paid and social money received."""
    first = running.instalments.order_by("sequence").first()
    instalment_release(instalment=first, by=cast["civil"], released_on=datetime.date(2014, 4, 9), voucher_number="1")
    donor = OrganizationFactory(name="江城惠民超市（测试）", type=Organization.Type.ENTERPRISE)
    SocialFund.objects.create(project=running, donor=donor, amount=Decimal("5000.00"), received_on="2014-05-01")
    running.refresh_from_db()
    return running


def test_money_figures_are_the_summarys(client, cast, funded):
    money = project_summary(funded).money
    assert (money.disbursed, money.social) == (Decimal("8000.00"), Decimal("5000.00"))  # distinct figures
    body = page(client, cast["civil"], funded)
    for figure in (money.contracted, money.disbursed, money.outstanding, money.social):
        assert format_yuan(figure) in body
    assert format_ratio(money.leverage) in body
    assert format_yuan(funded.requested_amount) in body and format_yuan(funded.approved_amount) in body
    assert "江城惠民超市（测试）" in body


def test_budget_lines_total_the_requested_amount(client, cast, funded):
    lines = list(funded.budget_lines.all())
    assert sum(line.amount for line in lines) == funded.requested_amount
    body = page(client, cast["unit"], funded)
    for line in lines:
        assert format_cny(line.amount) in body
    total = re.search(r"<tfoot><tr><th[^>]*>合计</th><td class=\"num\">([^<]+)</td>", body)
    assert total and total.group(1) == format_cny(funded.requested_amount)


def test_instalments_show_their_conditions_and_whether_they_are_met(client, cast, funded):
    body = page(client, cast["unit"], funded)
    for instalment in funded.instalments.all():
        assert instalment.get_condition_display() in body
        assert format_cny(instalment.amount) in body
    assert "已满足" in body  # the first instalment, released
    assert "项目尚未通过中期评估。" in body  # the mid-term instalment waits (services.condition_unmet)
    assert "2014年4月9日" in body  # released on


def test_an_application_shows_its_requested_amount_as_such(client, cast, round_2014, unit_org):
    project = project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)
    body = page(client, cast["association"], project)
    assert format_yuan(project.requested_amount) in body and "（尚未审定）" in body
    assert "审定后计入" in body


# -- what stays hidden ------------------------------------------------------------------------------


def test_evaluator_names_are_hidden_from_the_unit(client, cast, running, rubric):
    expert = cast["evaluator"]
    expert.first_name = "赵文博"
    expert.save()
    assign(running, expert, cast["civil"], rubric)
    assert "赵文博" in page(client, cast["civil"], running)
    unit_page = page(client, cast["unit"], running)
    assert "赵文博" not in unit_page and "评估专家" not in unit_page
    assert "中期评估" in unit_page  # the evaluation itself is the unit's to know


def test_scores_and_grades_wait_for_finalising(client, cast, running, rubric):
    evaluation = assign(running, cast["evaluator"], cast["civil"], rubric)
    Evaluation.objects.filter(pk=evaluation.pk).update(score=Decimal("87.25"))  # a score not yet final
    for role in ("civil", "unit", "evaluator"):
        body = page(client, cast[role], running)
        assert "87.25" not in body and "良好" not in body
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=Evaluation.Status.FINALISED, grade="good", finalised_at=timezone.now()
    )
    data_version.changed()  # as finalising's audit row does (an update() sends no signal)
    for role in ("civil", "unit"):
        body = page(client, cast[role], running)
        assert "87.25" in body and "良好" in body


def test_the_rectification_note_is_for_those_who_oversee_it(client, cast, running):
    Project.objects.filter(pk=running.pk).update(needs_rectification=True, rectification_note="补齐个案档案后复查")
    running.refresh_from_db()
    for role in ("committee", "civil", "association", "unit"):
        body = page(client, cast[role], running)
        assert "整改中" in body
        assert ("补齐个案档案后复查" in body) == permissions.can_oversee_rectification(cast[role], running)
    assert permissions.can_oversee_rectification(cast["civil"], running)
    assert not permissions.can_oversee_rectification(cast["unit"], running)


def test_the_scan_link_is_there_only_for_those_who_may_download_it(client, cast, running, rubric, monkeypatch):
    agreement = Agreement.objects.get(project=running)
    scan = reverse("admin:projects_agreement_scan", args=[agreement.pk])
    assert scan not in page(client, cast["civil"], running)  # no scan yet
    agreement_attach_scan(agreement=agreement, by=cast["civil"], upload=SimpleUploadedFile("协议.pdf", PDF))
    assign(running, cast["evaluator"], cast["civil"], rubric)
    for role in ("committee", "civil", "association", "unit", "evaluator"):
        user = cast[role]
        assert (scan in page(client, user, running)) == permissions.can_download_scan(user, agreement), role
    assert not permissions.can_download_scan(cast["evaluator"], agreement)
    monkeypatch.setattr(permissions, "can_download_scan", lambda user, agreement: False)
    cache.clear()  # a new rule is a new deployment, whose processes start with nothing kept
    body = page(client, cast["civil"], running)
    assert agreement.number in body and scan not in body


def test_no_person_served_appears(client, cast, running):
    grow_cases(running, cast["unit"], 3, start=700)
    for role in ("civil", "unit"):
        body = page(client, cast[role], running)
        assert "测试700" not in body and "320105" not in body
        assert re.search(r'<p class="figure-value">3</p>', body)  # people served, counted


# -- timeline and awards ----------------------------------------------------------------------------


def test_the_timeline_is_the_audit_trail_the_user_may_read_oldest_first(client, cast, running, rubric):
    assign(running, cast["evaluator"], cast["civil"], rubric)
    civil = page(client, cast["civil"], running)
    assert civil.index("新建项目") < civil.index("签订项目协议") < civil.index("组织评估") < civil.index("指派评估专家")
    unit = page(client, cast["unit"], running)
    assert "组织评估" in unit and "指派评估专家" not in unit  # who evaluates is programme staff's


def test_award_records_are_shown(client, cast, running):
    AwardRecordFactory(project=running, round=running.round, rank=2, citation="服务成效显著", presenter="区社工委")
    body = page(client, cast["unit"], running)
    assert "优秀项目" in body and "服务成效显著" in body and "2013年9月16日" in body


# -- queries ----------------------------------------------------------------------------------------


def grow(project, unit_user, rubric, n: int, *, start: int) -> None:
    """``n`` more of everything the page lists: cases with activities (and their audit rows), budget
    lines, social funds, failed evaluations with an evaluator each, award records."""
    grow_cases(project, unit_user, n, start=start)
    category = BudgetCategory.objects.get(name="人员经费")
    donor = OrganizationFactory(type=Organization.Type.ENTERPRISE)
    experts = OrganizationFactory(type=Organization.Type.OTHER)
    for i in range(n):
        BudgetLine.objects.create(project=project, category=category, amount=Decimal("10.00"))
        SocialFund.objects.create(project=project, donor=donor, amount=Decimal("100.00"), received_on="2014-06-01")
        evaluation = Evaluation.objects.create(
            project=project,
            kind="midterm",
            template=rubric,
            due_date=datetime.date(2014, 9, 1),
            status=Evaluation.Status.FINALISED,
            grade="fail",
            score=Decimal("50"),
            finalised_at=timezone.now(),
        )
        evaluation.evaluators.add(UserFactory(role=roles.EVALUATOR, organization=experts))
        AwardRecordFactory(
            project=project,
            round=RoundFactory(year=2015 + i % 5),
            award_type__code=f"award-{start + i}",
            award_type__name=f"奖项{start + i}",
        )


@pytest.mark.parametrize("role", ["civil", "unit", "evaluator"])
def test_query_count_stays_flat(client, cast, running, rubric, role, django_assert_max_num_queries):
    assign(running, cast["evaluator"], cast["civil"], rubric)
    client.force_login(cast[role])

    def read():
        assert client.get(url(running)).status_code == 200

    read()  # warm caches that are not the page's (content types)
    grow(running, cast["unit"], rubric, 2, start=100)
    few = count_queries(read)
    grow(running, cast["unit"], rubric, 20, start=200)
    assert running.audit_entries.count() > 20 and running.enrollments.count() == 22
    with django_assert_max_num_queries(few):
        read()
    assert few <= 40
