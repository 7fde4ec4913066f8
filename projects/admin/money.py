"""Money in the admin: rounds and their money position, budget lines, social funds, instalments (拨付)."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import data_version, permissions
from projects.admin.base import (
    DateRangeFilter,
    HistoryAdmin,
    ListExportMixin,
    ParentGuardedInline,
    QicaiInline,
    QicaiModelAdmin,
    ReadOnlyInline,
    UserAwareForm,
    object_view,
)
from projects.exports import InstalmentResource, RoundResource, SocialFundResource, round_money_response
from projects.figures import FIGURES, ZERO, Money, is_funded, round_money
from projects.formatting import format_cny, format_percent, format_ratio, format_yuan, status_badge
from projects.forms import DATE_WIDGET, VersionedForm
from projects.models import BudgetCategory, BudgetLine, Instalment, Project, Round, RoundInstalmentRule, SocialFund
from projects.permissions import can_release
from projects.services import (
    StaleTransition,
    WorkflowError,
    condition_unmet,
    instalment_release,
    project_agreement_signed,
    release_blocker,
    social_fund_record,
)
from projects.validators import default_in_window
from qicai.admin_changelist import SafeChangeList

HUNDRED = Decimal("100")


def money_table(rows) -> str:
    """A small two-column table of labelled figures for a read-only admin field."""
    return render_to_string("admin/projects/includes/money_table.html", {"rows": rows})


def round_money_rows(money: Money):
    """The money position of a round (``projects.figures``), as the round page shows it."""
    return [
        (_("区级财政预算"), format_yuan(money.budget)),
        (_("已审定"), format_yuan(money.approved)),
        (_("已终止项目已拨付"), format_yuan(money.terminated_paid)),
        (_("政府资金（已审定＋已终止项目已拨付）"), format_yuan(money.government)),
        (_("剩余预算"), format_yuan(money.remaining)),
        (_("已签约"), format_yuan(money.contracted)),
        (_("已拨付"), format_yuan(money.disbursed)),
        (_("待拨付（已审定未拨付）"), format_yuan(money.outstanding)),
        (_("配套社会资金"), format_yuan(money.social)),
        (_("撬动比（社会资金÷政府资金）"), format_ratio(money.leverage)),
    ]


class InstalmentRuleFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        percents = [
            form.cleaned_data["percent"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("percent")
        ]
        if percents and sum(percents) != HUNDRED:
            raise forms.ValidationError(
                gettext("各期拨付比例合计应为100%%，当前为%(sum)s%%。") % {"sum": format_percent(sum(percents))}
            )


class RoundInstalmentRuleInline(QicaiInline):
    model = RoundInstalmentRule
    formset = InstalmentRuleFormSet
    extra = 0
    verbose_name_plural = _("拨付计划（本批次项目签约时按此生成各期拨付，比例合计100%）")


# The round list's columns that sort by a money figure (their admin_order_field is an annotation).
MONEY_ORDERINGS = {figure.name for figure in FIGURES}


class RoundChangeList(SafeChangeList):
    """The round list with its money figures computed once for the page's rounds, grouped by round (one query
    per figure, kept until the data changes), rather than as correlated subqueries for every round, each
    joining every released instalment.
    Sorted by a money column, the list needs the figures in SQL: then the rounds come annotated as before."""

    def get_queryset(self, request, exclude_parameters=None):
        if not self.sorts_by_money(request):
            self.root_queryset = self.model_admin.unannotated_queryset(request)
        return super().get_queryset(request, exclude_parameters)

    def sorts_by_money(self, request) -> bool:
        ordering = self.get_ordering(request, self.model_admin.unannotated_queryset(request).none())
        return any(isinstance(field, str) and field.lstrip("-") in MONEY_ORDERINGS for field in ordering)

    def get_results(self, request):
        super().get_results(request)
        rounds = [round_ for round_ in self.result_list if not hasattr(round_, FIGURES[0].name)]
        if not rounds:
            return
        ids = sorted(round_.pk for round_ in rounds)
        # The same for every user (a round's money is not scoped), kept under the data version: a write
        # anywhere makes a new one (projects.data_version).
        totals = data_version.cached(
            "round-list-money",
            tuple(ids),
            compute=lambda: {figure.name: figure.grouped("round", round__in=ids) for figure in FIGURES},
        )
        for round_ in rounds:
            for name, by_round in totals.items():
                setattr(round_, name, by_round.get(round_.pk, ZERO))


@admin.register(Round)
class RoundAdmin(ListExportMixin, HistoryAdmin):
    export_resource = RoundResource
    list_display = [
        "year",
        "title",
        "status",
        "budget_display",
        "approved_display",
        "remaining_display",
        "contracted_display",
        "disbursed_display",
        "social_display",
        "leverage_ratio",
    ]
    list_display_links = ["year", "title"]
    search_fields = ["title", "year"]
    inlines = [RoundInstalmentRuleInline]
    readonly_fields = ["money_position"]
    fieldsets = [
        (None, {"fields": ["year", "title", "status", "launch_date", "description"]}),
        (_("资金"), {"fields": ["budget", "management_cap_percent", "money_position"]}),
        (_("服务周期"), {"fields": ["period_start", "period_end"]}),
    ]

    change_form_template = "admin/projects/round/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["sees_ranking"] = permissions.sees_whole_portfolio(request.user)
        context["can_export_money"] = self.has_export_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).with_money()

    def unannotated_queryset(self, request):
        return super().get_queryset(request)

    def get_changelist(self, request, **kwargs):
        return RoundChangeList

    def get_urls(self):
        from projects.admin.evaluation import ranking_export_view, ranking_view

        return [
            path(
                "<path:object_id>/ranking/",
                self.admin_site.admin_view(lambda request, object_id: ranking_view(self, request, object_id)),
                name="projects_round_ranking",
            ),
            path(
                "<path:object_id>/ranking/export/",
                self.admin_site.admin_view(lambda request, object_id: ranking_export_view(self, request, object_id)),
                name="projects_round_ranking_export",
            ),
            path(
                "<path:object_id>/money/export/",
                self.admin_site.admin_view(self.money_export_view),
                name="projects_round_money_export",
            ),
            *super().get_urls(),
        ]

    @object_view("GET")
    def money_export_view(self, request, round_):
        """The round's money position (the round list's row of figures) as an XLSX download."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        return round_money_response(round_)

    @admin.display(description=_("资金状况"))
    def money_position(self, round_):
        if round_.pk is None:
            return "—"
        # The change page's round comes annotated by get_queryset; another one (a history version) is read.
        money = Money.of(round_, budget=round_.budget) if hasattr(round_, "approved_total") else round_money(round_)
        return money_table(round_money_rows(money))

    @admin.display(description=_("预算（元）"), ordering="budget")
    def budget_display(self, round_):
        return format_cny(round_.budget)

    @admin.display(description=_("已审定（元）"), ordering="approved_total")
    def approved_display(self, round_):
        return format_cny(round_.approved_total)

    @admin.display(description=_("剩余预算（元）"))
    def remaining_display(self, round_):
        return format_cny(Money.of(round_, budget=round_.budget).remaining)

    @admin.display(description=_("已签约（元）"), ordering="contracted_total")
    def contracted_display(self, round_):
        return format_cny(round_.contracted_total)

    @admin.display(description=_("已拨付（元）"), ordering="disbursed_total")
    def disbursed_display(self, round_):
        return format_cny(round_.disbursed_total)

    @admin.display(description=_("社会资金（元）"), ordering="social_total")
    def social_display(self, round_):
        return format_cny(round_.social_total)

    @admin.display(description=_("撬动比"))
    def leverage_ratio(self, round_):
        return format_ratio(Money.of(round_).leverage)


