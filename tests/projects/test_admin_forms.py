"""Bad input in the admin gets a clear Chinese message on the form, never an error page."""

import pytest
from django.urls import reverse

from projects.models import Agreement, Project
from tests.factories import OrganizationFactory, ProjectFactory, RoundFactory, ServiceCategoryFactory
from tests.helpers import EMPTY_PROJECT_INLINES

pytestmark = pytest.mark.django_db


def project_form(**overrides):
    data = {
        "title": "测试项目",
        "round": RoundFactory(year=2013).pk,
        "category": ServiceCategoryFactory().pk,
        "service_model": "sw_volunteer",
        "target_group": "独居老人",
        "implementing_unit": OrganizationFactory().pk,
        "requested_amount": "20000.00",
        "target_beneficiaries": "50",
        **EMPTY_PROJECT_INLINES,
    }
    data.update(overrides)
    return data


def test_valid_project_gets_its_code(admin_client):
    response = admin_client.post(reverse("admin:projects_project_add"), project_form())
    assert response.status_code == 302
    assert Project.objects.get().code == "QC-2013-001"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"requested_amount": "-1"}, "金额不能为负数。"),
        ({"start_date": "2013-10-01", "end_date": "2013-09-30"}, "结束日期不能早于开始日期。"),
        ({"requested_amount": "abc"}, "输入一个数字。"),
    ],
)
def test_bad_project_input_shows_a_chinese_message(admin_client, overrides, message):
    response = admin_client.post(reverse("admin:projects_project_add"), project_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_wrong_credit_code_shows_a_chinese_message(admin_client):
    response = admin_client.post(
        reverse("admin:projects_organization_add"),
        {"name": "某机构", "type": "agency", "credit_code": "91440300708461136A", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确" in response.content.decode()


def test_agreement_kind_mismatch_shows_a_chinese_message(admin_client):
    project = ProjectFactory()
    response = admin_client.post(
        reverse("admin:projects_agreement_add"),
        {
            "kind": "framework",
            "number": "QCKJ-T",
            "party_a": OrganizationFactory().pk,
            "party_b": OrganizationFactory().pk,
            "round": project.round.pk,
            "project": project.pk,
            "amount": "100",
            "status": "draft",
        },
    )
    assert response.status_code == 200
    assert "框架协议不能关联项目" in response.content.decode()
    assert not Agreement.objects.exists()
