from django.db import migrations

from projects.role_grants import grant, revoke

V, A, C, D = "view", "add", "change", "delete"
NEW_MODELS = ["budgetcategory", "budgetline", "socialfund", "roundinstalmentrule", "instalment"]
ROLE_PERMISSIONS = {
    "社工委": [f"{V}_{m}" for m in NEW_MODELS],
    "民政/社工办": [
        *(f"{V}_{m}" for m in NEW_MODELS),
        f"{A}_budgetcategory",
        f"{C}_budgetcategory",
        f"{A}_socialfund",
        f"{C}_socialfund",
        f"{D}_socialfund",
        f"{A}_roundinstalmentrule",
        f"{C}_roundinstalmentrule",
        f"{D}_roundinstalmentrule",
        "release_instalment",
    ],
    "协会管理员": [f"{V}_{m}" for m in NEW_MODELS],
    "实施单位": [
        *(f"{V}_{m}" for m in NEW_MODELS),
        f"{A}_budgetline",
        f"{C}_budgetline",
        f"{D}_budgetline",
        f"{A}_socialfund",
        f"{C}_socialfund",
        f"{D}_socialfund",
    ],
}
# (name, counts as management, order)
BUDGET_CATEGORIES = [
    ("人员经费", False, 10),
    ("活动经费", False, 20),
    ("物资", False, 30),
    ("宣传", False, 40),
    ("培训督导", False, 50),
    ("管理费", True, 60),
    ("其他", False, 70),
]


def forwards(apps, schema_editor):
    grant(apps, "projects", ROLE_PERMISSIONS)
    BudgetCategory = apps.get_model("projects", "BudgetCategory")
    for name, is_management, order in BUDGET_CATEGORIES:
        BudgetCategory.objects.get_or_create(name=name, defaults={"is_management": is_management, "order": order})


def backwards(apps, schema_editor):
    revoke(apps, "projects", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_money_agreements")]
    operations = [migrations.RunPython(forwards, backwards)]