@admin.register(BudgetCategory)
class BudgetCategoryAdmin(QicaiModelAdmin):
    list_display = ["name", "is_management", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class BudgetLineInline(ParentGuardedInline):
    model = BudgetLine
    fields = ["category", "description", "amount"]
    verbose_name_plural = _("预算明细（合计须等于申请金额，提交申报时检查）")
    tab = "money"
    empty_text = _("尚未填写预算明细。")
    template = "admin/projects/includes/tabular_totals.html"

    def parent_editable(self, user, project):
        return permissions.can_edit_project(user, project)

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 0  # a new application starts with rows to fill in

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category")


class SocialFundInline(ParentGuardedInline):
    model = SocialFund
    fields = ["donor", "kind", "amount", "received_on", "note"]
    autocomplete_fields = ["donor"]
    verbose_name_plural = _("配套社会资金")
    tab = "money"
    empty_text = _("尚未登记配套社会资金。")

    def parent_editable(self, user, project):
        return permissions.can_record_social_funds(user, project)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("donor")


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = [
        "name",
        "percent",
        "amount_display",
        "condition",
        "status_display",
        "released_on",
        "voucher_number",
        "action",
    ]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("拨付计划")
    tab = "money"
    empty_text = _("尚无拨付计划：签订项目协议时按批次的拨付方案生成。")
    template = "admin/projects/includes/tabular_totals.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project")

    @admin.display(description=_("计划金额（元）"))
    def amount_display(self, instalment):
        return format_cny(instalment.amount)

    @admin.display(description=_("状态"))
    def status_display(self, instalment):
        return status_badge(instalment.status, instalment.get_status_display())

    @admin.display(description=_("操作"))
    def action(self, instalment):
        user = getattr(self, "_request_user", None)
        if user is None or not can_release(user, instalment):
            return "—"
        blocker = self._blockers.get(instalment.pk) if hasattr(self, "_blockers") else release_blocker(instalment)
        if blocker:
            # Offer only what can succeed: say why instead of a button the service would refuse.
            return format_html('<span class="condition-unmet">{}</span>', blocker)
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:projects_instalment_release", args=[instalment.pk]),
            gettext("登记拨付"),
        )

    def get_formset(self, request, obj=None, **kwargs):
        self._request_user = request.user
        if obj is not None:
            instalments = list(obj.instalments.all())
            signed = project_agreement_signed(obj)
            self._blockers = {
                i.pk: release_blocker(i, instalments=instalments, agreement_signed=signed) for i in instalments
            }
        return super().get_formset(request, obj, **kwargs)


