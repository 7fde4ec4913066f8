from decimal import Decimal


def format_cny(amount: Decimal | None) -> str:
    """``1234567.5`` → ``1,234,567.50``; an empty amount shows as a dash."""
    if amount is None:
        return "—"
    return f"{amount:,.2f}"
