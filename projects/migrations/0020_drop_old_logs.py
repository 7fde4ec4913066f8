from django.db import migrations


class Migration(migrations.Migration):
    """Issue 10: the workflow log and the personal-data access log live on as audit entries (0019)."""

    dependencies = [("projects", "0019_copy_logs_to_audit")]

    operations = [
        migrations.DeleteModel(name="PersonalDataAccess"),
        migrations.DeleteModel(name="ProjectTransition"),
    ]
