"""The project directory: every project the user may see, filtered, sorted, totalled, exported."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from projects import data_version
from projects.exports import ProjectResource, export_response, list_file_name
from projects.figures import list_totals
from projects.models import Project, Round, ServiceCategory
from qicai.portal.filters import SORTS, ProjectFilter
from qicai.summaries import scope_key

PAGE_SIZE = 25
EXPORT_FORMATS = ("xlsx", "csv")


def _filtered(request):
    """The user's projects under the request's filters: (filterset, queryset); none when a filter is invalid."""
    projects = Project.objects.visible_to(request.user).for_list().with_latest_grade()
    filterset = ProjectFilter(request.GET or None, queryset=projects, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, projects.none()
    return filterset, filterset.qs


def _ordering(sort: str) -> tuple[str, list[str]]:
    """The sort key shown and the ordering; unsorted, the newest round first, each in code order."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return "", ["-round__year", "sequence", "pk"]
    descending = sort.startswith("-")
    return sort, [f"-{field}" if descending else field for field in SORTS[key]] + ["pk"]


def _page(projects, ordering: list[str], count: int, number):
    """The page of projects asked for, found in two steps: the page's keys by the ordering alone (a deep
    page's OFFSET walks keys, not 5,000 joined rows with their grades), then those 25 rows whole."""
    paginator = Paginator(projects.order_by(*ordering).values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = count  # the totals have counted them already (a cached_property, set once)
    page = paginator.get_page(number)
    keys = list(page.object_list)
    rows = {project.pk: project for project in projects.filter(pk__in=keys)}
    page.object_list = [rows[key] for key in keys]
    return page


@dataclass
class DirectoryPage:
    """What a directory page shows below its heading, rendered: kept under the data version (see below)."""

    totals: object
    projects: list  # the page's projects
    body: str  # the chips, the filter form, the table and the pager, as HTML


def _columns(sort: str) -> list[dict]:
    columns = [
        ("code", _("项目编号"), False),
        ("title", _("项目名称"), False),
        ("unit", _("实施单位"), False),
        (None, _("服务类别"), False),
        (None, _("所在街道"), False),
        (None, _("运作模式"), False),
        ("requested", _("申请金额（元）"), True),
        ("amount", _("审定金额（元）"), True),
        (None, _("评估等级"), False),
        ("status", _("状态"), False),
    ]
    return [
        {
            "label": label,
            "numeric": numeric,
            "key": key,
            "sorted": sort.removeprefix("-") == key if key else False,
            "descending": sort.startswith("-"),
            "next_sort": (key if sort == f"-{key}" else f"-{key}") if sort.removeprefix("-") == key else key,
        }
        for key, label, numeric in columns
    ]


def _directory_page(request) -> DirectoryPage:
    filterset, projects = _filtered(request)
    sort, ordering = _ordering(request.GET.get("sort", ""))
    totals = list_totals(projects)
    page = _page(projects, ordering, totals.projects, request.GET.get("page"))
    visible = Project.objects.visible_to(request.user).order_by()
    context = {
        "filter": filterset,
        "page": page,
        "totals": totals,
        "sort": sort,
        "columns": _columns(sort),
        "round_chips": list(
            Round.objects.filter(pk__in=visible.values("round")).order_by("-year").values_list("year", flat=True)
        ),
        "category_chips": list(ServiceCategory.objects.order_by("order", "name")),
        "chosen_round": request.GET.get("round", ""),
        "chosen_category": request.GET.get("category", ""),
    }
    body = render_to_string("portal/includes/directory_body.html", context, request=request)
    return DirectoryPage(totals=totals, projects=list(page.object_list), body=body)


@login_required
def project_list(request):
    """The directory. Below its heading the page depends only on the user's scope, the query and the data:
    rendered once per data version (``data_version.cached``), since rendering hundreds of places and units
    and the rows is most of its time at city scale; a change of any record makes it anew."""
    directory = data_version.cached(
        "directory", scope_key(request.user), request.GET.urlencode(), compute=lambda: _directory_page(request)
    )
    context = {
        "totals": directory.totals,
        "page": directory.projects,
        "body": directory.body,
        "may_export": request.user.has_perm("projects.export_project"),
        "query": request.GET.urlencode(),
    }
    return render(request, "portal/project_list.html", context)


@login_required
def project_export(request):
    """The filtered list as XLSX or CSV, in the columns of the workbench's project export."""
    if not request.user.has_perm("projects.export_project"):
        raise PermissionDenied(_("您没有导出项目清单的权限。"))
    file_format = request.GET.get("format", "xlsx")
    if file_format not in EXPORT_FORMATS:
        file_format = "xlsx"
    filterset, projects = _filtered(request)
    _sort, ordering = _ordering(request.GET.get("sort", ""))
    year = None
    if filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("round"):
        year = filterset.form.cleaned_data["round"].year
    resource = ProjectResource(user=request.user)
    return export_response(
        resource=resource,
        queryset=projects.order_by(*ordering),
        fields=resource.get_fields(),
        file_format=file_format,
        name=list_file_name(str(Project._meta.verbose_name_plural), year),
    )
