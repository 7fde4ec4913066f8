"""待办 of the awards: nominations waiting for the committee's confirmation."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from awards.models import Nomination
from awards.permissions import can_decide_nominations
from projects.todo import TodoItem, TodoRecord


def nomination_todo(user, *, with_records: int = 0) -> list[TodoItem]:
    if not can_decide_nominations(user):
        return []
    pending = Nomination.objects.filter(status=Nomination.Status.PENDING)
    changelist = reverse("admin:awards_nomination_changelist")
    item = TodoItem("decide_nomination", _("待确认的表彰提名"), pending.count(), f"{changelist}?status__exact=pending")
    if with_records and item.count:
        item.records = [
            TodoRecord(
                title=str(nomination),
                url=reverse("admin:awards_nomination_change", args=[nomination.pk]),
                project=nomination.project,
                status=nomination.get_status_display(),
            )
            for nomination in pending.for_list().order_by("round__year", "award_type__order", "pk")[:with_records]
        ]
    return [item]
