"""The logged reveal of one full value of a people-record (a case, a social worker, a volunteer)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from projects import permissions, privacy


class RevealMixin:
    """Logged reveal of one full value of a people-record, by POST (``<id>/reveal/<field>/``).

    ``revealable`` lists the fields the model's pages may reveal; whether this user may reveal this
    record's values is ``permissions.can_reveal_personal_data``.
    """

    revealable: tuple[str, ...] = ()

    def reveal_buttons(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) of the reveal buttons the change page shows ``request.user`` for ``obj``."""
        if obj is None or not permissions.can_reveal_personal_data(request.user, obj):
            return []
        return [
            (privacy.field_label(field), reverse(f"admin:{self.url_prefix}_reveal", args=[obj.pk, field]))
            for field in self.revealable
            if privacy.full_value(obj, field)
        ]

    @property
    def url_prefix(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reveal/<slug:field>/",
                self.admin_site.admin_view(self.reveal_view),
                name=f"{self.url_prefix}_reveal",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["reveal_buttons"] = self.reveal_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def reveal_view(self, request, object_id, field):
        """Show one full value to a user allowed to see it, and log that they did. POST only."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = self.get_object(request, unquote(object_id))
        if field not in self.revealable:
            raise Http404
        try:
            value = privacy.reveal(user=request.user, record=record, field=field)
        except PermissionError:
            raise PermissionDenied from None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("查看完整信息：%(record)s") % {"record": privacy.record_label(record)},
            "opts": self.opts,
            "record_label": privacy.record_label(record),
            "change_url": reverse(f"admin:{self.url_prefix}_change", args=[record.pk]),
            "label": privacy.field_label(field),
            "value": value,
        }
        response = TemplateResponse(request, "admin/projects/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response