class SocialFundAdminForm(UserAwareForm):
    class Meta:
        model = SocialFund
        fields = ["project", "donor", "kind", "amount", "received_on", "note"]


@admin.register(SocialFund)
class SocialFundAdmin(ListExportMixin, QicaiModelAdmin):
    export_resource = SocialFundResource
    form = SocialFundAdminForm
    list_display = ["project", "donor", "kind", "amount_display", "received_on", "note"]
    list_filter = ["kind", "project__round", DateRangeFilter.on("received_on", _("到位日期"))]
    search_fields = ["project__code", "project__title", "donor__name", "note"]
    autocomplete_fields = ["project", "donor"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "donor")

    def can_change_object(self, user, obj):
        return permissions.can_record_social_funds(user, obj.project)

    def save_model(self, request, obj, form, change):
        social_fund_record(fund=obj, by=request.user)

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.project)

    @admin.display(description=_("金额（元）"), ordering="amount")
    def amount_display(self, fund):
        return format_cny(fund.amount)


class ReleaseForm(VersionedForm):
    released_on = forms.DateField(label=_("拨付日期"), widget=DATE_WIDGET())
    voucher_number = forms.CharField(label=_("凭证号"), max_length=40)


@admin.register(Instalment)
class InstalmentAdmin(ListExportMixin, HistoryAdmin):
    export_resource = InstalmentResource
    list_display = [
        "project",
        "name",
        "percent",
        "amount_display",
        "condition",
        "status_display",
        "released_on",
        "voucher_number",
        "released_by",
    ]
    list_filter = ["status", "condition", "project__round", DateRangeFilter.on("released_on", _("拨付日期"))]
    search_fields = ["project__code", "project__title", "voucher_number"]
    readonly_fields = [
        "project",
        "sequence",
        "name",
        "percent",
        "amount",
        "condition",
        "status",
        "released_on",
        "voucher_number",
        "released_by",
        "released_at",
    ]

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.project)

    def has_add_permission(self, request):
        return False  # plans are generated when the project agreement is signed

    def has_change_permission(self, request, obj=None):
        return False  # a release is recorded through its own confirmation page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("计划金额（元）"), ordering="amount")
    def amount_display(self, instalment):
        return format_cny(instalment.amount)

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, instalment):
        return status_badge(instalment.status, instalment.get_status_display())

    def get_urls(self):
        return [
            path(
                "<path:object_id>/release/",
                self.admin_site.admin_view(self.release_view),
                name="projects_instalment_release",
            ),
            *super().get_urls(),
        ]

    @object_view("GET", "POST")
    def release_view(self, request, instalment):
        """GET shows the instalment and its condition; POST records the release through the service."""
        project_url = reverse("admin:projects_project_change", args=[instalment.project_id])
        if not can_release(request.user, instalment):
            if request.method == "POST" and request.POST.get("version") not in (None, str(instalment.version)):
                # Released by somebody else since this page was loaded: say so, as the service would.
                messages.error(request, gettext("该期款项已被他人处理，本次登记未生效。请刷新后查看。"))
            else:
                messages.error(request, gettext("您不能登记这期拨付（已拨付，或您的角色无此权限）。"))
            return HttpResponseRedirect(project_url)
        form = ReleaseForm(
            request.POST or None,
            initial={
                "version": instalment.version,
                "released_on": default_in_window(instalment.project.round.year, instalment.project.start_date),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                instalment_release(
                    instalment=instalment,
                    by=request.user,
                    released_on=form.cleaned_data["released_on"],
                    voucher_number=form.cleaned_data["voucher_number"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleTransition as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(project_url)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    gettext("已登记 %(code)s %(name)s 拨付 %(amount)s 元。")
                    % {
                        "code": instalment.project.code,
                        "name": instalment.name,
                        "amount": format_cny(instalment.amount),
                    },
                )
                return HttpResponseRedirect(project_url)
        project = Project.objects.with_money().get(pk=instalment.project_id)
        return self.render_view(
            request,
            "admin/projects/instalment/release.html",
            title=gettext("登记拨付：%(code)s %(name)s") % {"code": project.code, "name": instalment.name},
            instalment=instalment,
            project=project,
            condition_problem=condition_unmet(instalment),
            form=form,
            project_url=project_url,
        )


def project_money_rows(project: Project, money: Money):
    """The money lines of a project page (``projects.figures``)."""
    rows = [
        (_("申请金额"), format_yuan(project.requested_amount)),
        (_("审定金额"), format_yuan(project.approved_amount)),
    ]
    if not is_funded(project):
        # Not funded: nothing of it counts in the round's figures, pledged social funds included.
        return [*rows, (_("配套社会资金"), gettext("审定后计入"))]
    return [
        *rows,
        (_("政府资金"), format_yuan(money.government)),
        (_("已拨付"), format_yuan(money.disbursed)),
        (_("待拨付"), format_yuan(money.outstanding)),
        (_("配套社会资金"), format_yuan(money.social)),
        (_("撬动比（社会资金÷政府资金）"), format_ratio(money.leverage)),
    ]
