"""组织 from a spreadsheet: agencies, subdistricts, communities, enterprises, known by their credit code.

A row whose 统一社会信用代码 (or, without one, whose exact 组织名称) is known updates that organisation;
any other row is a new one. The credit code is checked as the form checks it (GB 32100-2015).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects.imports.base import CHANGED, NEW, UNCHANGED, Importer, Plan, RowFailed, compare
from projects.imports.common import written_text
from projects.models import Organization
from projects.tabular.headers import Column
from projects.tabular.values import parse_phone

COLUMNS = [
    Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码")),
    Column("name", "组织名称", ("单位名称", "名称", "机构名称", "组织"), required=True),
    Column("short_name", "简称", ("单位简称",)),
    Column("type", "组织类型", ("类型", "单位类型", "机构类型")),
    Column("parent", "上级单位", ("所属街道", "上级")),
    Column("contact_person", "联系人", ("负责人",)),
    Column("phone", "联系电话", ("电话", "手机")),
    Column("address", "地址", ("单位地址", "办公地址")),
]
ATTRIBUTES = {
    "credit_code": "credit_code",
    "name": "name",
    "short_name": "short_name",
    "type": "type",
    "parent": "parent",
    "contact_person": "contact_person",
    "phone": "phone",
    "address": "address",
}


class OrganizationImporter(Importer):
    key = "organizations"
    label = _lazy("组织")
    model = Organization
    permission = "projects.import_organization"
    columns = COLUMNS
    attributes = ATTRIBUTES
    example = {
        "credit_code": "52320105MJ5828371R",
        "name": "江城区晨曦社会工作服务中心",
        "short_name": "晨曦社工",
        "type": "社工机构/社会组织",
        "contact_person": "王晓燕",
        "phone": "025-84561234",
        "address": "江城区南门街道和平路 12 号",
    }

    def preload(self, table):
        organizations = list(Organization.objects.all())
        self.by_code = {o.credit_code: o for o in organizations if o.credit_code}
        self.by_name = {o.name: o for o in organizations}
        self.types = {str(label): value for value, label in Organization.Type.choices}

    def build(self, row, planned, table):
        code = (written_text(row.value("credit_code")) or "").upper() if "credit_code" in table.headers else ""
        name = self.cell(row, table, planned, "name", written_text, required=True)
        existing = self.by_code.get(code) if code else self.by_name.get(name)
        values = {"name": name}
        if code:
            values["credit_code"] = code
        for key in ("short_name", "contact_person", "address"):
            if key in table.headers:
                values[key] = self.cell(row, table, planned, key, written_text)
        if "phone" in table.headers:
            values["phone"] = self.cell(row, table, planned, "phone", parse_phone)
        if "type" in table.headers and written_text(row.value("type")):
            label = written_text(row.value("type"))
            if label not in self.types:
                self.refuse(
                    planned, table, "type", _("组织类型应为：%(choices)s。") % {"choices": "、".join(self.types)}
                )
            else:
                values["type"] = self.types[label]
        elif existing is None:
            values["type"] = Organization.Type.AGENCY
        if "parent" in table.headers:
            parent_name = written_text(row.value("parent"))
            parent = self.by_name.get(parent_name) if parent_name else None
            if parent_name and parent is None:
                self.refuse(planned, table, "parent", _("没有名为“%(name)s”的上级单位。") % {"name": parent_name})
            values["parent"] = parent
        if planned.errors:
            raise RowFailed
        if existing is not None and existing.name != name and self.by_name.get(name) not in (None, existing):
            self.refuse(planned, table, "name", _("已有另一个名为“%(name)s”的组织。") % {"name": name})
            raise RowFailed
        planned.key = code or name
        if existing is None:
            if name in self.by_name:
                self.refuse(planned, table, "name", _("已有名为“%(name)s”的组织（信用代码不同）。") % {"name": name})
                raise RowFailed
            record, planned.action = Organization(**values), NEW
        else:
            labels = {ATTRIBUTES[k]: self.header(table, k) for k in ATTRIBUTES if k in table.headers}
            planned.changes = compare(existing, values, labels)
            for attribute, value in values.items():
                setattr(existing, attribute, value)
            record, planned.action = existing, CHANGED if planned.changes else UNCHANGED
        self.validate(planned, table, record, exclude=["parent"])
        planned.record = record

    def write(self, plan: Plan) -> dict[str, int]:
        written = {"new": 0, "changed": 0}
        with transaction.atomic():
            for row in plan.rows:
                if row.action in (NEW, CHANGED):
                    row.record._history_user = self.user
                    row.record.save()
                    written[row.action] += 1
        return written
