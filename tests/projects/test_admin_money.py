"""Money in the admin: the round's money position, the release page, plan rules, who edits budget lines."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import BudgetLine, Instalment, Project, Round, RoundInstalmentRule
from projects.services import project_sign
from tests.factories import RoundFactory, project_in_state

pytestmark = pytest.mark.django_db
S = Project.Status


@pytest.fixture
def round_2014(db):
    return RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=Decimal("100000.00"))


@pytest.fixture
def contracted(cast, round_2014, unit_org):
    project = project_in_state(
        S.APPROVED, round=round_2014, implementing_unit=unit_org, requested_amount=Decimal("33333.33")
    )
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    return project


def release_url(instalment):
    return reverse("admin:projects_instalment_release", args=[instalment.pk])


def test_civil_affairs_releases_the_first_instalment(client, cast, contracted):
    first = contracted.instalments.get(sequence=1)
    client.force_login(cast["civil"])
    page = client.get(reverse("admin:projects_project_change", args=[contracted.pk])).content.decode()
    assert release_url(first) in page and "13,333.33" in page
    form = client.get(release_url(first)).content.decode()
    assert "协议签订后" in form and "已满足" in form
    response = client.post(
        release_url(first), {"version": 0, "released_on": "2014-03-20", "voucher_number": "JCMZ-2014-007"}, follow=True
    )
    assert "已登记" in response.content.decode()
    first.refresh_from_db()
    assert first.status == Instalment.Status.RELEASED and first.voucher_number == "JCMZ-2014-007"

    second = contracted.instalments.get(sequence=2)
    page = client.get(release_url(second)).content.decode()
    assert "尚未满足" in page and "尚未通过中期评估" in page
    response = client.post(release_url(second), {"version": 0, "released_on": "2014-03-21", "voucher_number": "X"})
    assert response.status_code == 200 and "不满足拨付条件" in response.content.decode()
    second.refresh_from_db()
    assert second.status == Instalment.Status.PLANNED


def test_others_cannot_release(client, cast, contracted):
    first = contracted.instalments.get(sequence=1)
    for role in ["unit", "association", "committee"]:
        client.force_login(cast[role])
        response = client.post(release_url(first), {"version": 0, "released_on": "2014-03-20", "voucher_number": "V"})
        assert response.status_code == 302
    client.force_login(cast["unit2"])
    assert client.get(release_url(first)).status_code == 404
    first.refresh_from_db()
    assert first.status == Instalment.Status.PLANNED


def test_round_page_shows_its_money_position(client, cast, contracted, round_2014):
    client.force_login(cast["committee"])
    page = client.get(reverse("admin:projects_round_change", args=[round_2014.pk])).content.decode()
    for figure in ["100,000.00", "33,333.33", "66,666.67", "撬动比"]:
        assert figure in page
    listing = client.get(reverse("admin:projects_round_changelist")).content.decode()
    assert "33,333.33" in listing and "66,666.67" in listing


def test_instalment_rules_must_sum_to_100(client, cast, round_2014):
    client.force_login(cast["civil"])
    url = reverse("admin:projects_round_change", args=[round_2014.pk])
    data = {
        "year": 2014,
        "title": "2014年度七彩工程",
        "status": "in_progress",
        "budget": "100000",
        "instalment_rules-TOTAL_FORMS": "2",
        "instalment_rules-INITIAL_FORMS": "0",
        "instalment_rules-0-order": "1",
        "instalment_rules-0-name": "首期",
        "instalment_rules-0-percent": "50",
        "instalment_rules-0-condition": "signed",
        "instalment_rules-1-order": "2",
        "instalment_rules-1-name": "尾期",
        "instalment_rules-1-percent": "40",
        "instalment_rules-1-condition": "final_passed",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "各期拨付比例合计应为100%，当前为90%" in response.content.decode()
    assert not RoundInstalmentRule.objects.exists()
    data["instalment_rules-1-percent"] = "50"
    assert client.post(url, data).status_code == 302
    assert RoundInstalmentRule.objects.filter(round=round_2014).count() == 2


def test_budget_lines_editable_only_while_the_unit_may_edit(client, cast, unit_org, round_2014):
    draft = project_in_state(S.DRAFT, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_project_change", args=[draft.pk])).content.decode()
    assert 'name="budget_lines-TOTAL_FORMS"' in page and "budget_lines-0-amount" in page
    Project.objects.filter(pk=draft.pk).update(status=S.SUBMITTED)
    page = client.get(reverse("admin:projects_project_change", args=[draft.pk])).content.decode()
    assert "budget_lines-0-amount" not in page
    assert BudgetLine.objects.filter(project=draft).count() == 2


def test_unit_records_social_funds_on_its_live_project(client, cast, contracted, unit2_org, round_2014):
    from projects.models import SocialFund
    from tests.factories import OrganizationFactory

    donor = OrganizationFactory(type="enterprise")
    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_project_change", args=[contracted.pk])).content.decode()
    add_url = reverse("admin:projects_socialfund_add")
    assert f"{add_url}?project={contracted.pk}" in page
    data = {"project": contracted.pk, "donor": donor.pk, "kind": "cash", "amount": "5000", "received_on": "2014-04-01"}
    assert client.post(add_url, data).status_code == 302
    assert SocialFund.objects.get().project == contracted

    others = project_in_state(S.CONTRACTED, round=round_2014, implementing_unit=unit2_org)
    response = client.post(add_url, {**data, "project": others.pk})
    assert response.status_code == 200 and SocialFund.objects.count() == 1
    response = client.post(add_url, {**data, "amount": "0"})
    assert response.status_code == 200 and "金额必须大于零" in response.content.decode()
