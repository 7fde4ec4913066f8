from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from projects import data_version, permissions
from qicai import two_factor
from qicai.accounts import AdminSignInForm
from qicai.admin_changelist import SafeChangeListAdmin
from qicai.navigation import first_groups, grouped_app_list
from qicai.todo import todo_for


def _plain(value):
    """``value`` with its lazy texts made text (in the active language), so that it can be kept in the cache."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class QicaiAdminSite(admin.AdminSite):
    site_header = _("七彩工程项目管理系统")
    site_title = _("七彩工程")
    index_title = _("工作台")
    index_template = "admin/qicai_index.html"
    site_url = None  # the header links the portal's pages by name (templates/admin/base_site.html)
    empty_value_display = "—"  # the dash projects.formatting shows for a missing value
    login_form = AdminSignInForm  # an idle account is deactivated on a right password (qicai.accounts)

    def register(self, model_or_iterable, admin_class=None, **options):
        # Admins other apps register (django-axes' logs) get the overflow-safe changelist too.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeChangeListAdmin):
            attributes = {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__}
            admin_class = type(admin_class.__name__, (SafeChangeListAdmin, admin_class), attributes)
        return super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        """By task, not by model (qicai.navigation); an app's own page (/admin/projects/) stays as Django has it."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        user = request.user
        # The side navigation of every workbench page: ~30 models' permission checks and links, the same for
        # everyone with the same rights and scope, so kept under the data version (an add link can depend on
        # the data: a unit adds projects only while a round is open).
        return data_version.cached(
            "admin-navigation",
            permissions.standing(user),
            compute=lambda: _plain(grouped_app_list(self._build_app_dict(request), first=first_groups(user))),
        )

    def get_urls(self):
        return [
            path("todo/", self.admin_view(self.todo_view), name="todo"),
            *two_factor.admin_urls(self),  # the second sign-in step in the admin's dress
            *super().get_urls(),
        ]

    def i18n_javascript(self, request, extra_context=None):
        # qicai's catalogue fills strings the admin's own zh_Hans catalogue lacks.
        return JavaScriptCatalog.as_view(packages=["django.contrib.admin", "qicai"])(request)

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "todo_items": todo_for(request.user)}
        return super().index(request, extra_context)

    def todo_view(self, request):
        context = {
            **self.each_context(request),
            "title": _("待办事项"),
            "todo_items": todo_for(request.user, with_projects=50),
        }
        return TemplateResponse(request, "admin/todo.html", context)
