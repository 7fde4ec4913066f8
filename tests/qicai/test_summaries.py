"""The demo district's summaries (qicai.summaries): the README's figures, read the way the report reads them."""

from decimal import Decimal as D

import pytest

from awards.models import AwardRecord
from projects.models import Enrollment, Round, ServiceCategory
from projects.selectors import round_summary
from qicai.summaries import round_report

pytestmark = pytest.mark.django_db


def test_the_demo_rounds(demo_district):
    r2013 = Round.objects.get(year=2013)
    summary = round_summary(r2013)
    assert summary.projects == 60 and summary.money.approved == D("1000000.00") == summary.money.budget
    assert summary.money.leverage == D("0.30")
    assert summary.service.cases == Enrollment.objects.filter(project__round=r2013).count()
    r2012 = Round.objects.get(year=2012)
    report = round_report(r2012)
    assert report.summary.projects == 50 and sum(report.summary.grades["结项评估"].values()) == 50
    assert sum(report.summary.awards.values()) == AwardRecord.objects.filter(round=r2012).count() == 10
    assert len(report.breakdowns["category"]) == ServiceCategory.objects.count()
