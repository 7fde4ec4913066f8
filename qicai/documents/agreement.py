"""协议书: an agreement record printed ready to sign (or for the file, once signed).

The parties with their particulars, the amount in figures and in Chinese capitals, the term, the
instalment plan and the articles, then the signature blocks. The plan of a project agreement is the
project's instalments once signing has planned them; before that, the round's plan split by
``plan_amounts``, the very function signing will use, so the paper shows what signing will record. A
framework agreement lists the round's plan by share and condition (each project's amounts follow from
its own agreement).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from projects.formatting import choice_label
from projects.models import Agreement, InstalmentCondition, ServiceCategory
from projects.services import plan_amounts
from projects.services.money import round_plan
from qicai import pdf


@dataclass(frozen=True)
class PlanRow:
    name: str
    percent: Decimal
    amount: Decimal | None
    condition: str


def agreement_plan(agreement: Agreement) -> list[PlanRow]:
    """The instalment plan the agreement states (see the module docstring)."""
    if agreement.kind == Agreement.Kind.PROJECT:
        instalments = list(agreement.project.instalments.order_by("sequence"))
        if instalments:
            return [
                PlanRow(i.name, i.percent, i.amount, choice_label(InstalmentCondition, i.condition))
                for i in instalments
            ]
    plan = round_plan(agreement.round)
    amounts: list = [None] * len(plan)
    if agreement.kind == Agreement.Kind.PROJECT:
        amounts = plan_amounts(agreement.amount, [percent for _name, percent, _condition in plan])
    return [
        PlanRow(name, percent, amount, choice_label(InstalmentCondition, condition))
        for (name, percent, condition), amount in zip(plan, amounts, strict=True)
    ]


def agreement_title(agreement: Agreement) -> str:
    if agreement.title:
        return agreement.title
    if agreement.kind == Agreement.Kind.FRAMEWORK:
        return _("%(year)s年度七彩工程服务项目协议书") % {"year": agreement.round.year}
    return _("七彩工程服务项目协议书")


def agreement_filename(agreement: Agreement) -> str:
    return pdf.pdf_filename(f"{agreement.number} {agreement_title(agreement)}")


def agreement_context(agreement: Agreement) -> dict:
    is_framework = agreement.kind == Agreement.Kind.FRAMEWORK
    return {
        "agreement": agreement,
        "project": agreement.project,
        "is_framework": is_framework,
        "plan": agreement_plan(agreement),
        "categories": list(ServiceCategory.objects.order_by("order", "name")) if is_framework else [],
        "ended": agreement.status == Agreement.Status.TERMINATED,
        "signed": agreement.status == Agreement.Status.SIGNED,
    }


def agreement_pdf(agreement: Agreement) -> bytes:
    return pdf.render_pdf("print/agreement.html", agreement_context(agreement), title=agreement_title(agreement))
