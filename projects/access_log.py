"""The access log in the audit trail: sign-ins, failed sign-ins, lock-outs, refusals and downloads.

Reads of case files are logged where the case is opened (``projects.admin.cases``, ``log_case_read``); the rest
is logged here, by signal receivers (connected in ``ProjectsConfig.ready``) and one middleware:

- ``user_logged_in`` → 登录, with the client address (see below);
- ``user_login_failed`` → 登录失败, with the user name typed (never the password) and the user of that name
  if one exists; an attempt refused while the name is already locked writes nothing more (the lock-out row
  stands for it), so hammering a locked account cannot flood the trail;
- axes' ``user_locked_out`` → 账号锁定, once per user name and lock (not again for the attempts refused
  during the cool-off);
- ``AccessLogMiddleware``: a 403 for a signed-in user, or a 404 for a record that exists outside the user's
  scope (``QicaiModelAdmin.get_object`` marks it), → 拒绝访问, with the path only (never the query string),
  at most one row per user and path per minute; a download (an ``attachment`` response: list exports, the
  round's sheets, import templates, printed documents) by a signed-in user → 导出, with the file's name, its
  row count where the writer knows it and the list's filters.

The client address is personal data (PIPL). It is kept on the sign-in rows only: when a leak is traced to
an account, the addresses its sign-ins came from are what tells the account's owner from someone using
their password, and nothing else does. Reads, exports and refusals happen within a sign-in, so they need
no address of their own. (axes keeps its own record of failed attempts with addresses for the cool-off.)
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from projects.audit import AuditAction, log_action

REFUSAL_BOUND = datetime.timedelta(minutes=1)
FILTERS_KEPT = 300  # characters of a list's query string kept with an export
PATH_KEPT = 200
FILENAME = re.compile(r"filename\*=UTF-8''(?P<name>[^;]+)")
PLAIN_FILENAME = re.compile(r'filename="(?P<name>[^"]*)"')
# Query parameters that choose the file rather than the rows.
NOT_FILTERS = frozenset({"format", "o", "p"})


def client_address(request) -> str:
    """The address axes resolved for the request (its proxy settings), else the socket's."""
    if request is None:
        return ""
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    return str(address)[:45]


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def typed_username(credentials: dict | None) -> str:
    """What was typed as the user name, cut to the field's length and without control characters (PostgreSQL's
    JSON refuses a NUL)."""
    User = get_user_model()
    value = (credentials or {}).get(User.USERNAME_FIELD) or (credentials or {}).get("username") or ""
    return CONTROL_CHARACTERS.sub("", str(value))[:150]


def cooloff() -> datetime.timedelta:
    value = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(hours=float(value)) if isinstance(value, int | float) and value else REFUSAL_BOUND


# -- signal receivers -------------------------------------------------------------------------------------


