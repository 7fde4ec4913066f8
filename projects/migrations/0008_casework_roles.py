from django.db import migrations

from projects.role_grants import grant, revoke

V, A, C, D = "view", "add", "change", "delete"
PERSONAL = ["beneficiary", "enrollment", "needassessment", "followup"]
SERVICE = ["activity", "activitystaff", "activityvolunteer", "activityphoto", "socialworker", "volunteer", "casestory"]
ALL = PERSONAL + SERVICE
ROLE_PERMISSIONS = {
    # Committee and civil affairs read everything, masked; they see who looked at full values.
    "社工委": [*(f"{V}_{m}" for m in ALL), "view_personaldataaccess"],
    "民政/社工办": [*(f"{V}_{m}" for m in ALL), "view_personaldataaccess"],
    # The association manages agencies (their social workers and volunteers) and publicity (case stories);
    # it has no business with individual beneficiaries.
    "协会管理员": [*(f"{V}_{m}" for m in SERVICE), "mark_excellent_casestory"],
    # The unit keeps its own records; revealing a full ID or phone number is allowed and logged.
    "实施单位": [
        *(f"{V}_{m}" for m in ALL),
        f"{A}_beneficiary",
        f"{C}_beneficiary",
        f"{A}_enrollment",
        f"{C}_enrollment",
        *(f"{p}_needassessment" for p in (A, C, D)),
        *(f"{p}_followup" for p in (A, C, D)),
        *(f"{p}_{m}" for p in (A, C, D) for m in ["activity", "activitystaff", "activityvolunteer"]),
        f"{A}_activityphoto",
        f"{D}_activityphoto",
        *(f"{p}_{m}" for p in (A, C, D) for m in ["socialworker", "volunteer", "casestory"]),
        "view_personal_data",
    ],
    "评估专家": [f"{V}_{m}" for m in ALL],
}


def forwards(apps, schema_editor):
    grant(apps, "projects", ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, "projects", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_casework")]
    operations = [migrations.RunPython(forwards, backwards)]
