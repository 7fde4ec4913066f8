"""What each printed document says, read back from the PDF (pdftotext): agreements, certificates, score
sheets and the dossier. One real rendering per document; the figures are the records' and the read
functions', never the template's own."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.formatting import format_capitals, format_cny
from projects.models import Agreement, Evaluation
from projects.selectors import project_summary
from tests.documents import pdfs

pytestmark = pytest.mark.django_db


def download(client, user, url) -> bytes:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_a_project_agreement_ready_to_sign(client, cast, agreement, running):
    data = download(client, cast["unit"], reverse("documents:agreement", args=[agreement.pk]))
    text = pdfs.text(data)
    assert agreement.number in text and running.title in text and running.code in text
    assert "甲方" in text and agreement.party_a.name in text
    assert "乙方" in text and "阳光社工（测试）" in text and "江城区文庙路8号" in text and "025-84700000" in text
    assert "人民币（大写）壹拾万元整（¥100,000.00）" in text
    assert format_capitals(agreement.amount) == "壹拾万元整"
    # the instalments signing planned, in figures and in capitals
    for instalment in running.instalments.all():
        assert format_cny(instalment.amount) in text
        assert format_capitals(instalment.amount) in text
    assert "肆万元整" in text and "贰万元整" in text  # 40% and 20% of 100,000
    assert "自2014年3月1日起至2015年2月28日止" in text
    assert "第十条" in text and "本协议自双方签字盖章之日起生效" in text
    assert "甲方（盖章）" in text and "乙方（盖章）" in text and text.count("法定代表人或授权代表（签字）") == 2
    assert "日期：2014年3月5日" in text  # signed: the date it was signed
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in pdfs.fonts(data))


def test_a_draft_agreement_states_the_plan_signing_will_record(agreement):
    from qicai.documents.agreement import agreement_context, agreement_plan

    running = agreement.project
    signed_plan = [(i.name, i.percent, i.amount) for i in running.instalments.order_by("sequence")]
    running.instalments.all().delete()
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.DRAFT)
    agreement.refresh_from_db()
    assert [(row.name, row.percent, row.amount) for row in agreement_plan(agreement)] == signed_plan
    assert agreement_context(agreement)["signed"] is False


def test_a_framework_agreement_lists_the_colours_and_the_rounds_plan(client, cast, framework):
    data = download(client, cast["civil"], reverse("documents:agreement", args=[framework.pk]))
    text = pdfs.text(data)
    assert "2014年度七彩工程服务项目协议书" in text and "QCKJ-2014" in text
    assert "江城区人民政府（测试）" in text and "社工协会（测试）" in text
    assert "壹佰贰拾万元整（¥1,200,000.00）" in text
    assert "首期" in text and "协议签订后" in text and "结项评估合格后" in text and "40%" in text
    assert re.search(r"年\s+月\s+日", text) and not re.search(r"日期：\d", text)  # unsigned: a date to fill in


def test_a_certificate(client, cast, award):
    data = download(client, cast["unit"], reverse("documents:certificate", args=[award.pk]))
    text = pdfs.text(data)
    assert "荣誉证书" in re.sub(r"\s", "", text)
    assert "阳光社工（测试）：" in text
    assert "“阳光驿站社区矫正帮扶项目”服务成效显著" in text
    assert "优秀项目" in text and "特发此证，以资鼓励。" in text
    assert "江城区社会工作委员会" in text and "二〇一四年九月十六日" in text
    assert pdfs.pages(data) == 1
    assert "第1页" not in text  # a certificate has no header or footer


def test_a_certificate_without_citation_says_what_was_earned(award):
    from qicai.documents.certificates import certificate

    award.citation = ""
    award.presenter = ""
    made = certificate(award)
    assert made.body == "你单位实施的“阳光驿站社区矫正帮扶项目”在2014年度七彩工程中表现突出，被评为优秀项目。"
    assert made.presenter == "江城区社会工作委员会"


def test_an_open_evaluation_prints_a_blank_sheet(client, cast, evaluation):
    for user in (cast["civil"], cast["evaluator"]):
        data = download(client, user, reverse("documents:score_sheet", args=[evaluation.pk]))
        text = pdfs.text(data)
        assert "七彩工程项目中期评估评分表" in text and evaluation.project.code in text
        assert "项目管理" in text and "计划执行" in text and "100.00" in text  # criteria, guidance, full marks
        assert "评估专家（签字）" in text
        # nobody's scores: not the submitted scorecard, not the reader's own
        assert "33.50" not in text and "档案齐全" not in text and "服务扎实" not in text
        assert "赵文博" not in text and "钱慧敏" not in text


def test_a_finalised_sheet_shows_the_scores_and_who_gave_them(client, cast, finalised):
    text = pdfs.text(download(client, cast["civil"], reverse("documents:score_sheet", args=[finalised.pk])))
    scorecards = list(finalised.scorecards.order_by("submitted_at", "pk"))
    assert "赵文博" in text and "钱慧敏" in text
    assert "33.50" in text and "54.00" in text
    assert all(str(scorecard.total) in text for scorecard in scorecards)
    assert str(finalised.score) in text and finalised.get_grade_display() in text
    assert "档案齐全" in text and "服务扎实，建议加强宣传。" in text and "成效明显" in text


def test_a_unit_reads_its_finalised_sheet_without_its_experts_names(client, cast, finalised):
    text = pdfs.text(download(client, cast["unit"], reverse("documents:score_sheet", args=[finalised.pk])))
    assert "专家一" in text and "专家二" in text
    assert "赵文博" not in text and "钱慧敏" not in text
    assert str(finalised.score) in text


def test_after_the_grace_period_an_evaluator_sees_only_its_own_scorecard(client, cast, finalised, settings):
    Evaluation.objects.filter(pk=finalised.pk).update(finalised_at=timezone.now() - datetime.timedelta(days=60))
    text = pdfs.text(download(client, cast["evaluator"], reverse("documents:score_sheet", args=[finalised.pk])))
    assert "赵文博" in text and "33.50" in text
    assert "钱慧敏" not in text and "54.00" not in text and "成效明显" not in text
    assert "本表只列出您可以查看的评分表" in text


def test_the_dossier_prints_the_summarys_figures_and_masks_phones(client, cast, running, award, finalised):
    data = download(client, cast["unit"], reverse("documents:dossier", args=[running.code]))
    text = pdfs.text(data)
    summary = project_summary(running)
    assert "项目档案" in text and running.code in text and running.title in text
    assert "阳光社工（测试）" in text
    assert f"{format_cny(summary.money.contracted)}元" in text and f"{format_cny(summary.money.outstanding)}元" in text
    assert summary.money.contracted == Decimal("100000.00")
    assert "服务成效" in text and "实际服务人数（去重）" in text
    assert "杜志强" in text and "139****7000" in text and "13912347000" not in text
    assert "优秀项目" in text and str(finalised.score) in text
    assert agreement_number(running) in text
    assert "钱慧敏" not in text  # a unit does not learn its evaluators
    assert "时间线" in text and "签订项目协议" in text
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in pdfs.fonts(data))


def agreement_number(project) -> str:
    return Agreement.objects.get(project=project).number
