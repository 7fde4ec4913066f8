from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.admin.audit import TimelineInline
from projects.admin.base import (
    DateRangeFilter,
    HistoryAdmin,
    ListExportMixin,
    ReadOnlyInline,
    UserAwareForm,
    object_view,
)
from projects.admin.evaluation import EvaluationInline, StartEvaluationForm, rectification_view
from projects.admin.money import (
    BudgetLineInline,
    InstalmentInline,
    SocialFundInline,
    money_table,
    project_money_rows,
)
from projects.exports import ProjectResource
from projects.figures import instalment_plan_totals, round_money
from projects.formatting import format_cny, format_date, format_ratio, format_share, person_name, status_badge
from projects.forms import transition_form_class
from projects.models import Agreement, BudgetLine, Instalment, Project, Round, SocialFund
from projects.selectors import ProjectSummary, kept_project_summary
from projects.services import (
    TRANSITION_SERVICES,
    StaleTransition,
    WorkflowError,
    budget_line_delete,
    budget_line_save,
    budget_total,
    evaluation_start,
    evaluation_to_offer,
    project_create,
    project_creation_check,
    project_update,
    social_fund_delete,
    social_fund_record,
)
from projects.states import Action
from projects.workflow import TRANSITIONS


class AgreementInline(ReadOnlyInline):
    """The project's agreements and their signed scans: the 文件 section of the project page."""

    model = Agreement
    fk_name = "project"
    fields = ["number_link", "kind", "amount_display", "signed_date", "status_display", "scan_link"]
    readonly_fields = fields
    verbose_name_plural = _("协议书及签字盖章扫描件")
    tab = "files"
    empty_text = _("尚未起草项目协议：项目审定后，由区民政局起草并签订。")

    def get_queryset(self, request):
        self._request_user = request.user
        return super().get_queryset(request).select_related("project")

    @admin.display(description=_("协议编号"))
    def number_link(self, agreement):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:projects_agreement_change", args=[agreement.pk]), agreement.number
        )

    @admin.display(description=_("协议金额（元）"))
    def amount_display(self, agreement):
        return format_cny(agreement.amount)

    @admin.display(description=_("状态"))
    def status_display(self, agreement):
        return status_badge(agreement.status, agreement.get_status_display())

    @admin.display(description=_("扫描件"))
    def scan_link(self, agreement):
        if not agreement.scan:
            return gettext("尚未上传")
        user = getattr(self, "_request_user", None)
        if user is None or not permissions.can_download_scan(user, agreement):
            return gettext("已上传")
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:projects_agreement_scan", args=[agreement.pk]), gettext("下载")
        )


class ProjectAdminForm(UserAwareForm):
    class Meta:
        model = Project
        # The status and approved amount change only through workflow transitions.
        fields = [
            "title",
            "round",
            "category",
            "service_model",
            "target_group",
            "implementing_unit",
            "partners",
            "guiding_department",
            "subdistrict",
            "community",
            "start_date",
            "end_date",
            "requested_amount",
            "target_beneficiaries",
            "objectives",
            "description",
        ]

    def clean(self):
        cleaned = super().clean()
        round_ = cleaned.get("round")
        if not self.instance.pk and round_ is not None:
            try:
                project_creation_check(by=self.current_user, round_=round_)
            except WorkflowError as error:
                self.add_error("round", error.message)
        return cleaned


