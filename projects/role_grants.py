"""Helpers for the data migrations that give the role groups their permissions.

They take the migration's historical ``apps``, so the migrations stay correct as the
models change; each migration keeps its own frozen table of codenames.
"""

from django.contrib.auth.management import create_permissions


def grant(apps, app_label: str, role_permissions: dict[str, list[str]]) -> None:
    # Permissions are normally created after all migrations have run; make sure they exist now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

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
