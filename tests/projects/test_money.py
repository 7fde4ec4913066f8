"""Budget lines, leverage, instalment plans and releases: Decimal arithmetic and every guard."""

import datetime
from decimal import Decimal

import pytest

from projects.figures import leverage
from projects.models import (
    Agreement,
    BudgetCategory,
    BudgetLine,
    Instalment,
    Project,
    Round,
    RoundInstalmentRule,
    SocialFund,
)
from projects.services import (
    StaleTransition,
    WorkflowError,
    instalment_plan_create,
    instalment_release,
    plan_amounts,
    project_sign,
    project_submit,
    project_terminate,
)
from tests.factories import OrganizationFactory, RoundFactory, complete_project, project_in_state

pytestmark = pytest.mark.django_db
D = Decimal
S = Project.Status
TODAY = datetime.date(2014, 6, 1)


@pytest.mark.parametrize(
    ("total", "percents", "expected"),
    [
        ("33333.33", ["40", "40", "20"], ["13333.33", "13333.33", "6666.67"]),
        ("100000.00", ["40", "40", "20"], ["40000.00", "40000.00", "20000.00"]),
        ("0.01", ["40", "40", "20"], ["0.00", "0.00", "0.01"]),
        ("10000.01", ["33.33", "33.33", "33.34"], ["3333.00", "3333.00", "3334.01"]),
        ("15333.33", ["50", "50"], ["7666.67", "7666.66"]),
    ],
)
def test_plan_amounts_sum_exactly_to_the_fen(total, percents, expected):
    amounts = plan_amounts(D(total), [D(p) for p in percents])
    assert amounts == [D(e) for e in expected]
    assert sum(amounts) == D(total)


def test_plan_percents_must_sum_to_100():
    with pytest.raises(WorkflowError, match="100%"):
        plan_amounts(D("1000"), [D("40"), D("40")])


def test_leverage_is_decimal_social_over_government():
    assert leverage(D("300000.00"), D("1000000.00")) == D("0.30")
    assert leverage(D("1"), D("3")) == D("0.33")
    assert leverage(D("2"), D("3")) == D("0.67")
    assert leverage(D("500"), D("0")) is None
    assert isinstance(leverage(D("1"), D("7")), Decimal)


def lines(project, *pairs):
    BudgetLine.objects.filter(project=project).delete()
    for name, amount in pairs:
        BudgetLine.objects.create(project=project, category=BudgetCategory.objects.get(name=name), amount=D(amount))


@pytest.fixture
def round_open(db):
    return RoundFactory(year=2014, status=Round.Status.OPEN, management_cap_percent=D("10"))


def test_budget_lines_must_sum_to_the_requested_amount(cast, round_open, unit_org):
    project = complete_project(round=round_open, implementing_unit=unit_org, requested_amount=D("20000.00"))
    lines(project, ("人员经费", "15000"), ("活动经费", "4999.99"))
    with pytest.raises(WorkflowError) as error:
        project_submit(project=project, by=cast["unit"])
    assert "预算明细合计 19,999.99 元，与申请金额 20,000.00 元不一致" in error.value.message
    lines(project)
    with pytest.raises(WorkflowError, match="请填写预算明细"):
        project_submit(project=project, by=cast["unit"])
    lines(project, ("人员经费", "15000"), ("活动经费", "5000"))
    project_submit(project=project, by=cast["unit"])
    assert project.status == S.SUBMITTED


def test_management_share_is_capped_on_submit(cast, round_open, unit_org):
    project = complete_project(round=round_open, implementing_unit=unit_org, requested_amount=D("20000.00"))
    lines(project, ("人员经费", "17999.99"), ("管理费", "2000.01"))
    with pytest.raises(WorkflowError) as error:
        project_submit(project=project, by=cast["unit"])
    assert "管理费 2,000.01 元占申请金额的 10.00%，超过本批次上限 10%" in error.value.message
    lines(project, ("人员经费", "18000"), ("管理费", "2000"))  # exactly 10% is allowed
    project_submit(project=project, by=cast["unit"])


def test_no_cap_means_no_management_limit(cast, unit_org):
    round_ = RoundFactory(year=2015, status=Round.Status.OPEN, management_cap_percent=None)
    project = complete_project(round=round_, implementing_unit=unit_org, requested_amount=D("1000"))
    lines(project, ("管理费", "1000"))
    project_submit(project=project, by=cast["unit"])


def signed_project(cast, round_, **kwargs):
    project = project_in_state(S.APPROVED, round=round_, **kwargs)
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 4, 1))
    return project


def test_signing_plans_the_instalments_from_the_round(cast, round_open):
    RoundInstalmentRule.objects.create(round=round_open, order=1, name="首期", percent=60, condition="signed")
    RoundInstalmentRule.objects.create(round=round_open, order=2, name="尾期", percent=40, condition="final_passed")
    project = signed_project(cast, round_open, requested_amount=D("33333.33"))
    plan = list(project.instalments.values_list("name", "amount", "condition"))
    assert plan == [("首期", D("20000.00"), "signed"), ("尾期", D("13333.33"), "final_passed")]


