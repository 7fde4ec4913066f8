"""A round's published projects as open data, in the manner of 360Giving's grant standard.

``FIELDS`` is the one definition: the JSON keys (a dotted path names a key inside an object), the CSV
columns (headed by the same paths), and the documentation page (``/public/fields/``) all come from it.
As in 360Giving, ``plannedDates``, ``recipientOrganization``, ``fundingOrganization``, ``grantProgramme``
and ``beneficiaryLocation`` are lists of (here always one) objects; ``category`` is an object of ours
(the programme's colour categories are not a 360Giving codelist). A value that is not known is left out
(an empty cell in the CSV).

The files are always written in Chinese, the language of the records, whatever language the reader chose
for the pages: a file's content then depends on the data only.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.formatting import choice_label
from projects.models import Agreement, Project, Round
from projects.tabular.writing import ExportColumn, Kind

CURRENCY = "CNY"
# 360Giving's lists of objects: {"recipientOrganization": [{"id": …, "name": …}]}.
LISTS = frozenset(
    {"plannedDates", "recipientOrganization", "fundingOrganization", "grantProgramme", "beneficiaryLocation"}
)

TEXT = _("文本")
AMOUNT = _("数字：金额（元），两位小数")
INTEGER = _("整数")
DATE = _("日期：YYYY-MM-DD")
MOMENT = _("日期时间：ISO 8601，含时区")


@dataclass(frozen=True)
class Funder:
    """Who pays: the government party of the round's signed framework agreement, else the district government."""

    name: str
    id: str = ""

    @classmethod
    def of(cls, frameworks: list[Agreement]) -> "Funder":
        for agreement in frameworks:
            return cls(name=agreement.party_a.name, id=agreement.party_a.credit_code)
        return cls(name=gettext("%(district)s人民政府") % {"district": settings.QICAI_DISTRICT})


@dataclass(frozen=True)
class Context:
    round: Round
    funder: Funder


@dataclass(frozen=True)
class OpenField:
    key: str
    meaning: str
    type: str
    example: str
    read: Callable[[Project, Context], object]
    kind: Kind = "text"

    @property
    def in_list(self) -> bool:
        return self.key.split(".")[0] in LISTS


def _description(project: Project, context: Context) -> str:
    return project.description.strip() or project.objectives.strip()


def _approval_date(project: Project, context: Context) -> datetime.date | None:
    approved_at = getattr(project, "approved_at", None)
    return timezone.localdate(approved_at) if approved_at else None


def _subdistrict(project: Project, context: Context) -> str:
    place = project.subdistrict
    return (place.short_name or place.name) if place else ""


