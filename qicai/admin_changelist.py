"""The admin's changelist without Django's overflows (the date drill-down, values the database cannot
hold), for every admin on the site.

It lives outside ``projects.admin`` so that the admin site can import it before the admins register.
"""

import datetime

from django.conf import settings
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, quote
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.db import DataError, connections, models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext


def _next_period(start: datetime.date, *, month: bool, day: bool) -> datetime.date | None:
    """The first day after the drilled-down day, month or year; None past 9999-12-31."""
    try:
        if day:
            return start + datetime.timedelta(days=1)
        if month:
            return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return start.replace(year=start.year + 1)
    except (OverflowError, ValueError):
        return None


def _aware_bound(day: datetime.date | None) -> datetime.datetime | None:
    """Local midnight of ``day`` as an aware datetime, or None when it cannot be stored (before 0001-01-01 UTC)."""
    if day is None:
        return None
    moment = datetime.datetime.combine(day, datetime.time.min)
    if not settings.USE_TZ:
        return moment
    moment = timezone.make_aware(moment)
    try:
        moment.astimezone(datetime.UTC)  # what the database adapter will do
    except OverflowError:
        return None
    return moment


class EstimatedPaginator(Paginator):
    """Pages numbered by an estimated row count: none is refused for lying beyond the estimate (rows added
    since it was made are on the pages after it; a page past the last row is empty), and a page holds its
    own rows whatever the estimate says of the last one."""

    def __init__(self, object_list, per_page, estimate: int):
        super().__init__(object_list, per_page)
        self.count = estimate  # a cached_property: nothing is counted

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            number = int(number)
            if number < 1:
                raise
            return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


