"""年度总结报告: the demo's 2013 report holds the dashboard's figures, in Chinese with embedded fonts; it is
for programme staff only, kept per version of what it prints, and a round without projects has none."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.formatting import format_cny, format_count
from projects.models import Round, SocialFund
from projects.services import social_fund_record
from qicai.documents.report import ANNUAL_REPORT, report_version
from qicai.models import GeneratedDocument
from qicai.summaries import round_report
from tests.documents import pdfs
from tests.factories import OrganizationFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(demo_district):
    return {name: get_user_model().objects.get(username=name) for name in ("civil", "committee", "unit", "evaluator")}


def page_url(round_) -> str:
    return reverse("documents:round_document", args=[round_.year, ANNUAL_REPORT.key])


def test_the_2013_report_prints_the_dashboards_figures(client, users):
    round_2013 = Round.objects.get(year=2013)
    client.force_login(users["civil"])
    assert "年度总结报告" in client.get(page_url(round_2013)).content.decode()
    response = client.post(page_url(round_2013))
    document = GeneratedDocument.objects.get(kind=ANNUAL_REPORT.key)
    assert response["Location"] == reverse("documents:generated", args=[document.pk])
    download = client.get(reverse("documents:generated_download", args=[document.pk]))
    assert "filename*=UTF-8''2013%E5%B9%B4%E5%BA%A6" in download["Content-Disposition"]  # 2013年度七彩工程总结报告.pdf
    data = b"".join(download.streaming_content)
    text = pdfs.text(data).replace("\n", "")  # running text wraps anywhere
    summary = round_report(round_2013).summary  # what the dashboard shows
    assert summary.projects == 60 and summary.money.approved == 1_000_000
    for figure in (
        f"七彩工程项目{format_count(summary.projects)}个",
        f"审定项目资金{format_cny(summary.money.approved)}元",
        f"撬动配套社会资金{format_cny(summary.money.social)}元",
        f"共服务特殊人群{format_count(summary.service.people_served)}人",
    ):
        assert figure in text, figure
    for heading in ("目录", "一、年度概况", "二、项目分布", "三、资金投入与使用", "四、服务成效", "五、评估结果"):
        assert heading in text
    assert "六、表彰情况" in text and "七、优秀服务案例" in text and "附录：项目一览表" in text
    assert "QC-2013-001" in text and "QC-2013-060" in text and "合计60个项目" in text
    assert "第1页/共" not in text.split("一、年度概况")[0]  # the cover has no header or footer
    assert pdfs.pages(data) == document.pages >= 10
    assert all(font["emb"] == "yes" and font["sub"] == "yes" for font in pdfs.fonts(data))
    assert "320105" not in text  # no ID numbers, not even their prefix


def test_only_programme_staff_have_the_report(client, users):
    round_2013 = Round.objects.get(year=2013)
    for role in ("unit", "evaluator"):
        client.force_login(users[role])
        assert client.get(page_url(round_2013)).status_code == 404
        assert client.post(page_url(round_2013)).status_code == 404
    client.logout()
    assert client.get(page_url(round_2013)).status_code == 302  # to the sign-in page
    assert not GeneratedDocument.objects.exists()


def test_a_new_version_when_what_it_prints_changes(users):
    round_2013 = Round.objects.get(year=2013)
    before = report_version(round_2013, "")
    assert report_version(round_2013, "") == before  # the same data, the same report (not dated by today)
    project = round_2013.projects.get(code="QC-2013-001")
    social_fund_record(
        fund=SocialFund(
            project=project,
            donor=OrganizationFactory(type="enterprise"),
            kind="cash",
            amount=1000,
            received_on=datetime.date(2014, 3, 1),
        ),
        by=users["civil"],
    )
    assert report_version(round_2013, "") != before


def test_a_round_without_projects_has_no_report(client, users):
    empty = RoundFactory(year=2016)
    client.force_login(users["civil"])
    response = client.post(page_url(empty), follow=True)
    assert "该年度批次还没有项目。" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_the_dashboard_and_the_rounds_page_link_to_it_for_staff_only(client, users):
    round_2013 = Round.objects.get(year=2013)
    for role, shown in (("civil", True), ("committee", True), ("unit", False), ("evaluator", False)):
        client.force_login(users[role])
        dashboard = client.get(reverse("portal:dashboard"), {"round": 2013}).content.decode()
        assert (page_url(round_2013) in dashboard) is shown, role
    client.force_login(users["civil"])
    page = client.get(reverse("admin:projects_round_change", args=[round_2013.pk])).content.decode()
    assert page_url(round_2013) in page and "年度总结报告（PDF）" in page
