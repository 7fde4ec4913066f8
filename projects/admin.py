from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from projects import permissions
from projects.exports import AgreementResource, ProjectResource
from projects.formatting import format_cny, person_name, status_badge
from projects.forms import transition_form_class
from projects.models import Agreement, Membership, Organization, Project, ProjectTransition, Round, ServiceCategory
from projects.services import (
    TRANSITION_SERVICES,
    StaleTransition,
    WorkflowError,
    project_create,
    project_creation_check,
    round_remaining_budget,
)
from projects.workflow import TRANSITIONS, transition_label, transitions_from

User = get_user_model()


class QicaiModelAdmin(admin.ModelAdmin):
    """Admin defaults of the portfolio.

    Scope: the changelist, change pages, exports and autocomplete all start from
    ``get_queryset``, which applies the model's ``visible_to(user)``; object pages add
    the object-level predicates below, and an object outside the user's scope is a
    404 rather than Django's redirect to the index. No facet counts (one query per
    filter on big tables).
    """

    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 500

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        return queryset.for_list() if hasattr(queryset, "for_list") else queryset

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(gettext("没有找到该记录，或您无权查看。"))
        return obj

    # Object-level predicates; the model-level Django permissions are checked first.
    def can_view_object(self, user, obj) -> bool:
        return True

    def can_change_object(self, user, obj) -> bool:
        return self.can_view_object(user, obj)

    def can_delete_object(self, user, obj) -> bool:
        return self.can_change_object(user, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or self.can_view_object(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or self.can_change_object(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self.can_delete_object(request.user, obj)
        )


class ChoiceLabelHistoryHelper(HistoricalRecordContextHelper):
    """Show choice fields' labels (已提交) rather than their stored slugs (submitted) in history diffs."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(QicaiModelAdmin, SimpleHistoryAdmin):
    """A scoped admin with django-simple-history's per-field history (revert is disabled in settings)."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChoiceLabelHistoryHelper(self.model, historical_record)


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows related rows with a link to each; they are added and changed on their own pages."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    autocomplete_fields = ["organization"]
    verbose_name_plural = _("所属组织")


admin.site.unregister(User)


@admin.register(User)
class QicaiUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "organization", "is_staff", "is_active", "last_login"]
    list_select_related = ["membership__organization"]
    list_filter = ["is_staff", "is_active", "groups"]
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description=_("所属组织"), ordering="membership__organization__name")
    def organization(self, user):
        membership = getattr(user, "membership", None)
        return membership.organization if membership else "—"