@admin.register(Project)
class ProjectAdmin(ListExportMixin, HistoryAdmin):
    form = ProjectAdminForm
    export_resource = ProjectResource
    change_form_template = "admin/projects/project/change_form.html"
    change_list_template = "admin/projects/project/change_list.html"

    def view_on_site(self, obj):
        """The project's dossier in the portal (在门户查看)."""
        return reverse("portal:project", args=[obj.code])

    list_display = [
        "code",
        "title",
        "unit_display",
        "requested_display",
        "approved_display",
        "status_display",
    ]
    list_display_links = ["code", "title"]
    list_filter = [
        "round",
        "status",
        "category",
        "service_model",
        ("subdistrict", admin.RelatedOnlyFieldListFilter),
        DateRangeFilter.on("start_date", _("开始日期")),
    ]
    search_fields = ["code", "title", "implementing_unit__name", "target_group"]
    autocomplete_fields = ["implementing_unit", "partners", "guiding_department", "subdistrict", "community"]
    readonly_fields = [
        "code",
        "status",
        "approved_amount",
        "money_summary",
        "service_summary",
        "created_at",
        "updated_at",
    ]
    inlines = [
        TimelineInline,
        BudgetLineInline,
        SocialFundInline,
        InstalmentInline,
        AgreementInline,
        EvaluationInline,
    ]
    actions = ["bulk_recommend", "bulk_approve", "bulk_start", "bulk_archive"]
    row_services = {
        BudgetLine: (
            lambda row, by: budget_line_save(line=row, by=by),
            lambda row, by: budget_line_delete(line=row, by=by),
        ),
        SocialFund: (
            lambda row, by: social_fund_record(fund=row, by=by),
            lambda row, by: social_fund_delete(fund=row, by=by),
        ),
    }
    # The project page: a summary header, then these sections as tabs (each section one at a time on
    # screen; without scripts they follow each other). Fieldsets name their tab in their classes,
    # inlines in their ``tab`` attribute.
    tabs = [
        ("basic", _("基本信息")),
        ("money", _("资金")),
        ("service", _("服务")),
        ("evaluation", _("评估")),
        ("history", _("流转与历史")),
        ("files", _("文件")),
    ]
    fieldsets = [
        (None, {"fields": ["code", "title", "round", "status", "category", "service_model", "target_group"]}),
        (_("承接与指导"), {"fields": ["implementing_unit", "partners", "guiding_department"]}),
        (_("服务地点与周期"), {"fields": ["subdistrict", "community", "start_date", "end_date"]}),
        (_("申请金额与服务目标"), {"fields": ["requested_amount", "approved_amount", "target_beneficiaries"]}),
        (_("项目内容"), {"fields": ["objectives", "description"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
        (_("资金情况"), {"fields": ["money_summary"], "classes": ["tab-money"]}),
        (_("目标与实际"), {"fields": ["service_summary"], "classes": ["tab-service"]}),
    ]

    # -- scope ----------------------------------------------------------------------

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj)

    def can_change_object(self, user, obj):
        return permissions.can_edit_project(user, obj)

    def can_delete_object(self, user, obj):
        return permissions.can_delete_project(user, obj)

    def has_add_permission(self, request):
        user = request.user
        return super().has_add_permission(request) and (
            permissions.sees_whole_portfolio(user) or permissions.is_implementing_unit(user)
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and permissions.is_implementing_unit(request.user):
            readonly += ["implementing_unit", "round"]
        elif obj is not None and obj.approved_amount is not None:
            # Once approved, the round (its budget), the unit (party B) and the request are settled.
            readonly += ["implementing_unit", "round", "requested_amount"]
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round" and permissions.is_implementing_unit(request.user):
            kwargs["queryset"] = Round.objects.filter(status=Round.Status.OPEN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            project_update(project=obj, by=request.user)
        else:
            project_create(project=obj, by=request.user)

    # -- list columns ---------------------------------------------------------------

    @staticmethod
    def summary(project) -> ProjectSummary:
        """The project's figures, read once per page however many fields show them."""
        if not hasattr(project, "_summary"):
            project._summary = kept_project_summary(project)
        return project._summary

    @admin.display(description=_("资金情况"))
    def money_summary(self, project):
        return money_table(project_money_rows(project, self.summary(project).money)) if project.pk else "—"

    @admin.display(description=_("目标与实际"))
    def service_summary(self, project):
        if not project.pk:
            return "—"
        summary = self.summary(project)
        service = summary.service
        reached = summary.target_reached
        rows = [
            (_("目标服务人数"), summary.target_beneficiaries),
            (
                _("实际服务人数（去重）"),
                f"{service.people_served}" + (f"（{format_ratio(reached)}）" if reached is not None else ""),
            ),
            (_("个案数（服务中）"), f"{service.cases}（{service.open_cases}）"),
            (_("跟踪记录"), service.follow_ups),
            (_("服务活动"), service.activities),
            *((f"　{label}", n) for label, n in service.activities_by_type.items()),
            (_("活动参与人次"), service.participants),
            (_("义工服务时数"), service.volunteer_hours),
            (_("社工服务时数"), service.social_worker_hours),
            *((kind, grade) for kind, grade in summary.grades.items()),
        ]
        return money_table(rows)

    @admin.display(description=_("实施单位"), ordering="implementing_unit__name")
    def unit_display(self, project):
        return project.implementing_unit.short_name or project.implementing_unit.name

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, project):
        # The enum's label, not get_status_display(), which rebuilds the choices' dict on every row.
        return status_badge(project.status, Project.Status(project.status).label)

    @admin.display(description=_("申请金额（元）"), ordering="requested_amount")
    def requested_display(self, project):
        return format_cny(project.requested_amount)

    @admin.display(description=_("审定金额（元）"), ordering="approved_amount")
    def approved_display(self, project):
        return format_cny(project.approved_amount)

    # -- workflow ---------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/rectification/",
                self.admin_site.admin_view(lambda request, object_id: rectification_view(self, request, object_id)),
                name="projects_project_rectification",
            ),
            path(
                "<path:object_id>/evaluate/",
                self.admin_site.admin_view(self.evaluate_view),
                name="projects_project_evaluate",
            ),
            path(
                "<path:object_id>/transition/<slug:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="projects_project_transition",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            user = request.user
            summary = self.summary(obj)
            context.update(
                {
                    "summary": summary,
                    "available_transitions": permissions.available_transitions(user, obj),
                    "can_record_social_funds": permissions.can_record_social_funds(user, obj),
                    "can_keep_casework": permissions.can_keep_casework(user, obj),
                    "sees_casework": permissions.can_view_casework(user, obj),
                    "can_clear_rectification": permissions.can_clear_rectification(user, obj),
                    "evaluation_due": evaluation_to_offer(user, obj, open_evaluations=summary.open_evaluations),
                    "project_tabs": self.project_tabs(context["adminform"], context["inline_admin_formsets"]),
                    "inline_totals": self.inline_totals(obj, summary, context["inline_admin_formsets"]),
                    # The page is the project, not a form about it: its header says what it is.
                    "title": f"{obj.code} {obj.title}",
                    "subtitle": None,
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # A new application has no money position or service yet: only what the applicant fills in.
            fieldsets = [(name, options) for name, options in fieldsets if not options.get("classes")]
            if permissions.is_implementing_unit(request.user):
                # A unit's project is always its own: the service sets the implementing unit.
                return [
                    (name, {**options, "fields": [f for f in options["fields"] if f != "implementing_unit"]})
                    for name, options in fieldsets
                ]
        return fieldsets

    def project_tabs(self, adminform, inline_admin_formsets) -> list[dict]:
        """The page's sections: each fieldset and inline under the tab it names (基本信息 by default)."""
        tabs = {key: {"key": key, "label": label, "fieldsets": [], "inlines": []} for key, label in self.tabs}
        for index, fieldset in enumerate(adminform):
            key = next((name[4:] for name in fieldset.classes.split() if name.startswith("tab-")), "basic")
            tabs[key]["fieldsets"].append((index, fieldset))
        for inline in inline_admin_formsets:
            tabs[getattr(inline.opts, "tab", "basic")]["inlines"].append(inline)
        return list(tabs.values())

    def inline_totals(self, project, summary, inline_admin_formsets) -> dict:
        """The totals rows of the budget and instalment tables, keyed by formset prefix (tabular_totals.html)."""
        totals = {}
        for inline in inline_admin_formsets:
            model = inline.opts.model
            if model is BudgetLine:
                total = budget_total(project.budget_lines.all())
                row = {"category": gettext("合计"), "amount": format_cny(total), "amount_shown": format_cny(total)}
                if total != project.requested_amount:
                    row["note"] = gettext(
                        "预算合计 %(total)s 元，与申请金额 %(requested)s 元不一致，提交申报前请调整。"
                    ) % {
                        "total": format_cny(total),
                        "requested": format_cny(project.requested_amount),
                    }
                totals[inline.formset.prefix] = row
            elif model is Instalment:
                planned = instalment_plan_totals(project)
                if planned.count:
                    totals[inline.formset.prefix] = {
                        "name": gettext("合计"),
                        "percent": format_share(planned.percent),
                        "percent_shown": format_share(planned.percent),
                        "amount_display": format_cny(planned.amount),
                        "status_display": gettext("已拨付 %(amount)s 元")
                        % {"amount": format_cny(summary.money.disbursed)},
                    }
        return totals

    @object_view("GET", "POST")
    def transition_view(self, request, project, action):
        """GET shows a confirmation with a comment field; POST takes the transition through its service."""
        transition = TRANSITIONS.get(action)
        if transition is None:
            raise Http404(gettext("没有这个操作。"))
        change_url = self.change_url(project)
        if not permissions.can_transition(request.user, project, transition):
            if request.method == "POST" and request.POST.get("version") not in (None, str(project.version)):
                messages.error(request, gettext("该项目已被他人处理，本次操作未生效。请查看最新状态。"))
            else:
                messages.error(
                    request,
                    gettext("您不能对项目 %(code)s 执行“%(action)s”（当前状态：%(status)s）。")
                    % {"code": project.code, "action": transition.label, "status": project.get_status_display()},
                )
            return HttpResponseRedirect(change_url)

        form_class = transition_form_class(action)
        form = form_class(request.POST or None, transition=transition, project=project)
        if request.method == "POST" and form.is_valid():
            try:
                TRANSITION_SERVICES[action](
                    project=project,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.service_arguments(),
                )
            except StaleTransition as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(change_url)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    gettext("项目 %(code)s 已%(action)s，当前状态：%(status)s。")
                    % {"code": project.code, "action": transition.label, "status": project.get_status_display()},
                )
                return HttpResponseRedirect(change_url)
        return self.render_view(
            request,
            "admin/projects/project/transition.html",
            title=gettext("%(action)s：%(code)s") % {"action": transition.label, "code": project.code},
            remaining_budget=round_money(project.round_id).remaining if action == Action.APPROVE else None,
            project=project,
            transition=transition,
            form=form,
            change_url=change_url,
        )

    @object_view("GET", "POST")
    def evaluate_view(self, request, project):
        """发起评估: open the evaluation the project waits for, with its rubric, due date and experts, in one form."""
        change_url = self.change_url(project)
        kind = evaluation_to_offer(request.user, project, open_evaluations=self.summary(project).open_evaluations)
        if kind is None:
            if not permissions.can_organise_evaluations(request.user, project):
                raise PermissionDenied
            messages.error(
                request,
                gettext("项目 %(code)s 现在不能发起评估（%(step)s）。")
                % {"code": project.code, "step": self.summary(project).next_step},
            )
            return HttpResponseRedirect(change_url)
        form = StartEvaluationForm(request.POST or None, project=project, kind=kind)
        if request.method == "POST" and form.is_valid():
            try:
                evaluation = evaluation_start(project=project, kind=kind, by=request.user, **form.cleaned_data)
            except WorkflowError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    gettext("已发起%(kind)s，并指派评估专家 %(names)s，评分截止 %(due)s。")
                    % {
                        "kind": kind.label,
                        "names": "、".join(person_name(user) for user in form.cleaned_data["evaluators"]),
                        "due": format_date(evaluation.due_date),
                    },
                )
                return HttpResponseRedirect(change_url + "#tab-evaluation")
        return self.render_view(
            request,
            "admin/projects/project/evaluate.html",
            title=gettext("发起%(kind)s：%(code)s") % {"kind": kind.label, "code": project.code},
            project=project,
            kind=kind,
            form=form,
            change_url=change_url,
        )

    def _bulk(self, request, queryset, action, arguments=lambda project: {}):
        transition = TRANSITIONS[action]
        done, refused = [], []
        for project in queryset.order_by("code"):
            try:
                TRANSITION_SERVICES[action](project=project, by=request.user, **arguments(project))
                done.append(project.code)
            except WorkflowError as error:
                refused.append(f"{project.code}：{error.message}")
        if done:
            messages.success(
                request,
                gettext("已%(action)s %(count)d 个项目：%(codes)s")
                % {"action": transition.label, "count": len(done), "codes": "、".join(done)},
            )
        for line in refused:
            messages.warning(request, gettext("未处理 %(line)s") % {"line": line})

    @admin.action(description=_("初审通过并推荐所选项目"), permissions=["review"])
    def bulk_recommend(self, request, queryset):
        self._bulk(request, queryset, Action.RECOMMEND)

    @admin.action(description=_("按申请金额审定所选项目"), permissions=["approve"])
    def bulk_approve(self, request, queryset):
        self._bulk(request, queryset, Action.APPROVE, lambda project: {"amount": project.requested_amount})

    @admin.action(description=_("启动实施所选项目"), permissions=["start"])
    def bulk_start(self, request, queryset):
        self._bulk(request, queryset, Action.START)

    @admin.action(description=_("归档所选项目"), permissions=["archive"])
    def bulk_archive(self, request, queryset):
        self._bulk(request, queryset, Action.ARCHIVE)

    def has_review_permission(self, request):
        return permissions.holds_transition_permission(request.user, TRANSITIONS[Action.RECOMMEND])

    def has_approve_permission(self, request):
        return permissions.holds_transition_permission(request.user, TRANSITIONS[Action.APPROVE])

    def has_start_permission(self, request):
        return permissions.holds_transition_permission(request.user, TRANSITIONS[Action.START])

    def has_archive_permission(self, request):
        return permissions.holds_transition_permission(request.user, TRANSITIONS[Action.ARCHIVE])
