"""``{% print_url obj %}``: the URL of ``obj``'s printed document when the current user may print it, else "".

Admin and portal pages link to the PDFs through it, so a link shows exactly where the download would
succeed (the views ask the same ``can_print_*`` predicates).
"""

from django import template
from django.urls import reverse

from awards.models import AwardRecord
from awards.permissions import can_print_certificate
from projects import permissions
from projects.models import Agreement, Evaluation, Project, Round

register = template.Library()


@register.simple_tag(takes_context=True)
def print_url(context, obj, kind: str = "") -> str:
    """For a round, ``kind`` names the background document (``"certificates"``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or obj is None:
        return ""
    if isinstance(obj, Agreement):
        allowed, url = permissions.can_print_agreement(user, obj), ("documents:agreement", [obj.pk])
    elif isinstance(obj, Evaluation):
        allowed, url = permissions.can_print_score_sheet(user, obj), ("documents:score_sheet", [obj.pk])
    elif isinstance(obj, AwardRecord):
        allowed, url = can_print_certificate(user, obj), ("documents:certificate", [obj.pk])
    elif isinstance(obj, Project):
        allowed, url = permissions.can_print_dossier(user, obj), ("documents:dossier", [obj.code])
    elif isinstance(obj, Round):
        from qicai.documents.generated import kind_for

        spec = kind_for(kind)
        allowed, url = spec is not None and spec.may_request(user, obj), ("documents:round_document", [obj.year, kind])
    else:
        return ""
    return reverse(url[0], args=url[1]) if allowed else ""
