"""What every portal page's header needs: the district, the navigation for the user's role, 待办."""

from functools import cached_property

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects import permissions
from qicai.todo import todo_for

# (url name, label, who sees it): "staff" is anyone signed in, "public" everyone.
NAVIGATION = (
    ("portal:dashboard", _("概览"), "staff"),
    ("portal:projects", _("项目名录"), "staff"),
    ("portal:public", _("项目公示"), "public"),
)


class Portal:
    """Lazy: a page that shows no header (an export, a JSON file) pays nothing for it."""

    def __init__(self, request):
        self.request = request
        self.user = getattr(request, "user", None)

    district = settings.QICAI_DISTRICT

    @cached_property
    def signed_in(self) -> bool:
        # Not before the second sign-in step (qicai.two_factor): no navigation, no 待办 count.
        return permissions.is_active_staff(self.user) and not getattr(self.request, "two_factor_pending", False)

    @cached_property
    def navigation(self) -> list[dict]:
        match = getattr(self.request, "resolver_match", None)
        current = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
        section = {
            "portal:project": "portal:projects",
            "portal:projects_export": "portal:projects",
            "portal:public_round": "portal:public",
            "portal:public_print": "portal:public",
            "portal:public_fields": "portal:public",
        }.get(current, current)
        return [
            {"url": reverse(name), "label": label, "current": name == section}
            for name, label, audience in NAVIGATION
            if audience == "public" or self.signed_in
        ]

    @cached_property
    def workbench(self) -> bool:
        """Whether the user may open the admin (the workbench)."""
        return self.signed_in and self.user.is_staff

    @cached_property
    def todo_count(self) -> int:
        """Everything waiting on the user, as the workbench's 待办 page counts it (one query)."""
        if not self.workbench:
            return 0
        return sum(item.count for item in todo_for(self.user))


def portal(request) -> dict:
    return {"portal": Portal(request)}
