from decimal import Decimal

from django.utils.html import format_html


def format_cny(amount: Decimal | None) -> str:
    """``1234567.5`` → ``1,234,567.50``; an empty amount shows as a dash."""
    if amount is None:
        return "—"
    return f"{amount:,.2f}"


def format_percent(value: Decimal) -> str:
    """``Decimal("10.00")`` → ``10``, ``Decimal("33.50")`` → ``33.5`` (never ``1E+1``)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def status_badge(value: str, label: str) -> str:
    return format_html('<span class="status-badge status-{}">{}</span>', value, label)


def person_name(user) -> str:
    """How a user is shown to other users: the real name, else the user name."""
    return (user.get_full_name() or user.get_username()) if user else "—"
