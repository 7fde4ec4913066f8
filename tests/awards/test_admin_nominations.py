"""Nominations and award records in the admin: proposing from the ranking, confirming and declining."""

import datetime

import pytest
from django.urls import reverse

from awards.models import AwardRecord, AwardType, Nomination
from projects.models import Evaluation, Project, Round, RubricTemplate
from tests.factories import RoundFactory, project_in_state

pytestmark = pytest.mark.django_db


def test_ranking_and_nominations_through_the_admin(client, cast):
    round_ = RoundFactory(year=2014, status=Round.Status.CLOSED)
    template = RubricTemplate.objects.create(name="结项评估标准", kind="final")
    for points in ["91", "88", "88"]:
        project = project_in_state(Project.Status.COMPLETED, round=round_)
        Evaluation.objects.create(
            project=project,
            kind="final",
            template=template,
            due_date=datetime.date(2015, 1, 5),
            status="finalised",
            score=points,
            grade="good",
        )
    client.force_login(cast["committee"])
    page = client.get(reverse("admin:projects_round_ranking", args=[round_.pk])).content.decode()
    assert page.index("91.00") < page.index("88.00") and "良好" in page

    from awards.models import AwardType

    AwardType.objects.filter(code="excellent-project").update(quota=2)
    client.force_login(cast["association"])
    response = client.post(reverse("admin:awards_nomination_propose"), {"round": round_.pk}, follow=True)
    body = response.content.decode()
    assert "生成 3 个提名" in body and "名额线上有 2 个项目得分并列" in body
    tied = Nomination.objects.filter(tied_at_cut=True).first()
    assert client.get(reverse("admin:awards_nomination_confirm", args=[tied.pk])).status_code == 403

    client.force_login(cast["committee"])
    first = Nomination.objects.get(ranking_position=1)
    confirm = reverse("admin:awards_nomination_confirm", args=[first.pk])
    response = client.post(confirm, {"rank": 1, "awarded_on": "2015-03-01", "presenter": "区社工委"})
    assert response.status_code == 302
    decline = reverse("admin:awards_nomination_decline", args=[tied.pk])
    client.post(decline, {"note": "并列项目由社工委会议决定"})
    other = Nomination.objects.filter(tied_at_cut=True, status="pending").get()
    client.post(reverse("admin:awards_nomination_confirm", args=[other.pk]), {"rank": 2, "awarded_on": "2015-03-01"})
    assert AwardRecord.objects.filter(round=round_).count() == 2


def test_award_records_only_come_from_confirmations(client, cast):
    round_ = RoundFactory(year=2014, status=Round.Status.CLOSED)
    project = project_in_state(Project.Status.COMPLETED, round=round_)
    award = AwardType.objects.get(code="excellent-project")
    record = {
        "round": round_.pk,
        "award_type": award.pk,
        "rank": "1",
        "awarded_on": "2015-03-01",
        "presenter": "区社工委",
        "project": project.pk,
        "citation": "服务成效显著",
    }
    for role in ["committee", "civil", "association", "unit", "evaluator"]:
        client.force_login(cast[role])
        assert client.post(reverse("admin:awards_awardrecord_add"), record).status_code == 403, role
    assert not AwardRecord.objects.exists()
    # The one way in: the committee confirms a nomination.
    nomination = Nomination.objects.create(
        round=round_, award_type=award, project=project, source=Nomination.Source.ASSOCIATION, reason="成效显著"
    )
    client.force_login(cast["committee"])
    confirm = reverse("admin:awards_nomination_confirm", args=[nomination.pk])
    assert client.post(confirm, {"rank": 1, "awarded_on": "2015-03-01", "presenter": "区社工委"}).status_code == 302
    assert AwardRecord.objects.get().project == project
