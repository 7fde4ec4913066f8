"""The workbench's navigation by task: the admin's models grouped by the work of each role.

The index and the side navigation list these groups in this order; a role sees a group only when it
may open at least one of its lists (the admin's own permission check), so each role sees only its own
work. A model no group names falls under 系统, so nothing registered ever disappears.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (key, label, models by label_lower, in the order shown)
GROUPS = (
    (
        "work-projects",
        _("项目"),
        ("projects.project", "projects.agreement", "projects.instalment"),
    ),
    (
        "work-service",
        _("服务"),
        (
            "projects.enrollment",
            "projects.followup",
            "projects.activity",
            "projects.socialworker",
            "projects.volunteer",
            "projects.casestory",
            "projects.beneficiary",
        ),
    ),
    ("work-evaluation", _("评估"), ("projects.evaluation", "projects.rubrictemplate")),
    ("work-awards", _("表彰"), ("awards.nomination", "awards.awardrecord", "awards.awardtype")),
    ("work-money", _("资金"), ("projects.socialfund", "projects.budgetcategory")),
    (
        "work-reference",
        _("基础数据"),
        ("projects.round", "projects.organization", "projects.servicecategory", "projects.membership"),
    ),
    (
        "work-system",
        _("系统"),
        (
            "projects.auditentry",
            "projects.importjob",
            "auth.user",
            "auth.group",
            "axes.accessattempt",
            "axes.accessfailurelog",
            "axes.accesslog",
            "django_tasks_database.dbtaskresult",
        ),
    ),
)
SYSTEM = "work-system"
# Third-party models keep their code but not their English names.
NAMES = {
    "auth.group": _("角色（用户组）"),
    "axes.accessattempt": _("登录尝试"),
    "axes.accessfailurelog": _("登录失败记录"),
    "axes.accesslog": _("登录日志"),
    "django_tasks_database.dbtaskresult": _("后台任务"),
}


def first_groups(user) -> tuple[str, ...]:
    """The groups a role works in most, shown right after 我的待办."""
    from projects import permissions, roles

    if permissions.is_evaluator(user):
        return ("work-evaluation",)
    if roles.COMMITTEE in permissions.roles_of(user):
        return ("work-awards",)
    return ()


def grouped_app_list(app_dict: dict, *, first: tuple[str, ...] = ()) -> list[dict]:
    """The admin's ``app_dict`` (``AdminSite._build_app_dict``) regrouped by task, 我的待办 first, then the
    groups in ``first``, then the rest in ``GROUPS`` order."""
    models = {entry["model"]._meta.label_lower: entry for app in app_dict.values() for entry in app["models"]}
    placed = {label for _key, _label, labels in GROUPS for label in labels}
    groups = [
        {
            "name": _("我的待办"),
            "app_label": "work-todo",
            "app_url": reverse("admin:todo"),
            "has_module_perms": True,
            "models": [
                {
                    "name": _("待办事项"),
                    "object_name": "Todo",
                    "perms": {"view": True},
                    "admin_url": reverse("admin:todo"),
                    "add_url": None,
                    "view_only": True,
                }
            ],
        }
    ]
    ordered = sorted(
        GROUPS, key=lambda group: (group[0] not in first, first.index(group[0]) if group[0] in first else 0)
    )
    for key, label, labels in ordered:
        chosen = [models[name] for name in labels if name in models]
        if key == SYSTEM:
            chosen += [entry for name, entry in sorted(models.items()) if name not in placed]
        for entry in chosen:
            name = entry["model"]._meta.label_lower
            if name in NAMES:
                entry["name"] = NAMES[name]
        chosen = [entry for entry in chosen if entry["admin_url"] or entry["add_url"]]
        if chosen:
            url = next(entry["admin_url"] or entry["add_url"] for entry in chosen)
            groups.append({"name": label, "app_label": key, "app_url": url, "has_module_perms": True, "models": chosen})
    return groups
