from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from projects import permissions
from projects.admin.base import HistoryAdmin
from projects.exports import AgreementResource
from projects.formatting import format_cny
from projects.models import Agreement


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