def test_default_plan_is_40_40_20_to_the_fen(cast, round_open):
    project = signed_project(cast, round_open, requested_amount=D("33333.33"))
    amounts = list(project.instalments.values_list("amount", flat=True))
    assert amounts == [D("13333.33"), D("13333.33"), D("6666.67")]
    assert sum(amounts) == project.approved_amount
    assert instalment_plan_create(project=project) == list(project.instalments.all())  # never planned twice


def release(instalment, by, **kwargs):
    arguments = {"released_on": TODAY, "voucher_number": "JCMZ-2014-001", **kwargs}
    return instalment_release(instalment=instalment, by=by, **arguments)


def test_release_follows_conditions_and_order(cast, round_open):
    project = signed_project(cast, round_open)
    first, middle, last = project.instalments.order_by("sequence")
    with pytest.raises(WorkflowError, match="请先拨付前一期款项：首期"):
        release(middle, cast["civil"])
    release(first, cast["civil"])
    first.refresh_from_db()
    assert (first.status, first.released_on, first.released_by) == ("released", TODAY, cast["civil"])
    with pytest.raises(WorkflowError, match="尚未通过中期评估"):
        release(middle, cast["civil"])
    Project.objects.filter(pk=project.pk).update(midterm_passed_on=TODAY)
    middle.project.refresh_from_db()
    release(middle, cast["civil"], voucher_number="JCMZ-2014-002")
    last.project.refresh_from_db()
    with pytest.raises(WorkflowError, match="尚未通过结项评估"):
        release(last, cast["civil"], voucher_number="JCMZ-2014-003")
    with pytest.raises(WorkflowError, match="已于"):
        release(first, cast["civil"])


def test_release_needs_a_signed_agreement(cast, round_open):
    project = project_in_state(S.CONTRACTED, round=round_open)
    first = instalment_plan_create(project=project)[0]
    with pytest.raises(WorkflowError, match="项目协议尚未签订"):
        release(first, cast["civil"])


@pytest.mark.parametrize("role", ["unit", "unit2", "association", "committee", "evaluator"])
def test_only_civil_affairs_releases(cast, round_open, unit_org, role):
    project = signed_project(cast, round_open, implementing_unit=unit_org)
    with pytest.raises(WorkflowError):
        release(project.instalments.first(), cast[role])
    assert not Instalment.objects.filter(status="released").exists()


def test_no_release_for_a_terminated_project(cast, round_open):
    project = signed_project(cast, round_open)
    project_terminate(project=project, by=cast["civil"], comment="机构停止运营")
    with pytest.raises(WorkflowError, match="不能拨付"):
        release(project.instalments.first(), cast["civil"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"voucher_number": "  "}, "凭证号"), ({"released_on": datetime.date(2999, 1, 1)}, "不能晚于今天")],
)
def test_release_needs_a_voucher_and_a_real_date(cast, round_open, kwargs, message):
    project = signed_project(cast, round_open)
    with pytest.raises(WorkflowError, match=message):
        release(project.instalments.first(), cast["civil"], **kwargs)


def test_release_never_exceeds_the_approved_amount(cast, round_open):
    project = signed_project(cast, round_open, requested_amount=D("10000.00"))
    Project.objects.filter(pk=project.pk).update(approved_amount=D("3000.00"))
    first = project.instalments.get(sequence=1)
    first.project.refresh_from_db()
    with pytest.raises(WorkflowError, match="将超过审定金额 3,000.00 元"):
        release(first, cast["civil"])


def test_second_of_two_concurrent_releases_changes_nothing(cast, round_open):
    project = signed_project(cast, round_open)
    seen = Instalment.objects.get(project=project, sequence=1)
    other = Instalment.objects.get(pk=seen.pk)
    release(seen, cast["civil"], voucher_number="A-1")
    with pytest.raises(StaleTransition, match="已被他人处理"):
        release(other, cast["civil"], voucher_number="B-2", expected_version=0)
    seen.refresh_from_db()
    assert seen.voucher_number == "A-1"


def test_money_position_is_exact_to_the_fen(cast, round_open):
    a = signed_project(cast, round_open, requested_amount=D("33333.33"))
    b = signed_project(cast, round_open, requested_amount=D("0.10"))
    project_in_state(S.TERMINATED, round=round_open, requested_amount=D("5000"))  # money no longer committed
    donor = OrganizationFactory(type="enterprise")
    for amount in ["0.10", "0.20", "33333.33"]:
        SocialFund.objects.create(project=a, donor=donor, amount=D(amount), received_on=TODAY)
    release(a.instalments.get(sequence=1), cast["civil"])
    release(b.instalments.get(sequence=1), cast["civil"], voucher_number="X")

    round_ = Round.objects.with_money().get(pk=round_open.pk)
    assert round_.approved_total == D("33333.43")
    assert round_.contracted_total == D("33333.43")
    assert round_.disbursed_total == D("13333.33") + D("0.04")
    assert round_.social_total == D("33333.63")
    assert leverage(round_.social_total, round_.approved_total) == D("1.00")

    project = Project.objects.with_money().get(pk=a.pk)
    assert (project.social_total, project.disbursed_total) == (D("33333.63"), D("13333.33"))


def test_agreement_amount_is_the_approved_amount(cast, round_open):
    project = signed_project(cast, round_open, requested_amount=D("12345.67"))
    assert Agreement.objects.get(project=project).amount == D("12345.67")
