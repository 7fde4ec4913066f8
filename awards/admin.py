from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from awards.models import AwardRecord, AwardType
from projects.admin import ProjectAdmin, QicaiModelAdmin, ReadOnlyInline
from projects.models import Project


@admin.register(AwardType)
class AwardTypeAdmin(QicaiModelAdmin):
    list_display = ["name", "code", "recipient_kind", "quota", "order"]
    list_editable = ["order"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(AwardRecord)
class AwardRecordAdmin(QicaiModelAdmin):
    list_display = ["round", "award_type", "rank", "recipient", "awarded_on", "presenter"]
    list_filter = ["round", "award_type"]
    search_fields = ["project__code", "project__title", "organization__name", "person_name", "citation"]
    autocomplete_fields = ["round", "award_type", "project", "organization"]
    date_hierarchy = "awarded_on"
    fieldsets = [
        (None, {"fields": ["round", "award_type", "rank", "awarded_on", "presenter"]}),
        (_("获奖对象（三选一）"), {"fields": ["project", "organization", "person_name"]}),
        (_("表彰词"), {"fields": ["citation"]}),
    ]

    @admin.display(description=_("获奖对象"))
    def recipient(self, record):
        return record.recipient_display


class AwardRecordInline(ReadOnlyInline):
    model = AwardRecord
    fields = ["round", "award_type", "rank", "awarded_on", "presenter"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("round", "award_type")


# The awards app adds its inline to the project page; projects never imports awards.
admin.site.unregister(Project)


@admin.register(Project)
class ProjectWithAwardsAdmin(ProjectAdmin):
    inlines = [*ProjectAdmin.inlines, AwardRecordInline]
