"""The admin's changelist without Django's overflows (the date drill-down, values the database cannot
hold), for every admin on the site.

It lives outside ``projects.admin`` so that the admin site can import it before the admins register.
"""

import datetime

from django.conf import settings
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import InvalidPage
from django.db import DataError, models
from django.utils import timezone


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

    def get_results_counted_once(self, request):
        """Django's ``get_results`` for an unfiltered list: the total (``full_result_count``) is the list's own
        count, not a second ``COUNT(*)`` of the whole scope (at city scale, a whole table counted twice)."""
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
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
