from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.admin.base import HistoryAdmin, ListExportMixin, QicaiModelAdmin, SafeActions
from projects.admin.money import money_table
from projects.exports import OrganizationResource
from projects.models import Membership, Organization, ServiceCategory
from projects.states import EvaluationStatus

User = get_user_model()


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    autocomplete_fields = ["organization"]
    verbose_name_plural = _("所属组织")


admin.site.unregister(User)


@admin.register(User)
class QicaiUserAdmin(SafeActions, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "organization", "is_staff", "is_active", "last_login"]
    list_select_related = ["membership__organization"]
    list_filter = ["is_staff", "is_active", "groups"]
    list_per_page = 50  # as every other list (Django's user list shows 100, half of its page's time)
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description=_("所属组织"), ordering="membership__organization__name")
    def organization(self, user):
        membership = getattr(user, "membership", None)
        return membership.organization if membership else "—"


@admin.register(Organization)
class OrganizationAdmin(ListExportMixin, HistoryAdmin):
    export_resource = OrganizationResource
    readonly_fields = ["grade_history"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # Another unit's project grades are that unit's business: shown to programme staff and the unit itself.
        user = request.user
        if obj is None or not (
            permissions.sees_whole_portfolio(user) or permissions.organization_id_of(user) == obj.pk
        ):
            fieldsets = [fs for fs in fieldsets if "grade_history" not in fs[1]["fields"]]
        return fieldsets

    list_display = ["name", "short_name", "type", "parent", "credit_code", "contact_person", "phone", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "type", "parent", "credit_code", "is_active"]}),
        (_("联系方式"), {"fields": ["contact_person", "phone", "address"]}),
        (_("历年项目评估"), {"fields": ["grade_history"]}),
    ]

    def get_inlines(self, request, obj):
        from projects.admin.evaluation import AgencyStandingInline, ComplianceNoteInline

        if obj is not None and obj.type == Organization.Type.AGENCY:
            return [AgencyStandingInline, ComplianceNoteInline]
        return []

    @admin.display(description=_("历年项目评估等级"))
    def grade_history(self, organization):
        from projects.models import Evaluation

        if organization.pk is None:
            return "—"
        evaluations = (
            Evaluation.objects.filter(project__implementing_unit=organization, status=EvaluationStatus.FINALISED)
            .select_related("project__round", "project")
            .order_by("-project__round__year", "project__code", "kind")
        )
        rows = [
            (f"{e.project.round.year} {e.project.code} {e.get_kind_display()}", f"{e.score}（{e.get_grade_display()}）")
            for e in evaluations
        ]
        return money_table(rows) if rows else gettext("暂无已定级的评估。")


@admin.register(Membership)
class MembershipAdmin(QicaiModelAdmin):
    list_display = ["user", "organization", "title", "created_at"]
    list_select_related = ["user", "organization"]
    list_filter = ["organization__type"]
    search_fields = ["user__username", "user__first_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(QicaiModelAdmin):
    list_display = ["name", "colour_name", "colour", "target_group", "order"]
    list_editable = ["order"]
    search_fields = ["name", "target_group"]
