"""A small programme for the printed documents: the unit's running project with its signed agreement and
instalments, a finalised evaluation scored by two experts, an award, and the round's framework agreement.

``no_layout`` stands in for WeasyPrint's layout where a test is about who gets a document, not how it
looks: the template is still rendered (its HTML kept on ``no_layout.html``), nothing is laid out.
"""

import datetime
from decimal import Decimal

import pytest

from projects import roles
from projects.models import Agreement, Organization, Project, Round, RubricCriterion, RubricTemplate, SocialWorker
from projects.services import (
    evaluation_assign,
    evaluation_create,
    evaluation_finalise,
    project_sign,
    scorecard_save,
)
from qicai import pdf
from tests.factories import (
    AwardRecordFactory,
    AwardTypeFactory,
    OrganizationFactory,
    RoundFactory,
    UserFactory,
    project_in_state,
)

S = Project.Status


@pytest.fixture
def round_2014(db):
    return RoundFactory(
        year=2014,
        title="2014年度七彩工程",
        status=Round.Status.IN_PROGRESS,
        period_start=datetime.date(2014, 3, 1),
        period_end=datetime.date(2015, 2, 28),
    )


@pytest.fixture
def running(cast, round_2014, unit_org):
    """The unit's project, signed (agreement and instalment plan) and under way, with one social worker."""
    Organization.objects.filter(pk=unit_org.pk).update(
        address="江城区文庙路8号", contact_person="陈晓燕", phone="025-84700000"
    )
    project = project_in_state(
        S.APPROVED,
        round=round_2014,
        implementing_unit=unit_org,
        title="阳光驿站社区矫正帮扶项目",
        requested_amount=Decimal("100000.00"),
    )
    project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2014, 3, 5))
    Project.objects.filter(pk=project.pk).update(status=S.IN_PROGRESS)
    project.refresh_from_db()
    worker = SocialWorker.objects.create(name="杜志强", phone="13912347000", employer=unit_org, is_supervisor=True)
    worker.projects.add(project)
    return project


@pytest.fixture
def agreement(running):
    return Agreement.objects.get(project=running)


@pytest.fixture
def framework(cast, round_2014):
    government = OrganizationFactory(name="江城区人民政府（测试）", type=Organization.Type.GOVERNMENT)
    association = Organization.objects.get(name="社工协会（测试）")
    return Agreement.objects.create(
        kind=Agreement.Kind.FRAMEWORK,
        number="QCKJ-2014",
        title="2014年度七彩工程服务项目协议书",
        round=round_2014,
        party_a=government,
        party_b=association,
        amount=Decimal("1200000.00"),
        term_start=datetime.date(2014, 3, 1),
        term_end=datetime.date(2015, 2, 28),
    )


@pytest.fixture
def evaluator2(cast):
    return UserFactory(username="evaluator2", first_name="钱慧敏", role=roles.EVALUATOR)


@pytest.fixture
def rubric(db):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="项目管理", max_score=40, order=1, guidance="计划执行")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=60, order=2, guidance="目标达成")
    return template


@pytest.fixture
def evaluation(cast, running, rubric, evaluator2):
    """An open mid-term evaluation of the running project, both experts assigned, the first one's scores in."""
    cast["evaluator"].first_name = "赵文博"
    cast["evaluator"].save()
    evaluation = evaluation_create(
        project=running, kind="midterm", template=rubric, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )
    for expert in (cast["evaluator"], evaluator2):
        evaluation_assign(evaluation=evaluation, evaluator=expert, by=cast["civil"])
    criteria = list(rubric.criteria.order_by("order"))
    scorecard_save(
        evaluation=evaluation,
        by=cast["evaluator"],
        scores={criteria[0].pk: (Decimal("33.50"), "档案齐全"), criteria[1].pk: (Decimal("51.25"), "")},
        overall_comment="服务扎实，建议加强宣传。",
        submit=True,
    )
    return evaluation


@pytest.fixture
def finalised(cast, evaluation, evaluator2, rubric):
    criteria = list(rubric.criteria.order_by("order"))
    scorecard_save(
        evaluation=evaluation,
        by=evaluator2,
        scores={criteria[0].pk: (Decimal("36.00"), ""), criteria[1].pk: (Decimal("54.00"), "成效明显")},
        overall_comment="达到中期目标。",
        submit=True,
    )
    return evaluation_finalise(evaluation=evaluation, by=cast["civil"])


@pytest.fixture
def award(running, round_2014):
    award_type = AwardTypeFactory()
    return AwardRecordFactory(
        round=round_2014,
        project=running,
        award_type=award_type,
        rank=1,
        awarded_on=datetime.date(2014, 9, 16),
        presenter="江城区社会工作委员会",
        citation="“阳光驿站社区矫正帮扶项目”服务成效显著，被评为2014年度七彩工程优秀项目。",
    )


@pytest.fixture
def other_award(cast, round_2014, unit2_org):
    """An award to another unit's project in the same round."""
    project = project_in_state(S.IN_PROGRESS, round=round_2014, implementing_unit=unit2_org, title="心桥青少年项目")
    return AwardRecordFactory(round=round_2014, project=project, award_type=AwardTypeFactory(), rank=2)


class FakeDocument:
    def __init__(self, html: str):
        self.html = html
        self.pages = [object()] * max(1, html.count('class="certificate"'))

    def write_pdf(self, target=None, **options):
        data = b"%PDF-1.7 fake\n" + self.html.encode()
        if target is None:
            return data
        target.write(data)
        return None


class FakeHTML:
    rendered: list

    def __init__(self, string, base_url, url_fetcher):
        self.string = string

    def render(self):
        FakeHTML.rendered.append(self.string)
        return FakeDocument(self.string)


@pytest.fixture
def no_layout(monkeypatch):
    FakeHTML.rendered = []
    monkeypatch.setattr(pdf, "HTML", FakeHTML)
    return FakeHTML
