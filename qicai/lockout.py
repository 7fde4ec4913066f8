"""Login lock-out: axes' limit per user name and address, plus a limit per account.

Axes locks a user name from one address (``AXES_LOCKOUT_PARAMETERS = [["username",
"ip_address"]]``), so that one person's typos do not lock a whole office behind one NAT.
On its own that lets an attacker try four passwords from each of any number of addresses.
The handler below adds a second limit, per account across all addresses:
``QICAI_ACCOUNT_FAILURE_LIMIT`` failures within ``QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES``.

It counts axes' own attempt records (one row per user name, address and browser, with its
failure count and latest failure time), so axes' tools lift both locks alike
(``manage.py axes_reset_username``, deleting the attempts in the admin). Axes keeps those
records for the cool-off after their latest failure, which is why the window may not exceed
the cool-off (checked in settings).

Axes has no per-parameter-set limit: with ``[["username", "ip_address"], "username"]`` it
compares the larger count with one ``AXES_FAILURE_LIMIT`` and a successful login would clear
the account-wide count; hence a handler rather than settings.
"""

import logging
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

log = logging.getLogger(__name__)


class AccountLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Axes' count for this user name and address, raised to the limit once the account is locked."""
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and self.account_failures(request, credentials) >= settings.QICAI_ACCOUNT_FAILURE_LIMIT:
            # The lock-out page reads this to explain a lock that no single address caused.
            request.qicai_account_lockout_minutes = settings.QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES
            return limit
        return failures

    def account_failures(self, request, credentials: dict | None = None) -> int:
        """Failed logins for this user name from any address within the account window."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        since = now - timedelta(minutes=settings.QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES)
        attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or not getattr(request, "axes_locked_out", False):
            return
        # The user name only, as repr since it is whatever was typed; never the password.
        username = get_client_username(request, credentials)
        if getattr(request, "qicai_account_lockout_minutes", None):
            log.warning(
                "Login refused: account %r is locked after %d failed logins from any address within %d minutes.",
                username,
                settings.QICAI_ACCOUNT_FAILURE_LIMIT,
                settings.QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES,
            )
        else:
            log.warning(
                "Login refused: account %r is locked from one address after %d failed logins.",
                username,
                get_failure_limit(request, credentials),
            )
