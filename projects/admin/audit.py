"""The audit trail in the admin: a project's timeline on its page, and the filterable audit list (审计记录)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.admin.base import ListExportMixin, QicaiModelAdmin, ReadOnlyInline
from projects.audit import PERSONAL_DATA, PROJECT_VISIBLE, AuditAction, entry_summary
from projects.exports import AuditEntryResource
from projects.formatting import person_name
from projects.models import AuditEntry


class ActionFilter(admin.SimpleListFilter):
    """The actions to filter by: those whose entries the user may read."""

    title = _("操作")
    parameter_name = "action__exact"

    def lookups(self, request, model_admin):
        user = request.user
        if permissions.can_see_same_person(user):
            visible = set(AuditAction)
        elif permissions.sees_whole_portfolio(user):
            visible = set(AuditAction) - PERSONAL_DATA
        else:
            visible = PROJECT_VISIBLE
        return [(action.value, action.label) for action in AuditAction if action in visible]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


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
        return entry.get_action_display()

    @admin.display(description=_("操作人"))
    def actor_display(self, entry):
        return person_name(entry.actor)

    @admin.display(description=_("详情"))
    def summary(self, entry):
        return entry_summary(entry)


@admin.register(AuditEntry)
class AuditEntryAdmin(ListExportMixin, QicaiModelAdmin):
    """Every state change and sensitive action across the portfolio, for civil affairs and the committee."""

    export_resource = AuditEntryResource
    list_display = ["at", "action_label", "actor_display", "record", "project", "summary"]
    list_filter = [ActionFilter, ("project__round", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_repr", "project__code"]
    date_hierarchy = "at"
    fields = ["at", "action_label", "actor_display", "record", "project", "summary"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, entry):
        return entry.get_action_display()

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