FIELDS: tuple[OpenField, ...] = (
    OpenField(
        "identifier",
        _("项目编号，在七彩工程内唯一：QC-年度-批次内序号。"),
        TEXT,
        "QC-2013-001",
        lambda p, c: p.code,
    ),
    OpenField("title", _("项目名称。"), TEXT, "江城社区阳光驿站社区矫正帮扶项目", lambda p, c: p.title),
    OpenField(
        "description",
        _("项目简介：实施单位申报时填写、随项目审定公开的服务内容摘要；没有简介的为项目目标。"),
        TEXT,
        "为江城社区社区矫正人员提供专业社会工作服务……",
        _description,
    ),
    OpenField("currency", _("币种，固定为 CNY（人民币元）。"), TEXT, CURRENCY, lambda p, c: CURRENCY),
    OpenField(
        "amountAwarded",
        _("审定金额（政府购买服务资金）。已终止项目保留原审定金额，但不计入公示合计。"),
        AMOUNT,
        "20000.00",
        lambda p, c: p.approved_amount,
        "amount",
    ),
    OpenField("awardDate", _("审定日期；系统中没有审定记录的项目省略。"), DATE, "2013-09-10", _approval_date, "date"),
    OpenField("plannedDates.startDate", _("服务期限开始日期。"), DATE, "2013-10-01", lambda p, c: p.start_date, "date"),
    OpenField("plannedDates.endDate", _("服务期限结束日期。"), DATE, "2014-09-30", lambda p, c: p.end_date, "date"),
    OpenField(
        "recipientOrganization.id",
        _("实施单位的统一社会信用代码（依法公开）；没有代码的单位（如社区居委会）省略。"),
        TEXT,
        "52320105MJ0000000X",
        lambda p, c: p.implementing_unit.credit_code,
    ),
    OpenField(
        "recipientOrganization.name",
        _("实施单位名称。"),
        TEXT,
        "江城区阳光社会工作服务中心",
        lambda p, c: p.implementing_unit.name,
    ),
    OpenField(
        "fundingOrganization.id",
        _("出资方的统一社会信用代码：年度框架协议的甲方；没有已签订的框架协议时省略。"),
        TEXT,
        "11320105MB0000000X",
        lambda p, c: c.funder.id,
    ),
    OpenField(
        "fundingOrganization.name", _("出资方：区人民政府。"), TEXT, "江城区人民政府", lambda p, c: c.funder.name
    ),
    OpenField("grantProgramme.title", _("年度批次名称。"), TEXT, "2013年度七彩工程", lambda p, c: c.round.title),
    OpenField("grantProgramme.year", _("年度。"), INTEGER, "2013", lambda p, c: c.round.year, "integer"),
    OpenField("beneficiaryLocation.name", _("项目所在街道；未填写的省略。"), TEXT, "江城街道", _subdistrict),
    OpenField("category.colour", _("七彩服务类别的颜色。"), TEXT, "红", lambda p, c: p.category.colour_name),
    OpenField("category.name", _("七彩服务类别名称。"), TEXT, "红色·阳光新生", lambda p, c: p.category.name),
    OpenField(
        "serviceModel",
        _("运作模式：社工+义工、机构+社区、机关+机构或其他。"),
        TEXT,
        "社工+义工",
        lambda p, c: choice_label(Project.ServiceModel, p.service_model),
    ),
    OpenField(
        "status",
        _("项目状态：已审定、已签约、实施中、结项或已终止。"),
        TEXT,
        "实施中",
        lambda p, c: str(p.public_state.label),
    ),
    OpenField(
        "lastModified",
        _("该项目记录最后更新的时间。"),
        MOMENT,
        "2013-10-01T09:30:00+08:00",
        lambda p, c: timezone.localtime(p.updated_at).isoformat(timespec="seconds"),
    ),
)
KEYS = tuple(field.key for field in FIELDS)


def _present(value) -> bool:
    return value is not None and value != ""


def grant(project: Project, context: Context) -> dict:
    """One project as a 360Giving-style grant: known values only, nested by the keys' paths."""
    record: dict = {}
    for open_field in FIELDS:
        value = open_field.read(project, context)
        if not _present(value):
            continue
        head, _dot, rest = open_field.key.partition(".")
        if not rest:
            record[head] = value
        elif open_field.in_list:
            record.setdefault(head, [{}])[0][rest] = value
        else:
            record.setdefault(head, {})[rest] = value
    return record


def csv_columns() -> list[ExportColumn]:
    return [ExportColumn(open_field.key, open_field.kind) for open_field in FIELDS]


def csv_row(project: Project, context: Context) -> list:
    return [open_field.read(project, context) for open_field in FIELDS]


def to_json(value) -> str:
    """JSON text in which an amount is a number with its two decimals (``20000.00``), exactly as recorded.

    ``json`` writes a Decimal only through float (``20000.0``, and not always to the fen): the structure here
    is plain (dicts, lists, text, numbers, dates), so it is written by hand around ``json.dumps``.
    """
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key)}:{to_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.date):
        return json.dumps(value.isoformat())
    if isinstance(value, bool | int | str) or value is None:
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"not written as open data: {type(value).__name__}")


def grants_json(projects: list[Project], context: Context) -> str:
    """The 360Giving package: ``{"grants": [...]}``, one grant a line."""
    lines = ",\n".join(to_json(grant(project, context)) for project in projects)
    return '{"grants":[\n' + lines + "\n]}\n"
