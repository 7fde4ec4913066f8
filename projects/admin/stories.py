"""Case stories (服务案例) in the admin: anonymised, written by the project's unit."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.admin.base import ListExportMixin, QicaiModelAdmin, UserAwareForm
from projects.exports import CaseStoryResource
from projects.forms import DATE_WIDGET
from projects.models import (
    CaseStory,
    Enrollment,
    Project,
)
from projects.services import (
    case_story_mark_excellent,
    case_story_save,
)

# -- case stories and the access log ----------------------------------------------------------


class CaseStoryForm(UserAwareForm):
    class Meta:
        model = CaseStory
        fields = ["project", "enrollment", "title", "narrative", "service_method", "outcome", "consent_on"]
        widgets = {"consent_on": DATE_WIDGET()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "project" in self.fields:  # absent on a read-only view page
            self.fields["project"].queryset = (
                Project.objects.visible_to(self.current_user).filter(
                    implementing_unit_id=permissions.organization_id_of(self.current_user)
                )
                if permissions.is_implementing_unit(self.current_user)
                else Project.objects.all()
            )
        if "enrollment" in self.fields:
            self.fields["enrollment"].queryset = Enrollment.objects.visible_to(self.current_user).select_related(
                "project"
            )


@admin.register(CaseStory)
class CaseStoryAdmin(ListExportMixin, QicaiModelAdmin):
    export_resource = CaseStoryResource
    form = CaseStoryForm
    list_display = ["title", "project", "consent_on", "is_excellent", "created_at"]
    list_filter = ["is_excellent", "project__round"]
    search_fields = ["title", "project__code"]
    readonly_fields = ["is_excellent"]
    actions = ["mark_excellent", "unmark_excellent"]

    def save_model(self, request, obj, form, change):
        case_story_save(story=obj, by=request.user)

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.project)

    def can_change_object(self, user, obj):
        return permissions.can_write_case_story(user, obj.project)

    def has_mark_permission(self, request):
        return permissions.can_mark_excellent_case_stories(request.user)

    @admin.action(description=_("评为优秀案例"), permissions=["mark"])
    def mark_excellent(self, request, queryset):
        for story in queryset:
            case_story_mark_excellent(story=story, by=request.user, excellent=True)
        messages.success(request, gettext("已评定 %(count)d 个优秀案例。") % {"count": queryset.count()})

    @admin.action(description=_("取消优秀案例"), permissions=["mark"])
    def unmark_excellent(self, request, queryset):
        for story in queryset:
            case_story_mark_excellent(story=story, by=request.user, excellent=False)
