from django.db import migrations

from projects.role_grants import grant, revoke

# Award records come only from the committee's confirmations (which keep the quota);
# civil affairs no longer adds or edits them by hand.
REVOKED = {"民政/社工办": ["add_awardrecord", "change_awardrecord"]}


def forwards(apps, schema_editor):
    revoke(apps, "awards", REVOKED)


def backwards(apps, schema_editor):
    grant(apps, "awards", REVOKED)


class Migration(migrations.Migration):
    dependencies = [("awards", "0005_nomination_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
