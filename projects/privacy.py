"""Masking of ID and phone numbers, and the logged reveal of a full value.

Every page, list and export shows ``mask_id`` / ``mask_phone``. Only a user holding
``projects.view_personal_data`` may reveal a full value, one at a time, and each reveal
leaves a ``PersonalDataAccess`` row. Full values never go into URLs, titles or logs.
"""

from projects import permissions

REVEAL_PERMISSION = "projects.view_personal_data"


def mask_id(value: str) -> str:
    """``320105199001011234`` → ``3201**********1234``."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; other numbers keep only their first 3 and last 2 characters."""
    if not value:
        return ""
    digits = value.replace(" ", "")
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 5:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def can_reveal(user) -> bool:
    return permissions.is_active_staff(user) and user.has_perm(REVEAL_PERMISSION)


def reveal(*, user, beneficiary, field: str) -> str:
    """The full value of ``field`` ("id_number" or "phone"), logged; PermissionError if not allowed."""
    from projects.models import PersonalDataAccess

    if field not in ("id_number", "phone"):
        raise ValueError(field)
    if not (can_reveal(user) and permissions.can_view_beneficiary(user, beneficiary)):
        raise PermissionError
    PersonalDataAccess.objects.create(user=user, beneficiary=beneficiary, field=field)
    return getattr(beneficiary, field)


def log_unmasked_export(*, user, records: int) -> None:
    from projects.models import PersonalDataAccess

    PersonalDataAccess.objects.create(user=user, field=PersonalDataAccess.Field.EXPORT, records=records)
