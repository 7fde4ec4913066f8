"""Template filters for showing figures, dates and people: each calls ``projects.formatting``."""

from django import template

from projects import formatting

register = template.Library()


@register.filter
def cny(amount):
    """1234567.5 → 1,234,567.50, under a heading that says 元 (a dash for no amount)."""
    return formatting.format_cny(amount)


@register.filter
def yuan(amount):
    """1234567.5 → 1,234,567.50 元."""
    return formatting.format_yuan(amount)


@register.filter
def wan(amount):
    """1234567.89 → 123.46 万元."""
    return formatting.format_wan(amount)


@register.filter
def capitals(amount):
    """100000 → 壹拾万元整 (大写金额, for contracts beside the figures)."""
    return formatting.format_capitals(amount)


@register.filter
def count(value):
    """12345 → 12,345; 1234.50 (hours) → 1,234.5."""
    return formatting.format_count(value)


@register.filter
def share(percent):
    """40.00 (per cent) → 40%."""
    return formatting.format_share(percent)


@register.filter
def ratio(value):
    """0.45 → 45%."""
    return formatting.format_ratio(value)


@register.filter
def day(value):
    """A date as 2013年9月1日."""
    return formatting.format_date(value)


@register.filter
def hanzi_day(value):
    """A date in Chinese numerals, as certificates write it: 二〇一三年九月十六日."""
    return formatting.format_date_hanzi(value)


@register.filter
def moment(value):
    """A date and time as 2013年9月1日 14:05."""
    return formatting.format_datetime(value)


@register.filter
def person(user):
    """A user by their name, never their user name."""
    return formatting.person_name(user)


@register.filter
def minutes(duration) -> int:
    """A timedelta as whole minutes (the lock-out page's cool-off)."""
    return int(duration.total_seconds() // 60) if duration else 0


@register.filter
def get_item(mapping, key):
    """``{{ labels|get_item:action }}``: a dict's value by a key held in a variable."""
    return mapping.get(key, key) if hasattr(mapping, "get") else key


@register.simple_tag
def project_list_totals(changelist):
    """The totals of an admin project list as filtered (its ``queryset``, every page): one query, kept while the
    data do not change."""
    from projects.figures import kept_list_totals

    return kept_list_totals(changelist.queryset)


@register.filter
def value_of(mapping, key):
    """``{{ totals|value_of:field.name }}``: a dict's value by a key held in a variable, None when absent."""
    return mapping.get(key) if hasattr(mapping, "get") else None
