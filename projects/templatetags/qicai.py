from django import template

from projects.formatting import format_cny

register = template.Library()


@register.filter
def cny(amount):
    """1234567.5 → 1,234,567.50 (a dash for no amount)."""
    return format_cny(amount)


@register.filter
def minutes(duration) -> int:
    """A timedelta as whole minutes (the lock-out page's cool-off)."""
    return int(duration.total_seconds() // 60) if duration else 0
