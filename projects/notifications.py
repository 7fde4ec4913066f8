"""E-mail to the people who must act next after a transition (console backend in development)."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import permissions
from projects.formatting import person_name
from projects.models import AuditEntry, Membership
from projects.workflow import transitions_from

logger = logging.getLogger(__name__)
_enabled = ContextVar("qicai_notifications_enabled", default=True)


@contextmanager
def notifications_muted():
    """Transitions taken inside send no mail (demo seeding, data repair scripts)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def notifications_enabled() -> bool:
    return _enabled.get()


def next_actors(project) -> list:
    """Active users with an e-mail address who may take one of the project's next transitions."""
    User = get_user_model()
    recipients = {}
    for transition in transitions_from(project.status):
        app_label, codename = transition.permission.split(".")
        holders = (
            User.objects.filter(is_active=True, is_superuser=False)
            .exclude(email="")
            .filter(
                Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
                | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
            )
            .distinct()
        )
        for user in holders:
            if user.pk not in recipients and permissions.can_transition(user, project, transition):
                recipients[user.pk] = user
    return list(recipients.values())


def unit_members(project) -> list:
    return [
        m.user
        for m in Membership.objects.filter(organization_id=project.implementing_unit_id, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    ]


def notify_transition(log: AuditEntry) -> int:
    """Tell the next actors, and the implementing unit about decisions on its project. Returns mails sent."""
    project = log.project
    link = settings.QICAI_BASE_URL.rstrip("/") + reverse("admin:projects_project_change", args=[project.pk])
    actors = {u.pk: u for u in next_actors(project)}
    recipients = dict(actors)
    for member in unit_members(project):
        recipients.setdefault(member.pk, member)
    recipients.pop(log.actor_id, None)
    subject = _("【七彩工程】项目 %(code)s：%(from)s → %(to)s") % {
        "code": project.code,
        "from": log.get_from_status_display(),
        "to": log.get_to_status_display(),
    }
    sent = 0
    for user in recipients.values():
        body = _(
            "%(name)s：\n\n项目“%(title)s”（%(code)s）已由 %(actor)s 从“%(from)s”变更为“%(to)s”。\n"
            "%(comment)s\n请登录系统查看%(todo)s：\n%(link)s\n\n——七彩工程项目管理系统（系统邮件，请勿回复）"
        ) % {
            "name": person_name(user),
            "title": project.title,
            "code": project.code,
            "actor": person_name(log.actor),
            "from": log.get_from_status_display(),
            "to": log.get_to_status_display(),
            "comment": (_("意见：%(comment)s\n") % {"comment": log.comment}) if log.comment else "",
            "todo": _("并处理") if user.pk in actors else "",
            "link": link,
        }
        try:
            send_mail(subject, body, None, [user.email])
            sent += 1
        except OSError:
            logger.exception("notification mail for transition %s could not be sent", log.pk)
    return sent
