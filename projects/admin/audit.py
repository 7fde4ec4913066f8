"""The audit trail in the admin: a project's timeline on its page, the filterable audit list (审计记录), and
the unusual-reading list (异常查阅) of the access log."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.access_log import unusual_reading
from projects.admin.base import DateRangeFilter, ListExportMixin, QicaiModelAdmin, ReadOnlyInline
from projects.audit import PROJECT_VISIBLE, RESTRICTED, AuditAction, entry_summary
from projects.exports import AuditEntryResource
from projects.formatting import person_name
from projects.models import AuditEntry
from projects.tabular.writing import ExportColumn, csv_response, xlsx_response

UNUSUAL_DAYS_SHOWN = 7  # the list's default span, ending today
UNUSUAL_SPAN_MAX = 366  # days one page may cover
ACTORS_LISTED = 15  # the actor filter's choices: the most active of the last week, not every user


class ActionFilter(admin.SimpleListFilter):
    """The actions to filter by: those whose entries the user may read."""

    title = _("操作")
    parameter_name = "action__exact"

    def lookups(self, request, model_admin):
        user = request.user
        if permissions.can_see_same_person(user):
            visible = set(AuditAction)
        elif permissions.sees_whole_portfolio(user):
            visible = set(AuditAction) - RESTRICTED
        else:
            visible = PROJECT_VISIBLE
        return [(action.value, action.label) for action in AuditAction if action in visible]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ActorFilter(admin.SimpleListFilter):
    """By who acted: the most active people of the last week (never a list of every user), the one chosen,
    and any other by the search box (user name or name)."""

    title = _("操作人")
    parameter_name = "actor"

    def chosen_id(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() and len(value) <= 12 else None

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        week = timezone.now() - datetime.timedelta(days=7)
        active = (
            model_admin.get_queryset(request)
            .filter(at__gte=week, actor__isnull=False)
            .values("actor")
            .annotate(n=Count("pk"))
            .order_by("-n", "actor")
            .values_list("actor", flat=True)[:ACTORS_LISTED]
        )
        ids = [*active, *([self.chosen_id()] if self.chosen_id() else [])]
        people = get_user_model().objects.filter(pk__in=ids)
        return sorted(((str(user.pk), person_name(user)) for user in people), key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        chosen = self.chosen_id()
        return queryset.filter(actor_id=chosen) if chosen else queryset.none()


class TimelineInline(ReadOnlyInline):
    """A project's timeline: what happened to it and its agreements, money and evaluations, oldest first."""

    model = AuditEntry
    fk_name = "project"
    fields = ["at", "action_label", "actor_display", "summary"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("流转与操作记录")
    tab = "history"
    empty_text = _("还没有流转记录。")

    def get_queryset(self, request):
        return AuditEntry.objects.visible_to(request.user).for_timeline()

    @admin.display(description=_("操作"))
    def action_label(self, entry):
        # The enum's label, as get_action_display() gives it: that one flattens and hashes all the actions'
        # lazy labels on every row (a third of the list's time).
        try:
            return AuditAction(entry.action).label
        except ValueError:
            return entry.action

    @admin.display(description=_("操作人"))
    def actor_display(self, entry):
        return person_name(entry.actor)

    @admin.display(description=_("详情"))
    def summary(self, entry):
        return entry_summary(entry)


UNUSUAL_COLUMNS = (
    ExportColumn(gettext_noop("日期"), "date", 12),
    ExportColumn(gettext_noop("用户"), "text", 14),
    ExportColumn(gettext_noop("用户名"), "text", 14),
    ExportColumn(gettext_noop("所属组织"), "text", 24),
    ExportColumn(gettext_noop("查阅个案数"), "integer", 10),
    ExportColumn(gettext_noop("在办个案（基准）"), "integer", 12),
    ExportColumn(gettext_noop("基准"), "text", 16),
    ExportColumn(gettext_noop("倍数"), "decimal", 8),
    ExportColumn(gettext_noop("异常"), "text", 6),
)


@admin.register(AuditEntry)
class AuditEntryAdmin(ListExportMixin, QicaiModelAdmin):
    """Every state change and sensitive action across the portfolio, for civil affairs and the committee."""

    big_table = True  # hundreds of thousands of rows in a city: counted by the planner's estimate when whole

    export_resource = AuditEntryResource
    change_list_template = "admin/projects/auditentry/change_list.html"
    list_display = ["at", "action_label", "actor_display", "record", "project", "summary"]
    # All rounds (a dozen), not only those with entries: that was a join of every entry to its project.
    list_filter = [ActionFilter, ActorFilter, DateRangeFilter, "project__round"]
    search_fields = ["object_repr", "project__code", "actor__username", "actor__first_name", "actor__last_name"]
    # No date drill-down: the date range serves the same purpose without reading the whole table's years.
    fields = ["at", "action_label", "actor_display", "record", "project", "summary"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_list_filter(self, request):
        # The actor filter is programme staff's (QicaiModelAdmin drops filters on user fields for others).
        filters = super().get_list_filter(request)
        if permissions.sees_whole_portfolio(request.user):
            return filters
        return [f for f in filters if f is not ActorFilter]

    def get_search_fields(self, request):
        if permissions.sees_whole_portfolio(request.user):
            return self.search_fields
        return ["object_repr", "project__code"]

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if permissions.can_read_access_log(request.user):
            extra_context["unusual_reading_url"] = reverse("admin:projects_auditentry_unusual_reading")
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, entry):
        # The enum's label, as get_action_display() gives it: that one flattens and hashes all the actions'
        # lazy labels on every row (a third of the list's time).
        try:
            return AuditAction(entry.action).label
        except ValueError:
            return entry.action

    @admin.display(description=_("操作人"), ordering="actor__first_name")
    def actor_display(self, entry):
        return person_name(entry.actor)

    @admin.display(description=_("记录"), ordering="object_repr")
    def record(self, entry):
        if entry.content_type_id and entry.content_type.model == "project":
            return "—"  # the project column says it
        if entry.content_type_id:
            return format_html("{}：{}", entry.content_type.name, entry.object_repr)
        return entry.object_repr or "—"

    @admin.display(description=_("详情"))
    def summary(self, entry):
        return entry_summary(entry)

    # -- 异常查阅 --------------------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "unusual-reading/",
                self.admin_site.admin_view(self.unusual_reading_view),
                name="projects_auditentry_unusual_reading",
            ),
            *super().get_urls(),
        ]

    def unusual_reading_view(self, request):
        """Per user and day, the case files opened beside the caseload; flagged days first (see
        ``projects.access_log.unusual_reading``). ``?since=&until=`` choose the days (the last week by
        default), ``?all=1`` lists unflagged days too, ``?format=xlsx|csv`` downloads the list."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if not permissions.can_read_access_log(request.user):
            raise PermissionDenied
        today = timezone.localdate()
        errors = []
        since = _date_param(request, "since", today - datetime.timedelta(days=UNUSUAL_DAYS_SHOWN - 1), errors)
        until = _date_param(request, "until", today, errors)
        if since > until:
            errors.append(gettext("开始日期不能晚于结束日期，已对调。"))
            since, until = until, since
        if (until - since).days >= UNUSUAL_SPAN_MAX:
            errors.append(gettext("一次最多查看 %(days)d 天，已从开始日期起截取。") % {"days": UNUSUAL_SPAN_MAX})
            until = since + datetime.timedelta(days=UNUSUAL_SPAN_MAX - 1)
        show_all = request.GET.get("all") == "1"
        days = unusual_reading(since, until, flagged_only=not show_all)
        file_format = request.GET.get("format")
        if file_format in ("xlsx", "csv"):
            return self.unusual_reading_file(days, since, until, file_format)
        changelist = reverse("admin:projects_auditentry_changelist")
        page = Paginator(days, 100).get_page(request.GET.get("p"))
        for reading in page.object_list:
            reading.audit_url = "{}?{}".format(
                changelist,
                urlencode(
                    {
                        "action__exact": AuditAction.CASE_READ.value,
                        "actor": reading.user.pk,
                        "since": reading.day.isoformat(),
                        "until": reading.day.isoformat(),
                    }
                ),
            )
        query = {"since": since.isoformat(), "until": until.isoformat(), **({"all": "1"} if show_all else {})}
        return self.render_view(
            request,
            "admin/projects/auditentry/unusual_reading.html",
            title=gettext("异常查阅"),
            page=page,
            since=since,
            until=until,
            show_all=show_all,
            errors=errors,
            minimum=settings.QICAI_UNUSUAL_READS_MIN,
            ratio=settings.QICAI_UNUSUAL_READS_RATIO,
            changelist_url=changelist,
            query=urlencode(query),
            toggle_query=urlencode({k: v for k, v in query.items() if k != "all"} | ({} if show_all else {"all": "1"})),
        )

    def unusual_reading_file(self, days, since, until, file_format):
        name = gettext("异常查阅_%(since)s至%(until)s") % {"since": since.isoformat(), "until": until.isoformat()}
        columns = [ExportColumn(gettext(c.header), c.kind, c.width) for c in UNUSUAL_COLUMNS]
        rows = (
            [
                d.day,
                person_name(d.user),
                d.user.get_username(),
                d.organization.name if d.organization else "",
                d.reads,
                d.caseload,
                d.basis,
                Decimal(f"{d.ratio:.1f}") if d.ratio is not None else None,
                gettext("是") if d.flagged else gettext("否"),
            ]
            for d in days
        )
        if file_format == "csv":
            response = csv_response(filename=f"{name}.csv", columns=columns, rows=rows)
            response.row_count = len(days)
            return response
        return xlsx_response(filename=f"{name}.xlsx", sheet=name, columns=columns, rows=rows)


def _date_param(request, name: str, default: datetime.date, errors: list) -> datetime.date:
    raw = (request.GET.get(name) or "").strip()[:10]
    if not raw:
        return default
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        errors.append(gettext("日期“%(value)s”无法识别，请用 2026-11-27 的格式。") % {"value": raw})
        return default
    return value
