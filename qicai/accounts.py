"""Idle accounts and the sign-in forms.

An account without a sign-in for ``QICAI_ACCOUNT_IDLE_DAYS`` days (0: never) is deactivated
(``is_active=False``), never deleted, so the audit trail keeps its name. It is checked in two places, as
there is no scheduler for periodic work (the django-tasks worker runs what is enqueued, nothing on a
clock): ``manage.py deactivate_idle_accounts`` (run daily by cron or a systemd timer), and at sign-in,
where a right password on an account idle too long deactivates it and the page says so.

How long an account has been idle counts from its last sign-in, or from when it was created if it never
signed in, or from when an administrator last reactivated it, whichever is latest. A reactivation is an
audit row (``ACCOUNT_REACTIVATE``, written by the user admin when 有效 is ticked again), so the fresh
window needs no column of its own and the trail says who reactivated whom: Django's ``last_login`` stays
the truth about sign-ins, and ``date_joined`` about creation. Superusers are included, but the last
active superuser is never deactivated (someone must be able to reactivate the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from projects.audit import AuditAction, log_action


@dataclass(frozen=True)
class IdleAccount:
    user: object
    last_seen: datetime
    days: int  # whole days since last_seen


def idle_days() -> int:
    return max(0, settings.QICAI_ACCOUNT_IDLE_DAYS)


def reactivations(user_ids=None) -> dict[int, datetime]:
    """When each user was last reactivated by an administrator (from the audit trail)."""
    from projects.models import AuditEntry

    entries = AuditEntry.objects.filter(
        action=AuditAction.ACCOUNT_REACTIVATE, content_type=ContentType.objects.get_for_model(get_user_model())
    )
    if user_ids is not None:
        entries = entries.filter(object_id__in=[str(pk) for pk in user_ids])
    return {int(row["object_id"]): row["at"] for row in entries.values("object_id").annotate(at=Max("at"))}


def last_seen(user, reactivated_at: datetime | None = None) -> datetime:
    """The start of the user's idle time: last sign-in, else creation; a later reactivation restarts it."""
    seen = user.last_login or user.date_joined
    return max(seen, reactivated_at) if reactivated_at else seen


def other_active_superuser(user) -> bool:
    return get_user_model().objects.filter(is_active=True, is_superuser=True).exclude(pk=user.pk).exists()


def idle_accounts(now: datetime | None = None) -> list[IdleAccount]:
    """Active accounts idle beyond the limit, longest idle first; the last active superuser is never among them."""
    days = idle_days()
    if not days:
        return []
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    User = get_user_model()
    candidates = list(
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login=None, date_joined__lt=cutoff))
        .order_by("pk")
    )
    reactivated = reactivations([u.pk for u in candidates]) if candidates else {}
    idle = []
    for user in candidates:
        seen = last_seen(user, reactivated.get(user.pk))
        if seen < cutoff:
            idle.append(IdleAccount(user, seen, (now - seen).days))
    idle.sort(key=lambda account: (account.last_seen, account.user.pk))
    idle_superusers = [a for a in idle if a.user.is_superuser]
    if idle_superusers:
        others = (
            User.objects.filter(is_active=True, is_superuser=True)
            .exclude(pk__in=[a.user.pk for a in idle_superusers])
            .exists()
        )
        if not others:  # keep the superuser seen most recently
            idle.remove(idle_superusers[-1])
    return idle


def _deactivate(account: IdleAccount, days: int) -> None:
    user = account.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    log_action(
        action=AuditAction.ACCOUNT_IDLE_DEACTIVATE,
        actor=None,
        obj=user,
        days=days,
        last_seen=timezone.localtime(account.last_seen).date(),
        comment=gettext("连续 %(days)d 天未登录") % {"days": account.days},
    )


def deactivate_idle_accounts(*, dry_run: bool = False, now: datetime | None = None) -> list[IdleAccount]:
    """Deactivate every idle account (``manage.py deactivate_idle_accounts``); returns them."""
    with transaction.atomic():
        accounts = idle_accounts(now)
        if not dry_run:
            for account in accounts:
                _deactivate(account, idle_days())
    return accounts


def deactivate_if_idle(user, now: datetime | None = None) -> IdleAccount | None:
    """At sign-in, after a right password: deactivate the account if it has been idle too long."""
    days = idle_days()
    if not days or not user.is_active:
        return None
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    if last_seen(user) >= cutoff:  # the common case: no query
        return None
    seen = last_seen(user, reactivations([user.pk]).get(user.pk))
    if seen >= cutoff or (user.is_superuser and not other_active_superuser(user)):
        return None
    account = IdleAccount(user, seen, (now - seen).days)
    with transaction.atomic():
        _deactivate(account, days)
    return account


def reactivate(user, *, by) -> None:
    """Record that an administrator set the account active again: its idle time starts afresh."""
    log_action(action=AuditAction.ACCOUNT_REACTIVATE, actor=by, obj=user)


def idle_message(days: int) -> str:
    return ngettext(
        "该账号已超过 %(days)d 天未登录，已按规定自动停用。如需继续使用，请联系区民政局（社工办）系统管理员重新启用。",
        "该账号已超过 %(days)d 天未登录，已按规定自动停用。如需继续使用，请联系区民政局（社工办）系统管理员重新启用。",
        days,
    ) % {"days": days}


def deactivated_message(user) -> str:
    """What the sign-in page says to someone who typed the right password of a deactivated account."""
    from projects.models import AuditEntry

    latest = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(user),
            object_id=str(user.pk),
            action__in=[AuditAction.ACCOUNT_IDLE_DEACTIVATE, AuditAction.ACCOUNT_REACTIVATE],
        )
        .order_by("-at", "-pk")
        .first()
    )
    if latest is not None and latest.action == AuditAction.ACCOUNT_IDLE_DEACTIVATE:
        return idle_message(latest.data.get("days") or idle_days())
    return gettext("该账号已停用。如需继续使用，请联系区民政局（社工办）系统管理员重新启用。")


class IdleCheckMixin:
    """For Django's sign-in forms: an idle account is deactivated on a right password, and a deactivated
    account's right password gets an explanation instead of "wrong password"."""

    def confirm_login_allowed(self, user):
        account = deactivate_if_idle(user)
        if account is not None:
            raise ValidationError(idle_message(idle_days()), code="idle")
        super().confirm_login_allowed(user)

    def get_invalid_login_error(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            User = get_user_model()
            user = User._default_manager.filter(**{User.USERNAME_FIELD: username}, is_active=False).first()
            if user is not None and user.check_password(password):
                return ValidationError(deactivated_message(user), code="inactive")
        return super().get_invalid_login_error()


class SignInForm(IdleCheckMixin, AuthenticationForm):
    """The portal's sign-in form."""


class AdminSignInForm(IdleCheckMixin, AdminAuthenticationForm):
    """The admin's sign-in form (``QicaiAdminSite.login_form``)."""