class SafeChangeList(ChangeList):
    """Django's changelist with a date drill-down (``date_hierarchy``) that cannot overflow, and URL
    lookups the database cannot run answered as bad lookups rather than a 500.

    Django turns ``?start_date__year=9999`` into the range [9999-01-01, 10000-01-01) and fails with a 500
    computing its end, so a year-9999 date once stored made its own drill-down link fail. Here the end of
    the last representable period is open, a bound before the first representable moment is left out,
    and a year, month or day out of range or not a number is IncorrectLookupParameters (the admin then
    redirects to ``?e=1``).
    """

    def get_filters(self, request):
        hierarchy = self.date_hierarchy
        self.date_hierarchy = None  # Django's own bounds are replaced by date_hierarchy_bounds below
        try:
            specs, has_filters, lookup_params, may_have_duplicates, has_active_filters = super().get_filters(request)
        finally:
            self.date_hierarchy = hierarchy
        if hierarchy:
            lookup_params.update(self.date_hierarchy_bounds(hierarchy, lookup_params))
        return specs, has_filters, lookup_params, may_have_duplicates, has_active_filters

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        # Django applies list_select_related only to a queryset without select_related() of its own; a list's
        # queryset that follows some relations (``for_list()``) still needs the columns' others (who recorded a
        # follow-up), or each row reads its own.
        if isinstance(self.list_select_related, list | tuple) and isinstance(queryset.query.select_related, dict):
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def get_results(self, request):
        # A lookup value only the database adapter finds impossible (?created_at__gte=0001-01-01 is year 0
        # in UTC, ?start_date__year__gte=10**20 overflows an integer) fails when the count runs.
        # No atomic() around it: on SQLite with IMMEDIATE transactions it would make every list a writer.
        try:
            if self.model_admin.show_full_result_count and self.is_unfiltered():
                self.get_results_counted_once(request)
            else:
                super().get_results(request)
        except (OverflowError, DataError) as error:
            raise IncorrectLookupParameters(error) from error

    def is_unfiltered(self) -> bool:
        """Whether the list's rows are its whole scope (no filter, search or lookup narrows them)."""
        try:
            return self.queryset.query.where == self.root_queryset.query.where
        except Exception:
            return False

    # A list of a whole table this large, on PostgreSQL, shows the planner's row count (约 301,706) rather than
    # counting every row on every page (21 ms for 300,000 follow-ups).
    ESTIMATED_ABOVE = 100_000

    def estimated_count(self) -> int | None:
        """The planner's row count of the list's table when the list is the whole table and it is big, else None.

        ``pg_class.reltuples`` is what the last ``ANALYZE`` (autovacuum's or ``seed_scale``'s) counted; the
        first pages, which people read, are exact whatever the estimate."""
        query = self.queryset.query
        if not getattr(self.model_admin, "big_table", False):
            return None  # a table that stays small is counted, without asking the planner first
        if connections[self.queryset.db].vendor != "postgresql" or query.where or query.distinct or query.group_by:
            return None
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [self.opts.db_table])
            row = cursor.fetchone()
        estimate = row[0] if row else None
        return estimate if estimate is not None and estimate >= self.ESTIMATED_ABOVE else None

    def get_results_counted_once(self, request):
        """Django's ``get_results`` for an unfiltered list: the total (``full_result_count``) is the list's own
        count, not a second ``COUNT(*)`` of the whole scope (at city scale, a whole table counted twice)."""
        estimate = self.estimated_count()
        if estimate is None:
            paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        else:
            paginator = EstimatedPaginator(self.queryset, self.list_per_page, estimate)
        self.result_count_estimated = estimate is not None
        result_count = paginator.count
        can_show_all = result_count <= self.list_max_show_all
        multi_page = result_count > self.list_per_page
        if (self.show_all and can_show_all) or not multi_page:
            result_list = self.queryset._clone()
        else:
            try:
                result_list = paginator.page(self.page_num).object_list
            except InvalidPage as error:
                raise IncorrectLookupParameters from error
        self.result_count = self.full_result_count = result_count
        self.show_full_result_count = True
        self.show_admin_actions = bool(result_count)
        self.result_list = result_list
        self.can_show_all = can_show_all
        self.multi_page = multi_page
        self.paginator = paginator

    PK_PLACEHOLDER = "0qicai0"

    def url_for_result(self, result):
        """Each row's link, from one ``reverse()`` per list rather than one per row (50 per page)."""
        if not hasattr(self, "_change_url"):
            self._change_url = (
                super()
                .url_for_result(type("Placeholder", (), {self.pk_attname: self.PK_PLACEHOLDER})())
                .rsplit(self.PK_PLACEHOLDER, 1)
            )
        before, after = self._change_url
        return f"{before}{quote(getattr(result, self.pk_attname))}{after}"

    def date_hierarchy_bounds(self, hierarchy: str, lookup_params: dict) -> dict:
        """Take the drill-down's ``__year``/``__month``/``__day`` out of ``lookup_params``; return its range."""
        year = lookup_params.pop(f"{hierarchy}__year", None)
        if year is None:
            return {}  # a month or day without a year stays a plain lookup, as in Django
        month = lookup_params.pop(f"{hierarchy}__month", None)
        day = lookup_params.pop(f"{hierarchy}__day", None)
        try:
            start = datetime.date(
                int(year[-1]), int(month[-1]) if month is not None else 1, int(day[-1]) if day is not None else 1
            )
        except (TypeError, ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        end = _next_period(start, month=month is not None, day=day is not None)
        if isinstance(get_fields_from_path(self.model, hierarchy)[-1], models.DateTimeField):
            start, end = _aware_bound(start), _aware_bound(end)
        bounds = {}
        if start is not None:
            bounds[f"{hierarchy}__gte"] = [start]
        if end is not None:
            bounds[f"{hierarchy}__lt"] = [end]
        return bounds


class SafeChangeListAdmin:
    """Gives an admin the overflow-safe changelist; projects' QicaiModelAdmin has it, and QicaiAdminSite
    adds it to the admins other apps register (django-axes' logs have a date drill-down too)."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def action_checkbox(self, obj):
        """Django's row checkbox, the same markup written directly: Django renders a CheckboxInput through the
        form renderer's templates for every row, half of a 50-row list's Python time at city scale."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
