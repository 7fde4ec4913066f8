"""项目 from a spreadsheet: a round's list of projects, with their budget by category when the sheet has it.

A row with a 项目编号 updates that project (within what the user may edit); a row without one is a new
application, given its code when written. The round is found by 年度, the unit by its credit code or
its exact name, the category by its name or colour. 审定金额 and 状态 are the workflow's: a file may
carry them (an export does), they are never written, and a difference is only a warning.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects import permissions
from projects.imports.base import CHANGED, NEW, UNCHANGED, Finding, Importer, Plan, RowFailed, compare
from projects.imports.common import written_text
from projects.models import BudgetCategory, BudgetLine, Organization, Project, Round, ServiceCategory
from projects.services.money import budget_line_delete, budget_line_save
from projects.services.workflow import project_create_many, project_update
from projects.tabular.headers import Column
from projects.tabular.values import parse_amount, parse_date, parse_int

UNIT_TYPES = (Organization.Type.AGENCY, Organization.Type.SUBDISTRICT, Organization.Type.COMMUNITY)
UNVALIDATED = ["round", "implementing_unit", "category", "subdistrict", "community", "guiding_department"]

COLUMNS = [
    Column("code", "项目编号", ("编号", "项目代码")),
    Column("title", "项目名称", ("名称", "项目"), required=True),
    Column("year", "年度", ("年份", "批次", "年度批次", "项目年度"), required=True),
    Column("unit", "实施单位", ("承接单位", "实施机构", "申报单位", "项目实施单位")),
    Column("unit_code", "实施单位统一社会信用代码", ("统一社会信用代码", "信用代码", "实施单位信用代码")),
    Column("category", "服务类别", ("类别", "颜色", "服务类别（七彩）", "七彩类别")),
    Column("service_model", "运作模式", ("服务模式", "模式")),
    Column("target_group", "服务对象群体", ("服务对象", "服务人群")),
    Column("subdistrict", "所在街道", ("街道",)),
    Column("community", "所在社区", ("社区",)),
    Column("start_date", "开始日期", ("起始日期", "项目开始日期", "开始时间")),
    Column("end_date", "结束日期", ("截止日期", "项目结束日期", "结束时间")),
    Column("requested_amount", "申请金额（元）", ("申请金额", "申请资金", "申报金额", "申请经费"), summed=True),
    Column("approved_amount", "审定金额（元）", ("审定金额", "审定资金", "批准金额"), summed=True),
    Column("target_beneficiaries", "目标服务人数", ("服务人数", "计划服务人数")),
    Column("objectives", "项目目标", ("目标",)),
    Column("description", "项目简介", ("简介", "项目内容")),
    Column("status", "状态", ("项目状态",)),
]
# What a column sets on the project, and the header shown in a change.
ATTRIBUTES = {
    "title": "title",
    "year": "round",
    "unit": "implementing_unit",
    "category": "category",
    "service_model": "service_model",
    "target_group": "target_group",
    "subdistrict": "subdistrict",
    "community": "community",
    "start_date": "start_date",
    "end_date": "end_date",
    "requested_amount": "requested_amount",
    "target_beneficiaries": "target_beneficiaries",
    "objectives": "objectives",
    "description": "description",
}


def budget_aliases(name: str) -> tuple[str, ...]:
    """``人员经费（元）``, ``人员经费(元)``; ``宣传经费`` for a category not already named …经费."""
    forms = [f"{name}（元）", f"{name}(元)"]
    if not name.endswith(("经费", "费")):
        forms.append(f"{name}经费")
    return tuple(forms)


def budget_key(category: BudgetCategory) -> str:
    return f"budget:{category.pk}"


class ProjectImporter(Importer):
    key = "projects"
    label = _lazy("项目")
    model = Project
    permission = "projects.import_project"
    columns = COLUMNS
    attributes = ATTRIBUTES
    example = {
        "title": "南门社区独居老人关爱服务项目",
        "year": "2014",
        "unit": "江城区阳光社会工作服务中心",
        "category": "橙",
        "service_model": "社工+义工",
        "target_group": "独居老人",
        "subdistrict": "江城区南门街道办事处",
        "community": "南门社区",
        "start_date": "2014年9月1日",
        "end_date": "2015年8月31日",
        "requested_amount": "20,000.00",
        "target_beneficiaries": "40",
        "objectives": "摸清独居老人底数，建立个案档案，开展不间断跟踪服务。",
    }

    def file_columns(self):
        return [
            *COLUMNS,
            *(Column(budget_key(c), c.name, budget_aliases(c.name), summed=True) for c in self.budget_categories),
        ]

    @property
    def budget_categories(self) -> list[BudgetCategory]:
        if not hasattr(self, "_budget_categories"):
            self._budget_categories = list(BudgetCategory.objects.order_by("order", "pk"))
        return self._budget_categories

    # -- maps loaded once --------------------------------------------------------------------

    def preload(self, table):
        self.rounds = {r.year: r for r in Round.objects.all()}
        units = list(Organization.objects.filter(type__in=UNIT_TYPES).select_related("parent"))
        self.units_by_code = {o.credit_code: o for o in units if o.credit_code}
        self.units_by_name = {}
        for unit in units:
            self.units_by_name.setdefault(unit.name, []).append(unit)
        places = list(
            Organization.objects.filter(type__in=[Organization.Type.SUBDISTRICT, Organization.Type.COMMUNITY])
        )
        self.places = {}
        for place in places:
            for name in {place.name, place.short_name} - {""}:
                self.places.setdefault((place.type, name), []).append(place)
        self.categories = {}
        for category in ServiceCategory.objects.all():
            for name in {category.name, category.colour_name, f"{category.colour_name}色"} - {""}:
                self.categories.setdefault(name, category)
        self.models = {str(label): value for value, label in Project.ServiceModel.choices}
        codes = [str(written_text(row.value("code"))) for row in table.rows if row.value("code")]
        existing = (
            Project.objects.visible_to(self.user)
            .filter(code__in=codes)
            .select_related("round", "implementing_unit", "category", "subdistrict", "community")
        )
        self.existing = {p.code: p for p in existing}
        self.budgets = {}
        if any(k.startswith("budget:") for k in table.headers):
            for line in BudgetLine.objects.filter(project__in=list(self.existing.values())):
                sums = self.budgets.setdefault(line.project_id, {})
                sums[line.category_id] = sums.get(line.category_id, Decimal("0")) + line.amount
        self.own_unit = (
            permissions.organization_id_of(self.user) if permissions.is_implementing_unit(self.user) else None
        )

    # -- one row -----------------------------------------------------------------------------

    def build(self, row, planned, table):
        code = written_text(row.value("code")) if "code" in table.headers else ""
        project = None
        if code:
            project = self.existing.get(code)
            if project is None:
                self.refuse(planned, table, "code", _("没有找到项目 %(code)s，或您无权修改它。") % {"code": code})
                raise RowFailed
            planned.key = code
        values = self.values(row, planned, table, existing=project)
        if planned.errors:
            raise RowFailed
        amounts = self.budget_lines(row, planned, table)
        if project is None:
            if not values.get("target_group") and values.get("category"):
                values["target_group"] = values["category"].target_group  # the colour's people, as the form suggests
            record = Project(**values)
            planned.key = _("（新）%(title)s") % {"title": values.get("title", "")}
            planned.action = NEW
        else:
            record = project
            labels = {ATTRIBUTES[k]: self.header(table, k) for k in ATTRIBUTES if k in table.headers}
            planned.changes = compare(project, values, labels)
            for attribute, value in values.items():
                setattr(record, attribute, value)
            if amounts is not None:
                before = self.budgets.get(project.pk, {})
                for category in self.budget_categories:
                    old, new = before.get(category.pk, Decimal("0")), amounts.get(category.pk, Decimal("0"))
                    if old != new:
                        planned.changes.append((category.name, f"{old:,.2f}", f"{new:,.2f}"))
            planned.action = CHANGED if planned.changes else UNCHANGED
            # A list exported in any state imports back unchanged; only a change needs an editable project.
            if planned.changes and not permissions.can_edit_project(self.user, project):
                self.refuse(
                    planned,
                    table,
                    "code",
                    _("项目 %(code)s 当前不能修改（%(status)s）。")
                    % {"code": code, "status": project.get_status_display()},
                )
                raise RowFailed
        self.check_read_only(row, planned, table, project)
        if planned.action != UNCHANGED:  # nothing is written for an unchanged row: a past round's data stands
            # Foreign keys were resolved from the maps above: no query per row to check that they exist.
            exclude = [*UNVALIDATED, "code", "sequence", "status", "approved_amount"]
            self.validate(planned, table, record, exclude=exclude)
        planned.record = record
        planned.extra["budget"] = amounts

    def values(self, row, planned, table, *, existing) -> dict:
        values = {}
        text = {
            k: self.cell(row, table, planned, k, written_text)
            for k in ("title", "target_group", "objectives", "description")
        }
        values.update({k: v for k, v in text.items() if k in table.headers})
        year = self.cell(row, table, planned, "year", parse_int, required=existing is None)
        if year is not None:
            round_ = self.rounds.get(year)
            if round_ is None:
                self.refuse(planned, table, "year", _("没有 %(year)s 年度的批次。") % {"year": year})
            else:
                values["round"] = round_
        unit = self.unit(row, planned, table, required=existing is None)
        if unit is not None:
            values["implementing_unit"] = unit
        if "category" in table.headers:
            name = written_text(row.value("category"))
            category = self.categories.get(name)
            if category is None:
                self.refuse(
                    planned,
                    table,
                    "category",
                    _("没有名为“%(name)s”的服务类别（可写类别名称或颜色，如“红”）。") % {"name": name},
                )
            else:
                values["category"] = category
        elif existing is None:
            self.refuse(planned, table, None, _("新项目须填写服务类别。"))
        if "service_model" in table.headers and written_text(row.value("service_model")):
            label = written_text(row.value("service_model"))
            if label not in self.models:
                self.refuse(
                    planned,
                    table,
                    "service_model",
                    _("运作模式应为：%(choices)s。") % {"choices": "、".join(self.models)},
                )
            else:
                values["service_model"] = self.models[label]
        for key, kind in (("subdistrict", Organization.Type.SUBDISTRICT), ("community", Organization.Type.COMMUNITY)):
            if key in table.headers:
                name = written_text(row.value(key))
                if name:
                    found = self.places.get((kind, name), [])
                    if len(found) != 1:
                        self.refuse(planned, table, key, _("没有找到“%(name)s”，或有重名，请写全称。") % {"name": name})
                    else:
                        values[key] = found[0]
                else:
                    values[key] = None
        for key in ("start_date", "end_date"):
            if key in table.headers:
                values[key] = self.cell(row, table, planned, key, parse_date)
        if "requested_amount" in table.headers:
            amount = self.cell(
                row, table, planned, "requested_amount", parse_amount, unit=table.units.get("requested_amount", "元")
            )
            values["requested_amount"] = amount if amount is not None else Decimal("0")
        if "target_beneficiaries" in table.headers:
            values["target_beneficiaries"] = self.cell(row, table, planned, "target_beneficiaries", parse_int) or 0
        return values

    def unit(self, row, planned, table, *, required) -> Organization | None:
        code = written_text(row.value("unit_code")) if "unit_code" in table.headers else ""
        name = written_text(row.value("unit")) if "unit" in table.headers else ""
        unit = None
        if code:
            unit = self.units_by_code.get(code.upper())
            if unit is None:
                self.refuse(
                    planned, table, "unit_code", _("没有统一社会信用代码为 %(code)s 的实施单位。") % {"code": code}
                )
                return None
        elif name:
            found = self.units_by_name.get(name, [])
            if len(found) != 1:
                message = _("没有名为“%(name)s”的实施单位（须与系统中的名称完全一致，或填写统一社会信用代码）。")
                if found:
                    message = _("有多个名为“%(name)s”的单位，请填写统一社会信用代码。")
                self.refuse(planned, table, "unit", message % {"name": name})
                return None
            unit = found[0]
        elif self.own_unit is None and required:
            self.refuse(planned, table, "unit", _("请填写实施单位。"))
            return None
        if self.own_unit is not None:
            if unit is not None and unit.pk != self.own_unit:
                self.refuse(planned, table, "unit", _("只能导入本单位的项目。"))
                return None
            unit = unit or Organization.objects.get(pk=self.own_unit)
        return unit

    def budget_lines(self, row, planned, table) -> dict | None:
        """Amounts by budget category, when the sheet has budget columns; None otherwise."""
        keys = [budget_key(c) for c in self.budget_categories if budget_key(c) in table.headers]
        if not keys:
            return None
        amounts = {}
        for category in self.budget_categories:
            key = budget_key(category)
            if key in table.headers:
                amount = self.cell(row, table, planned, key, parse_amount, unit=table.units.get(key, "元"))
                if amount:
                    amounts[category.pk] = amount
        return amounts

    def check_read_only(self, row, planned, table, project) -> None:
        if "approved_amount" in table.headers:
            stated = self.cell(
                row, table, planned, "approved_amount", parse_amount, unit=table.units.get("approved_amount", "元")
            )
            current = project.approved_amount if project else None
            if stated is not None and stated != current:
                planned.warnings.append(
                    Finding(
                        row.number,
                        self.header(table, "approved_amount"),
                        _("审定金额不会导入：审定金额只能通过“审定”操作确定。"),
                    )
                )
        if "status" in table.headers and project is not None:
            stated = written_text(row.value("status"))
            if stated and stated != str(project.get_status_display()):
                planned.warnings.append(
                    Finding(row.number, self.header(table, "status"), _("状态不会导入：状态只随流转操作变化。"))
                )

    # -- writing -----------------------------------------------------------------------------

    def write(self, plan: Plan) -> dict[str, int]:
        new = [row for row in plan.rows if row.action == NEW]
        changed = [row for row in plan.rows if row.action == CHANGED]
        created = project_create_many(projects=[row.record for row in new], by=self.user)
        lines = [
            BudgetLine(project=project, category_id=category_id, amount=amount)
            for project, row in zip(created, new, strict=True)
            for category_id, amount in (row.extra.get("budget") or {}).items()
        ]
        BudgetLine.objects.bulk_create(lines, batch_size=1000)
        for row in changed:
            project = project_update(project=row.record, by=self.user)
            budget = row.extra.get("budget")
            if budget is not None:
                for line in list(project.budget_lines.all()):
                    budget_line_delete(line=line, by=self.user)
                for category_id, amount in budget.items():
                    budget_line_save(
                        line=BudgetLine(project=project, category_id=category_id, amount=amount), by=self.user
                    )
        return {"new": len(created), "changed": len(changed)}
