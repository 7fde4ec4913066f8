"""Offer only what can succeed: an instalment whose release the service would refuse shows why, not a button."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Instalment, Project
from projects.services import WorkflowError, instalment_release, release_blocker

pytestmark = pytest.mark.django_db


def test_the_project_page_says_why_an_instalment_cannot_be_released_yet(client, demo_district):
    civil = get_user_model().objects.get(username="civil")
    project = Project.objects.get(code="QC-2013-001")
    planned = list(project.instalments.filter(status=Instalment.Status.PLANNED).order_by("sequence"))
    assert len(planned) >= 2
    next_one, later = planned[0], planned[1]
    assert release_blocker(later) == f"请先拨付前一期款项：{next_one.name}。"
    reason = release_blocker(next_one)
    assert reason and "不满足拨付条件" in reason  # the mid-term evaluation has not passed
    with pytest.raises(WorkflowError) as refused:
        instalment_release(instalment=next_one, by=civil, released_on=None, voucher_number="X1")
    assert refused.value.message == reason  # the page says exactly what the service would

    client.force_login(civil)
    html = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert reason in html and release_blocker(later) in html
    for instalment in planned:
        assert reverse("admin:projects_instalment_release", args=[instalment.pk]) not in html


def test_an_instalment_whose_condition_is_met_keeps_its_button(client, demo_district):
    import datetime

    civil = get_user_model().objects.get(username="civil")
    project = Project.objects.get(code="QC-2013-001")
    next_one = project.instalments.filter(status=Instalment.Status.PLANNED).order_by("sequence").first()
    Project.objects.filter(pk=project.pk).update(midterm_passed_on=datetime.date(2014, 3, 20))  # as finalising does
    next_one.refresh_from_db()
    assert release_blocker(next_one) is None
    client.force_login(civil)
    html = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert reverse("admin:projects_instalment_release", args=[next_one.pk]) in html


def test_no_grading_before_experts_are_assigned_and_have_scored(client, demo_district):
    import datetime

    from projects.models import RubricTemplate
    from projects.services import evaluation_assign, evaluation_create, evaluation_finalise, finalise_blocker

    civil = get_user_model().objects.get(username="civil")
    evaluator = get_user_model().objects.get(username="evaluator")
    project = Project.objects.get(code="QC-2013-002")
    template = RubricTemplate.objects.filter(kind="midterm").order_by("-version").first()
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 4, 30), by=civil
    )
    assert finalise_blocker(evaluation) == "尚未指派评估专家，不能定级。"
    with pytest.raises(WorkflowError) as refused:
        evaluation_finalise(evaluation=evaluation, by=civil)
    assert refused.value.message == finalise_blocker(evaluation)
    client.force_login(civil)
    page = reverse("admin:projects_evaluation_change", args=[evaluation.pk])
    html = client.get(page).content.decode()
    assert "尚未指派评估专家，不能定级。" in html
    assert reverse("admin:projects_evaluation_finalise", args=[evaluation.pk]) not in html
    evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=civil)
    assert finalise_blocker(evaluation) == "还没有已提交的评分表，不能定级。"
    assert "还没有已提交的评分表" in client.get(page).content.decode()