def on_login(sender, request, user, **kwargs):
    log_action(action=AuditAction.LOGIN, actor=user, ip=client_address(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "_qicai_lockout_repeat", False):
        return  # refused while already locked: the lock-out row stands for it
    username = typed_username(credentials)
    User = get_user_model()
    actor = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    log_action(action=AuditAction.LOGIN_FAILED, actor=actor, username=username, ip=client_address(request))


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """One row per user name and lock: not again while the same lock's cool-off runs."""
    from projects.models import AuditEntry

    username = CONTROL_CHARACTERS.sub("", str(username or ""))[:150]
    recent = AuditEntry.objects.filter(
        action=AuditAction.LOCKOUT, data__username=username, at__gte=timezone.now() - cooloff()
    ).exists()
    if recent:
        if request is not None:
            request._qicai_lockout_repeat = True
        return
    User = get_user_model()
    actor = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    log_action(action=AuditAction.LOCKOUT, actor=actor, username=username, ip=str(ip_address or "")[:45])


def connect():
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(on_login, dispatch_uid="projects.access_log.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="projects.access_log.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="projects.access_log.locked_out")


# -- refusals and downloads -------------------------------------------------------------------------------


def mark_refused(request) -> None:
    """Log this request as refused even though it answers 404 (a record outside the user's scope)."""
    request.qicai_refused = True


def log_refusal(request, status: int) -> None:
    """拒绝访问 for the path (no query string), at most once per user and path per minute."""
    from projects.models import AuditEntry

    path = request.path[:PATH_KEPT]
    recent = AuditEntry.objects.filter(
        actor=request.user,
        action=AuditAction.ACCESS_REFUSED,
        at__gte=timezone.now() - REFUSAL_BOUND,
        data__path=path,
    ).exists()
    if not recent:
        log_action(action=AuditAction.ACCESS_REFUSED, actor=request.user, path=path, status=status)


def download_name(response) -> str:
    header = response.get("Content-Disposition", "")
    match = FILENAME.search(header) or PLAIN_FILENAME.search(header)
    return unquote(match["name"]) if match else ""


def list_filters(request) -> str:
    kept = request.GET.copy()
    for key in NOT_FILTERS:
        kept.pop(key, None)
    return unquote(kept.urlencode())[:FILTERS_KEPT]


def log_download(request, response) -> None:
    """导出: who downloaded which file, how many rows (where the writer counted them), with which filters."""
    from projects.models import AuditEntry

    name = download_name(response) or request.path
    records = getattr(response, "row_count", None)
    AuditEntry.objects.create(
        action=AuditAction.EXPORT,
        actor=request.user,
        object_repr=name[:120],
        data={
            key: value
            for key, value in {
                "records": records,
                "filters": list_filters(request),
                "path": request.path[:PATH_KEPT],
            }.items()
            if value not in (None, "")
        },
    )


def signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class AccessLogMiddleware:
    """Logs refusals and downloads of signed-in users after the view has answered (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not signed_in(request):
            return response
        status = response.status_code
        if status == 403 or (status == 404 and getattr(request, "qicai_refused", False)):
            log_refusal(request, status)
        elif (
            status == 200
            and request.method in ("GET", "POST")  # a HEAD takes no rows
            and response.get("Content-Disposition", "").startswith("attachment")
        ):
            log_download(request, response)
        return response


# -- the unusual-reading list (异常查阅) ---------------------------------------------------------------------


@dataclass
class ReadingDay:
    """One user's reading of case files on one day, beside their caseload."""

    day: datetime.date
    user: object
    organization: object
    reads: int
    caseload: int
    basis: str  # what the caseload counts
    flagged: bool

    @property
    def ratio(self) -> float | None:
        return self.reads / self.caseload if self.caseload else None


def unusual_reading(since: datetime.date, until: datetime.date, *, flagged_only: bool = True) -> list[ReadingDay]:
    """Per user and day between ``since`` and ``until``: the case files opened, the caseload, and the flag.

    A day is flagged when the user opened at least ``QICAI_UNUSUAL_READS_MIN`` case files and more than
    ``QICAI_UNUSUAL_READS_RATIO`` times their caseload. The caseload is what the user's work covers now:

    - an implementing unit's user: the open cases (服务中) of the unit's projects;
    - an evaluator: the open cases of the projects they are assigned to evaluate;
    - programme staff (and superusers) keep no cases; they read case files to inspect and to answer
      complaints. Their baseline is the open caseload of an average unit (the district's open cases over
      the units that hold any): reading more in a day than ratio × what a whole unit holds is more than an
      inspection needs, whereas the whole district's caseload would never flag anyone.

    A fixed number of queries whatever the number of users and days: the reads grouped by user and day, and
    when there are any, the users, their roles, the units' open cases and the evaluators' (grouped).
    """
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from projects import roles
    from projects.models import AuditEntry, Enrollment
    from projects.permissions import PROGRAMME_ROLES
    from projects.states import EnrollmentStatus

    minimum = settings.QICAI_UNUSUAL_READS_MIN
    ratio = settings.QICAI_UNUSUAL_READS_RATIO
    grouped = (
        AuditEntry.objects.filter(action=AuditAction.CASE_READ, day__gte=since, day__lte=until, actor__isnull=False)
        .values("actor", "day")
        .annotate(reads=Count("pk"))
        .order_by("-day", "-reads", "actor")
    )
    if flagged_only:
        grouped = grouped.filter(reads__gte=minimum)
    rows = list(grouped)
    if not rows:
        return []
    actor_ids = {row["actor"] for row in rows}
    User = get_user_model()
    users = {user.pk: user for user in User.objects.filter(pk__in=actor_ids).select_related("membership__organization")}
    role_names: dict[int, set[str]] = {}
    for user_id, name in Group.user_set.through.objects.filter(user_id__in=actor_ids).values_list(
        "user_id", "group__name"
    ):
        role_names.setdefault(user_id, set()).add(name)
    open_cases = Enrollment.objects.filter(status=EnrollmentStatus.OPEN).order_by()
    by_unit = dict(open_cases.values_list("project__implementing_unit").annotate(n=Count("pk")))
    by_evaluator = dict(
        open_cases.filter(project__evaluations__evaluators__in=actor_ids)
        .values_list("project__evaluations__evaluators")
        .annotate(n=Count("pk", distinct=True))
    )
    average_unit = -(-sum(by_unit.values()) // len(by_unit)) if by_unit else 0  # rounded up

    result = []
    for row in rows:
        user = users.get(row["actor"])
        if user is None:
            continue
        membership = getattr(user, "membership", None)  # None for a user of no organisation
        organization = membership.organization if membership is not None else None
        names = role_names.get(user.pk, set())
        if user.is_superuser or names & PROGRAMME_ROLES:
            caseload, basis = average_unit, gettext("单位平均在办个案")
        elif roles.IMPLEMENTING_UNIT in names and organization is not None:
            caseload, basis = by_unit.get(organization.pk, 0), gettext("本单位在办个案")
        elif roles.EVALUATOR in names:
            caseload, basis = by_evaluator.get(user.pk, 0), gettext("受评项目在办个案")
        else:
            caseload, basis = 0, gettext("无")
        reads = row["reads"]
        flagged = reads >= minimum and reads > ratio * caseload
        if flagged_only and not flagged:
            continue
        result.append(ReadingDay(row["day"], user, organization, reads, caseload, basis, flagged))
    return result
