"""Masking of personal data, and the logged reveal of a full value. The one home of the masking rule.

The rule: from everything a user can see or export about a person without a logged reveal, at
least 10,000 candidate ID numbers must remain, even for someone who knows the district's area
codes and the check-character rule. So, until a reveal:

- an ID number shows only its 6-digit area prefix (``320105************``): the birth date and
  the sequence number stay hidden, and without them the check character confirms nothing;
- a birth date shows only its year (``1958年``): with the gender shown, 365 days × 500 sequence
  numbers ≈ 182,000 candidates remain;
- a phone number shows its first 3 and last 4 digits (``138****5678``), a landline its area code
  and last 2 (``025-******34``).

Never shown together with any birth information: the ID number's tail (its check character would
filter the candidates). Lists are never sortable or filterable by birth date, ID or phone number
(``PROTECTED_LOOKUP_FIELDS`` in the admin base). A unit holding ``projects.view_personal_data``
reveals one value of one of its own records at a time by POST; each reveal and each unmasked export
leaves an audit row (``projects.audit``). Full values never go into URLs, titles or logs.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects import permissions
from projects.audit import AuditAction, log_action

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REVEALABLE_FIELDS = ("id_number", "date_of_birth", "phone")
ID_PREFIX_LENGTH = 6


def mask_id(value: str) -> str:
    """``320105195803171234`` → ``320105************``: the area prefix only."""
    if not value:
        return ""
    return value[:ID_PREFIX_LENGTH] + "*" * (len(value) - ID_PREFIX_LENGTH) if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; ``025-84561234`` → ``025-******34``."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    area, _sep, number = value.rpartition("-")
    if area and len(number) > 2:
        return f"{area}-{'*' * (len(number) - 2)}{number[-2:]}"
    return "*" * len(value)


def birth_year(value: datetime.date | None) -> str:
    """``1958-03-17`` → ``1958年``: the year only, until a logged reveal."""
    return _("%(year)d年") % {"year": value.year} if value else ""


FIELD_LABELS = {"id_number": _lazy("身份证号"), "date_of_birth": _lazy("出生日期"), "phone": _lazy("联系电话")}


def field_label(field: str) -> str:
    return FIELD_LABELS[field]


def masked(record, field: str) -> str:
    """What anyone sees of ``field`` of a case, social worker or volunteer without a reveal ("—" when empty)."""
    if field == "id_number":
        shown = mask_id(record.beneficiary.id_number)
    elif field == "date_of_birth":
        shown = birth_year(record.date_of_birth)
    elif field == "phone":
        shown = mask_phone(record.phone)
    else:
        raise ValueError(field)
    return shown or "—"


def full_value(record, field: str) -> str:
    if field == "id_number":
        return record.beneficiary.id_number
    value = getattr(record, field)
    return value.isoformat() if isinstance(value, datetime.date) else value


def record_label(record) -> str:
    """How the access log names a record: a case number, or a unit person's kind and number."""
    from projects.models import Enrollment

    if isinstance(record, Enrollment):
        return record.code
    return f"{record._meta.verbose_name} #{record.pk}"


def reveal(*, user: User, record, field: str) -> str:
    """The full value of ``field`` of ``record``, logged; PermissionError if not allowed, ValueError if unknown."""
    from projects.models import Enrollment

    if field not in REVEALABLE_FIELDS or not hasattr(record, field if field != "id_number" else "beneficiary"):
        raise ValueError(field)
    if field != "phone" and not isinstance(record, Enrollment):
        raise ValueError(field)
    if not permissions.can_reveal_personal_data(user, record):
        raise PermissionError
    log_action(action=AuditAction.PERSONAL_DATA_REVEAL, actor=user, obj=record, field=field)
    return full_value(record, field)


class LookupLimitReached(Exception):
    pass


def log_id_lookup(*, user: User) -> None:
    """A search by full ID number: logged like a reveal, and limited per hour.

    A search that answers "found" or "not found" for a typed number is an oracle: without a limit
    a script could try the ~182,000 candidates the mask leaves. ``QICAI_ID_LOOKUPS_PER_HOUR``.
    """
    from django.conf import settings
    from django.utils import timezone

    from projects.models import AuditEntry

    since = timezone.now() - datetime.timedelta(hours=1)
    recent = AuditEntry.objects.filter(actor=user, action=AuditAction.PERSONAL_DATA_LOOKUP, at__gte=since)
    if recent.count() >= settings.QICAI_ID_LOOKUPS_PER_HOUR:
        raise LookupLimitReached
    log_action(action=AuditAction.PERSONAL_DATA_LOOKUP, actor=user)


def log_unmasked_export(*, user: User, records: int, label: str) -> None:
    log_action(action=AuditAction.PERSONAL_DATA_EXPORT, actor=user, records=records, of=label)
