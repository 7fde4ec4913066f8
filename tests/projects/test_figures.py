"""Money figures (projects.figures): one population for government and social money, one remaining budget."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from projects.figures import Money, grouped_money, project_money, round_money
from projects.models import Project, Round, SocialFund
from projects.selectors import round_summary
from projects.services import WorkflowError, instalment_release, project_approve, project_sign, project_terminate
from tests.factories import OrganizationFactory, RoundFactory, project_in_state

pytestmark = pytest.mark.django_db
S = Project.Status
DAY = datetime.date(2014, 4, 1)


def fund(project, amount):
    donor = OrganizationFactory(type="enterprise")
    return SocialFund.objects.create(project=project, donor=donor, amount=D(amount), received_on=DAY)


def signed_and_paid(cast, round_, amount):
    """An approved project signed, with its first instalment (40%) paid."""
    project = project_in_state(S.APPROVED, round=round_, requested_amount=D(amount))
    project_sign(project=project, by=cast["civil"], signed_date=DAY)
    first = project.instalments.get(sequence=1)
    instalment_release(instalment=first, by=cast["civil"], released_on=DAY, voucher_number=f"V-{project.pk}")
    project.refresh_from_db()
    return project


@pytest.fixture
def round_2014(db):
    return RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=D("100000.00"))


@pytest.fixture
def mixed_round(cast, round_2014):
    """A running project, a terminated one that was paid and matched, and two applications with pledges."""
    running = signed_and_paid(cast, round_2014, "30000.00")  # paid 12,000
    fund(running, "9000.00")
    stopped = signed_and_paid(cast, round_2014, "20000.00")  # paid 8,000
    fund(stopped, "5000.00")
    project_terminate(project=stopped, by=cast["civil"], comment="机构注销")
    rejected = project_in_state(S.SUBMITTED, round=round_2014, requested_amount=D("40000.00"))
    fund(rejected, "7000.00")  # pledged while under review
    Project.objects.filter(pk=rejected.pk).update(status=S.REJECTED)
    draft = project_in_state(S.DRAFT, round=round_2014, requested_amount=D("10000.00"))
    fund(draft, "3000.00")
    return {"running": running, "stopped": stopped, "rejected": rejected, "draft": draft}


EXPECTED = Money(
    approved=D("30000.00"),  # the running project only: the terminated one no longer commits its amount
    terminated_paid=D("8000.00"),  # … but what it was paid is spent
    contracted=D("30000.00"),  # the terminated project's agreement ended with it
    disbursed=D("20000.00"),
    social=D("14000.00"),  # the running and the terminated project's funds; no pledges on applications
    budget=D("100000.00"),
)


def test_government_and_social_money_count_the_same_projects(mixed_round, round_2014):
    money = round_money(round_2014)
    assert money == EXPECTED
    assert money.government == D("38000.00")
    assert money.remaining == D("62000.00")
    assert money.outstanding == D("18000.00")  # the running project's 60% still to pay
    assert money.leverage == D("0.37")  # 14,000 ÷ 38,000; the old mix gave 24,000 ÷ 30,000 = 0.80


def test_every_reading_of_a_round_agrees(mixed_round, round_2014):
    listed = Round.objects.with_money().get(pk=round_2014.pk)
    assert Money.of(listed, budget=listed.budget) == EXPECTED
    grouped = grouped_money("round", round=round_2014)[round_2014.pk]
    assert grouped == Money(**{**EXPECTED.__dict__, "budget": None})
    assert round_summary(round_2014).money == EXPECTED


def test_a_project_has_the_same_figures(mixed_round):
    stopped = project_money(mixed_round["stopped"])
    assert (stopped.government, stopped.outstanding, stopped.social) == (D("8000.00"), D("0.00"), D("5000.00"))
    assert stopped.leverage == D("0.63")
    running = project_money(mixed_round["running"])
    assert (running.government, running.disbursed, running.outstanding) == (D("30000"), D("12000"), D("18000"))
    assert running.leverage == D("0.30")
    for application in (mixed_round["rejected"], mixed_round["draft"]):
        assert project_money(application) == Money()
        assert project_money(application).leverage is None


def test_approval_is_refused_beyond_the_remaining_budget(cast, mixed_round, round_2014):
    candidate = project_in_state(S.RECOMMENDED, round=round_2014, requested_amount=D("62000.01"))
    with pytest.raises(WorkflowError, match="剩余预算 62,000.00 元"):
        project_approve(project=candidate, by=cast["civil"], amount="62000.01")
    project_approve(project=candidate, by=cast["civil"], amount="62,000.00")
    assert round_money(round_2014).remaining == D("0.00")


def test_round_and_project_pages_show_the_figures(client, cast, mixed_round, round_2014):
    client.force_login(cast["committee"])
    page = client.get(reverse("admin:projects_round_change", args=[round_2014.pk])).content.decode()
    for shown in ["62,000.00 元", "38,000.00", "14,000.00 元", "37%", "8,000.00 元"]:
        assert shown in page
    listing = client.get(reverse("admin:projects_round_changelist")).content.decode()
    assert "62,000.00" in listing and "37%" in listing
    page = client.get(reverse("admin:projects_project_change", args=[mixed_round["stopped"].pk])).content.decode()
    assert "63%" in page and "8,000.00 元" in page
    page = client.get(reverse("admin:projects_project_change", args=[mixed_round["rejected"].pk])).content.decode()
    assert "审定后计入" in page


def test_terminated_projects_keep_what_was_paid_committed(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=D("50000.00"))
    project = project_in_state(S.APPROVED, round=round_, requested_amount=D("30000.00"))
    project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2014, 4, 1))
    first = project.instalments.get(sequence=1)
    instalment_release(instalment=first, by=cast["civil"], released_on=datetime.date(2014, 4, 5), voucher_number="1")
    project_terminate(project=project, by=cast["civil"], comment="机构注销")
    other = project_in_state(S.RECOMMENDED, round=round_, requested_amount=D("40000.00"))
    with pytest.raises(WorkflowError, match="剩余预算 38,000.00 元"):  # 50,000 − the 12,000 already paid
        project_approve(project=other, by=cast["civil"], amount="40000")
    assert Round.objects.with_money().get(pk=round_.pk).terminated_paid_total == D("12000.00")
