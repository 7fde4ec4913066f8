from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from projects.admin.base import HistoryAdmin
from projects.formatting import format_cny
from projects.models import Round


@admin.register(Round)
class RoundAdmin(HistoryAdmin):
    list_display = ["year", "title", "budget_display", "status", "launch_date"]
    list_filter = ["status"]
    search_fields = ["title", "year"]
    date_hierarchy = "launch_date"

    @admin.display(description=_("区级财政预算（元）"), ordering="budget")
    def budget_display(self, round_):
        return format_cny(round_.budget)
