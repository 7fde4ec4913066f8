"""Exports of award records and nominations, and a round's award list (表彰名单)."""

from django.utils.translation import gettext, gettext_noop

from awards.models import AwardRecord
from projects.exports import ExportResource, Field, export_response, unit_name, user_name, yes_no
from projects.models import Round


class AwardRecordResource(ExportResource):
    """Award records as the importer reads them back: exactly one of project, unit or person is filled."""

    fields = (
        Field("round", gettext_noop("年度"), "integer", "round__year", width=8),
        Field("award_type", gettext_noop("奖项"), source="award_type__name", width=14),
        Field("rank", gettext_noop("名次"), "integer", width=6),
        Field("project", gettext_noop("获奖项目编号"), source="project__code", width=14),
        Field("organization", gettext_noop("获奖单位"), source=unit_name("organization"), width=24),
        Field("person_name", gettext_noop("获奖个人")),
        Field("citation", gettext_noop("表彰词"), width=40),
        Field("awarded_on", gettext_noop("表彰日期"), "date"),
        Field("presenter", gettext_noop("颁奖单位/颁奖人"), width=20),
    )
    select_related = ("round", "award_type", "project", "organization")


AWARD_RECORD_HEADERS = AwardRecordResource.headers()


class NominationResource(ExportResource):
    fields = (
        Field("round", gettext_noop("年度"), "integer", "round__year", width=8),
        Field("award_type", gettext_noop("奖项"), source="award_type__name", width=14),
        Field("source", gettext_noop("来源"), source="get_source_display", width=14),
        Field("ranking_position", gettext_noop("排名"), "integer", width=6),
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("project_title", gettext_noop("项目名称"), source="project__title", width=30),
        Field("organization", gettext_noop("单位"), source=unit_name("organization"), width=24),
        Field("person_name", gettext_noop("个人")),
        Field("score", gettext_noop("评估得分"), "decimal"),
        Field("tied_at_cut", gettext_noop("名额线并列"), source=yes_no("tied_at_cut"), width=10),
        Field("reason", gettext_noop("提名理由"), width=30),
        Field("status", gettext_noop("状态"), source="get_status_display"),
        Field("decided_by", gettext_noop("确认人"), source=user_name("decided_by")),
        Field("decided_at", gettext_noop("确认时间"), "datetime"),
        Field("decision_note", gettext_noop("确认意见"), width=30),
    )
    select_related = ("round", "award_type", "project", "organization", "decided_by")


class AwardListResource(ExportResource):
    """A round's award list (表彰名单) as it is read out: who won, with the project and its unit."""

    fields = (
        Field("award_type", gettext_noop("奖项"), source="award_type__name", width=14),
        Field("rank", gettext_noop("名次"), "integer", width=6),
        Field("recipient", gettext_noop("获奖对象"), source="recipient_display", width=36),
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("unit", gettext_noop("实施单位"), width=24),
        Field("citation", gettext_noop("表彰词"), width=40),
        Field("awarded_on", gettext_noop("表彰日期"), "date"),
        Field("presenter", gettext_noop("颁奖单位/颁奖人"), width=20),
    )
    select_related = ("round", "award_type", "project", "project__implementing_unit", "organization")

    def value_unit(self, record) -> str | None:
        return record.project.implementing_unit.name if record.project_id else None


def award_list_response(round_: Round):
    """The round's award records, award by award and rank by rank, as an XLSX award list."""
    resource = AwardListResource()
    records = AwardRecord.objects.filter(round=round_).order_by("award_type__order", "award_type__name", "rank", "pk")
    return export_response(
        resource=resource,
        queryset=records,
        fields=resource.get_fields(),
        file_format="xlsx",
        name=gettext("%(year)s年度七彩工程表彰名单") % {"year": round_.year},
    )
