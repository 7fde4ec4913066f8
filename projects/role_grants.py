"""Helpers of the historical data migrations that gave the role groups their permissions, step by step.

Those migrations keep their own frozen tables of codenames: they are history. What each role holds
today is the one table in ``projects.roles``, which migrations apply with ``apply_role_table``.
The helpers take the migration's historical ``apps``, so the migrations stay correct as the models change.
"""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps, app_label: str) -> None:
    """Create the permissions of ``app_label``'s models in ``apps`` now (Django creates them after migrating)."""
    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    if models_module is None:  # a historical app config: create_permissions skips an app without models
        app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module


def grant(apps, app_label: str, role_permissions: dict[str, list[str]]) -> None:
    ensure_permissions(apps, app_label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        found = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"permissions missing for {group_name}: {sorted(missing)}")
        group.permissions.add(*found)


def revoke(apps, app_label: str, role_permissions: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=role_permissions):
        codenames = role_permissions[group.name]
        group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
