"""The project directory's filters (django-filter), each limited to what the user may see."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.models import Organization, Project, Round, ServiceCategory
from projects.models.evaluation import Grade

SORTS = {
    "code": ("round__year", "sequence"),
    "title": ("title",),
    "unit": ("implementing_unit__name",),
    "requested": ("requested_amount",),
    "amount": ("approved_amount",),
    "status": ("status",),
}


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="keyword", max_length=60)
    round = django_filters.ModelChoiceFilter(
        label=_("年度"), queryset=Round.objects.order_by("-year"), to_field_name="year", empty_label=_("全部年度")
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Project.Status.choices, empty_label=_("全部状态"))
    category = django_filters.ModelChoiceFilter(
        label=_("服务类别"), queryset=ServiceCategory.objects.order_by("order", "name"), empty_label=_("全部类别")
    )
    subdistrict = django_filters.ModelChoiceFilter(
        label=_("所在街道"),
        queryset=Organization.objects.none(),
        empty_label=_("全部街道"),
    )
    community = django_filters.ModelChoiceFilter(
        label=_("所在社区"),
        queryset=Organization.objects.none(),
        empty_label=_("全部社区"),
    )
    implementing_unit = django_filters.ModelChoiceFilter(
        label=_("实施单位"), queryset=Organization.objects.none(), empty_label=_("全部单位")
    )
    service_model = django_filters.ChoiceFilter(
        label=_("运作模式"), choices=Project.ServiceModel.choices, empty_label=_("全部模式")
    )
    grade = django_filters.ChoiceFilter(
        label=_("评估等级"), choices=Grade.choices, empty_label=_("全部等级"), field_name="latest_grade"
    )
    amount_min = django_filters.NumberFilter(
        label=_("审定金额不低于（元）"), field_name="approved_amount", lookup_expr="gte", min_value=0
    )
    amount_max = django_filters.NumberFilter(
        label=_("审定金额不高于（元）"), field_name="approved_amount", lookup_expr="lte", min_value=0
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        projects = queryset.order_by()
        # Places and units offered are those of the user's projects (a unit's few, the city's for civil affairs).
        for name in ("subdistrict", "community", "implementing_unit"):
            self.filters[name].queryset = Organization.objects.filter(pk__in=projects.values(name)).order_by("name")
        if permissions.is_implementing_unit(user):
            del self.filters["implementing_unit"]  # a unit sees its own projects only: nothing to choose
        for name in ("amount_min", "amount_max"):
            self.filters[name].extra["widget"] = forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})

    def keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(implementing_unit__name__icontains=value)
        )
