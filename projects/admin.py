from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from projects.formatting import format_cny, status_badge
from projects.models import Agreement, Membership, Organization, Project, Round, ServiceCategory
from projects.services import project_create

User = get_user_model()


class QicaiModelAdmin(admin.ModelAdmin):
    """Admin defaults of the portfolio: no facet counts (one query per filter on big tables), paged lists."""

    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 500

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        for_list = getattr(queryset, "for_list", None)
        return for_list() if for_list else queryset


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows related rows with a link to each; they are added and changed on their own pages."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
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
class OrganizationAdmin(QicaiModelAdmin):
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
class RoundAdmin(QicaiModelAdmin):
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


@admin.register(Project)
class ProjectAdmin(QicaiModelAdmin):
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
    autocomplete_fields = ["round", "implementing_unit", "partners", "guiding_department", "subdistrict", "community"]
    date_hierarchy = "start_date"
    readonly_fields = ["code", "status", "created_at", "updated_at"]
    inlines = [AgreementInline]
    fieldsets = [
        (None, {"fields": ["code", "title", "round", "status", "category", "service_model", "target_group"]}),
        (_("承接与指导"), {"fields": ["implementing_unit", "partners", "guiding_department"]}),
        (_("服务地点与周期"), {"fields": ["subdistrict", "community", "start_date", "end_date"]}),
        (_("资金与目标"), {"fields": ["requested_amount", "approved_amount", "target_beneficiaries"]}),
        (_("项目内容"), {"fields": ["objectives", "description"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

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

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            project_create(project=obj)


@admin.register(Agreement)
class AgreementAdmin(QicaiModelAdmin):
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

    @admin.display(description=_("协议金额（元）"), ordering="amount")
    def amount_display(self, agreement):
        return format_cny(agreement.amount)