@admin.register(Organization)
class OrganizationAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "type", "parent", "credit_code", "contact_person", "phone", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "type", "parent", "credit_code", "is_active"]}),
        (_("联系方式"), {"fields": ["contact_person", "phone", "address"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(QicaiModelAdmin):
    list_display = ["user", "organization", "title", "created_at"]
    list_select_related = ["user", "organization"]
    list_filter = ["organization__type"]
    search_fields = ["user__username", "user__first_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Round)
class RoundAdmin(HistoryAdmin):
    list_display = ["year", "title", "budget_display", "status", "launch_date"]
    list_filter = ["status"]
    search_fields = ["title", "year"]
    date_hierarchy = "launch_date"

    @admin.display(description=_("区级财政预算（元）"), ordering="budget")
    def budget_display(self, round_):
        return format_cny(round_.budget)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(QicaiModelAdmin):
    list_display = ["name", "colour_name", "colour", "target_group", "order"]
    list_editable = ["order"]
    search_fields = ["name", "target_group"]


class AgreementInline(ReadOnlyInline):
    model = Agreement
    fk_name = "project"
    fields = ["number", "kind", "party_a", "party_b", "amount", "signed_date", "status"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party_a", "party_b")


class TransitionInline(ReadOnlyInline):
    model = ProjectTransition
    fields = ["created_at", "action_label", "from_status", "to_status", "actor_display", "comment"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("流转记录")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("操作"))
    def action_label(self, log):
        return transition_label(log.action)

    @admin.display(description=_("操作人"))
    def actor_display(self, log):
        return person_name(log.actor)


class ProjectAdminForm(forms.ModelForm):
    current_user = None  # set per request by ProjectAdmin.get_form

    class Meta:
        model = Project
        # The status and approved amount change only through workflow transitions.
        fields = [
            "title", "round", "category", "service_model", "target_group", "implementing_unit", "partners",
            "guiding_department", "subdistrict", "community", "start_date", "end_date", "requested_amount",
            "target_beneficiaries", "objectives", "description",
        ]  # fmt: skip

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
class ProjectAdmin(ExportMixin, HistoryAdmin):
    form = ProjectAdminForm
    resource_classes = [ProjectResource]
    change_form_template = "admin/projects/project/change_form.html"
    view_on_site = False  # the portal's project page comes with the portal
    list_display = [
        "code",
        "title",
        "unit_display",
        "category",
        "service_model",
        "subdistrict_display",
        "status_display",
        "requested_display",
        "approved_display",
    ]
    list_display_links = ["code", "title"]
    list_filter = ["round", "status", "category", "service_model", ("subdistrict", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "title", "implementing_unit__name", "target_group"]
    autocomplete_fields = ["implementing_unit", "partners", "guiding_department", "subdistrict", "community"]
    date_hierarchy = "start_date"
    readonly_fields = ["code", "status", "approved_amount", "created_at", "updated_at"]
    inlines = [TransitionInline, AgreementInline]
    actions = ["bulk_recommend", "bulk_approve", "bulk_start"]
    fieldsets = [
        (None, {"fields": ["code", "title", "round", "status", "category", "service_model", "target_group"]}),
        (_("承接与指导"), {"fields": ["implementing_unit", "partners", "guiding_department"]}),
        (_("服务地点与周期"), {"fields": ["subdistrict", "community", "start_date", "end_date"]}),
        (_("资金与目标"), {"fields": ["requested_amount", "approved_amount", "target_beneficiaries"]}),
        (_("项目内容"), {"fields": ["objectives", "description"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and permissions.is_implementing_unit(request.user):
            # A unit's project is always its own: the service sets the implementing unit.
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != "implementing_unit"]})
                for name, options in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and permissions.is_implementing_unit(request.user):
            readonly += ["implementing_unit", "round"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.current_user = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round" and permissions.is_implementing_unit(request.user):
            kwargs["queryset"] = Round.objects.filter(status=Round.Status.OPEN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            project_create(project=obj, by=request.user)

    # -- list columns ---------------------------------------------------------------

    @admin.display(description=_("实施单位"), ordering="implementing_unit__name")
    def unit_display(self, project):
        return project.implementing_unit.short_name or project.implementing_unit.name

    @admin.display(description=_("所在街道"), ordering="subdistrict__name")
    def subdistrict_display(self, project):
        return (project.subdistrict.short_name or project.subdistrict.name) if project.subdistrict else "—"

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, project):
        return status_badge(project.status, project.get_status_display())

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
                "<path:object_id>/transition/<slug:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="projects_project_transition",
            ),
            *super().get_urls(),
        ]

    def available_transitions(self, user, project):
        return [t for t in transitions_from(project.status) if permissions.can_transition(user, project, t)]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["available_transitions"] = self.available_transitions(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def transition_view(self, request, object_id, action):
        """GET shows a confirmation with a comment field; POST takes the transition through its service."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        project = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, project):
            raise PermissionDenied
        transition = TRANSITIONS.get(action)
        if transition is None:
            raise Http404(gettext("没有这个操作。"))
        change_url = reverse("admin:projects_project_change", args=[project.pk])
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
        context = {
            **self.admin_site.each_context(request),
            "remaining_budget": round_remaining_budget(project.round) if action == "approve" else None,
            "title": gettext("%(action)s：%(code)s") % {"action": transition.label, "code": project.code},
            "opts": self.opts,
            "project": project,
            "transition": transition,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/projects/project/transition.html", context)

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
        self._bulk(request, queryset, "recommend")

    @admin.action(description=_("按申请金额审定所选项目"), permissions=["approve"])
    def bulk_approve(self, request, queryset):
        self._bulk(request, queryset, "approve", lambda project: {"amount": project.requested_amount})

    @admin.action(description=_("启动实施所选项目"), permissions=["start"])
    def bulk_start(self, request, queryset):
        self._bulk(request, queryset, "start")

    def has_review_permission(self, request):
        return request.user.has_perm("projects.review_project")

    def has_approve_permission(self, request):
        return request.user.has_perm("projects.approve_project")

    def has_start_permission(self, request):
        return request.user.has_perm("projects.start_project")


@admin.register(Agreement)
class AgreementAdmin(ExportMixin, HistoryAdmin):
    resource_classes = [AgreementResource]
    list_display = [
        "number",
        "kind",
        "round",
        "project",
        "party_a",
        "party_b",
        "amount_display",
        "signed_date",
        "status",
    ]
    list_filter = ["kind", "status", "round"]
    search_fields = ["number", "title", "project__code", "project__title", "party_a__name", "party_b__name"]
    autocomplete_fields = ["party_a", "party_b", "round", "project"]
    date_hierarchy = "signed_date"

    def can_view_object(self, user, obj):
        return permissions.can_view_agreement(user, obj)

    @admin.display(description=_("协议金额（元）"), ordering="amount")
    def amount_display(self, agreement):
        return format_cny(agreement.amount)


@admin.register(ProjectTransition)
class ProjectTransitionAdmin(QicaiModelAdmin):
    """The workflow log across projects: read-only for everyone."""

    list_display = ["created_at", "project", "action_label", "from_status", "to_status", "actor_display", "comment"]
    list_filter = ["action", "to_status"]
    search_fields = ["project__code", "project__title", "comment"]
    date_hierarchy = "created_at"

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.project)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, log):
        return transition_label(log.action)

    @admin.display(description=_("操作人"), ordering="actor__first_name")
    def actor_display(self, log):
        return person_name(log.actor)
