"""The dashboard: a round's story in figures and charts, scoped to the user.

Programme staff see the whole round; a unit its own projects; an evaluator the projects it evaluates.
Every figure comes from ``qicai.summaries`` (the read functions), every chart from ``qicai.charts``, every
shown number through ``projects.formatting``: the annual report draws the same charts from the same
figures.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import render
from django.utils.translation import gettext as _

from projects import data_version, permissions
from projects.formatting import format_count
from projects.models import Evaluation, Project, Round, ServiceCategory
from projects.states import EvaluationStatus
from qicai import charts
from qicai.summaries import RoundReport, round_report, scope_key, summary_scope

WAN = Decimal("10000")


@dataclass
class RoundChoice:
    year: int
    label: str
    selected: bool


def _rounds(within) -> list[Round]:
    """The rounds the user has projects in (every round with projects for programme staff), newest first."""
    projects = Project.objects.all() if within is None else within
    return list(Round.objects.filter(pk__in=projects.order_by().values("round")).order_by("-year"))


def _default_round(rounds: list[Round], within) -> Round | None:
    """The latest round with approved projects (of the user's), else the latest round at all."""
    projects = Project.objects.all() if within is None else within
    latest = projects.filter(approved_amount__isnull=False).order_by().aggregate(year=Max("round__year"))["year"]
    return next((r for r in rounds if r.year == latest), rounds[0] if rounds else None)


def _wan(amount) -> Decimal:
    """An amount in 万元 to the hundredth, as the charts draw it (``format_count`` writes its labels)."""
    return (Decimal(amount or 0) / WAN).quantize(Decimal("0.01"))


def build_charts(report: RoundReport, colours: dict) -> list:
    """The dashboard's charts, in reading order; the annual report asks for the same ones."""
    summary = report.summary
    by_category = report.breakdowns["category"]
    by_subdistrict = report.breakdowns["subdistrict"]
    by_model = report.breakdowns["service_model"]
    result = [
        charts.bar_chart(
            _("项目状态"),
            list(summary.projects_by_status),
            list(summary.projects_by_status.values()),
            unit=_("个"),
            formatter=format_count,
        ),
        charts.bar_chart(
            _("各服务类别审定金额"),
            [group.label for group in by_category],
            [_wan(group.money.approved) for group in by_category],
            unit=_("万元"),
            colours=[colours.get(group.key) for group in by_category],
            formatter=format_count,
        ),
        charts.donut_chart(
            _("运作模式（项目数）"),
            [group.label for group in by_model],
            [group.projects for group in by_model],
            unit=_("个"),
            formatter=format_count,
        ),
        charts.bar_chart(
            _("各街道服务人数"),
            [group.label for group in by_subdistrict],
            [group.service.people_served for group in by_subdistrict],
            unit=_("人"),
            formatter=format_count,
        ),
        charts.bar_chart(
            _("服务活动（场次）"),
            list(summary.service.activities_by_type),
            list(summary.service.activities_by_type.values()),
            unit=_("场"),
            formatter=format_count,
        ),
    ]
    if summary.grades:
        grade_labels = list(next(iter(summary.grades.values())))
        result.append(
            charts.stacked_bar_chart(
                _("评估等级分布（项目数）"),
                list(summary.grades),
                {grade: [by_grade[grade] for by_grade in summary.grades.values()] for grade in grade_labels},
                unit=_("个"),
                formatter=format_count,
            )
        )
    if len(report.comparison) > 1:
        years = [group.label for group in report.comparison]
        result.append(
            charts.grouped_bar_chart(
                _("历年资金对比"),
                years,
                {
                    _("审定金额"): [_wan(group.money.approved) for group in report.comparison],
                    _("已拨付"): [_wan(group.money.disbursed) for group in report.comparison],
                    _("配套社会资金"): [_wan(group.money.social) for group in report.comparison],
                },
                unit=_("万元"),
                formatter=format_count,
            )
        )
        result.append(
            charts.grouped_bar_chart(
                _("历年服务对比"),
                years,
                {
                    _("项目数"): [group.projects for group in report.comparison],
                    _("服务人数"): [group.service.people_served for group in report.comparison],
                    _("个案数"): [group.service.cases for group in report.comparison],
                },
                unit=_("个/人"),
                formatter=format_count,
            )
        )
    return result


def _scope_label(user) -> str:
    if permissions.sees_whole_portfolio(user):
        return _("全区项目")
    if permissions.is_implementing_unit(user):
        return _("本单位的项目")
    if permissions.is_evaluator(user):
        return _("我参与评估的项目")
    return _("无可查看的项目")


def _report_and_charts(round_: Round, within) -> tuple[RoundReport, list]:
    report = round_report(round_, within=within)
    colours = dict(ServiceCategory.objects.values_list("pk", "colour"))
    return report, build_charts(report, colours)


@login_required
def dashboard(request):
    """The figures and charts are kept under the data version for the user's scope (``data_version``): the
    whole portfolio's cost seconds of SQL at city scale, and any change of the data makes them anew."""
    user = request.user
    within = summary_scope(user)
    scope = scope_key(user)

    def rounds_and_default():
        rounds = _rounds(within)
        return rounds, _default_round(rounds, within)

    rounds, chosen = data_version.cached("dashboard-rounds", scope, compute=rounds_and_default)
    year = request.GET.get("round", "")
    if year.isdigit():
        chosen = next((r for r in rounds if r.year == int(year)), chosen)
    context = {
        "rounds": [RoundChoice(r.year, str(r), r == chosen) for r in rounds],
        "round": chosen,
        "scope_label": _scope_label(user),
        "whole_portfolio": within is None,
        "unknown_round": bool(year) and (chosen is None or str(chosen.year) != year),
    }
    if chosen is not None:
        report, chart_list = data_version.cached(
            "dashboard", scope, chosen.pk, compute=lambda: _report_and_charts(chosen, within)
        )
        context.update(report=report, summary=report.summary, charts=chart_list)
        for by, groups in report.breakdowns.items():
            context[f"by_{by}"] = groups
    if permissions.is_evaluator(user):
        context["assignments"] = list(
            Evaluation.objects.filter(evaluators=user)
            .exclude(status=EvaluationStatus.FINALISED)
            .select_related("project")
            .order_by("due_date", "pk")[:20]
        )
    return render(request, "portal/dashboard.html", context)
