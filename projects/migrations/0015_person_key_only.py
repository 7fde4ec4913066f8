import datetime

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import projects.fields
import projects.validators


class Migration(migrations.Migration):
    """Issue 9, step 3 of 3: the person record keeps only the key; cases are numbered; plausible values."""

    dependencies = [("projects", "0014_copy_identity_to_cases")]

    operations = [
        migrations.AlterField(
            model_name="enrollment",
            name="code",
            field=models.CharField(editable=False, max_length=30, unique=True, verbose_name="个案编号"),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="sequence",
            field=models.PositiveIntegerField(editable=False, verbose_name="项目内序号"),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="name",
            field=models.CharField(max_length=40, verbose_name="姓名"),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="special_group",
            field=models.CharField(
                choices=[
                    ("correction", "社区矫正人员"),
                    ("released", "刑满释放人员"),
                    ("drug", "社区戒毒康复人员"),
                    ("youth", "闲散青少年"),
                    ("mental", "精神障碍患者"),
                    ("elderly", "独居老人"),
                    ("migrant", "外来务工人员家庭"),
                    ("disability", "残疾人"),
                    ("hardship", "低保、特困家庭"),
                    ("other", "其他"),
                ],
                max_length=20,
                verbose_name="特殊人群类别",
            ),
        ),
        migrations.AlterModelOptions(
            name="beneficiary",
            options={
                "ordering": ["code"],
                "permissions": [("view_personal_data", "查看完整身份证号、出生日期和电话（每次查看都会记录）")],
                "verbose_name": "服务对象",
                "verbose_name_plural": "服务对象",
            },
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="community",
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="date_of_birth",
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="gender",
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="name",
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="phone",
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="registered_by",
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="special_group",
        ),
        migrations.RemoveField(
            model_name="beneficiary",
            name="updated_at",
        ),
        migrations.AlterField(
            model_name="activity",
            name="participants",
            field=models.PositiveIntegerField(
                default=0,
                validators=[django.core.validators.MaxValueValidator(10000, "参与人数不能超过%(limit_value)s人。")],
                verbose_name="参与人数",
            ),
        ),
        migrations.AlterField(
            model_name="beneficiary",
            name="id_number",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="18位；15位旧号码自动升级为18位；没有身份证的为空，每个个案单独计一人。",
                max_length=18,
                validators=[projects.validators.validate_id_number],
                verbose_name="身份证号",
            ),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="beneficiary",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrollments",
                to="projects.beneficiary",
                verbose_name="服务对象",
            ),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="household_size",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1, "家庭人口至少为1人。"),
                    django.core.validators.MaxValueValidator(30, "家庭人口不能超过%(limit_value)s人。"),
                ],
                verbose_name="家庭人口",
            ),
        ),
        migrations.AlterField(
            model_name="historicalorganization",
            name="phone",
            field=projects.fields.PhoneNumberField(
                blank=True,
                help_text="11位手机号，或带区号的固定电话，如 025-84561234。",
                max_length=30,
                verbose_name="联系电话",
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="phone",
            field=projects.fields.PhoneNumberField(
                blank=True,
                help_text="11位手机号，或带区号的固定电话，如 025-84561234。",
                max_length=30,
                verbose_name="联系电话",
            ),
        ),
        migrations.AlterField(
            model_name="socialworker",
            name="phone",
            field=projects.fields.PhoneNumberField(
                blank=True,
                help_text="11位手机号，或带区号的固定电话，如 025-84561234。",
                max_length=30,
                verbose_name="联系电话",
            ),
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="phone",
            field=projects.fields.PhoneNumberField(
                blank=True,
                help_text="11位手机号，或带区号的固定电话，如 025-84561234。",
                max_length=30,
                verbose_name="联系电话",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("date__isnull", True),
                    models.Q(("date__gte", datetime.date(2000, 1, 1)), ("date__lte", datetime.date(2100, 12, 31))),
                    _connector="OR",
                ),
                name="activity_date_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(("participants__lte", 10000)), name="activity_participants_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="casestory",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("consent_on__isnull", True),
                    models.Q(
                        ("consent_on__gte", datetime.date(2000, 1, 1)), ("consent_on__lte", datetime.date(2100, 12, 31))
                    ),
                    _connector="OR",
                ),
                name="casestory_consent_on_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.UniqueConstraint(
                fields=("project", "sequence"), name="enrollment_project_sequence_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("consent_on__isnull", True), ("consent_on__lte", models.F("intake_date")), _connector="OR"
                ),
                name="enrollment_consent_before_intake",
                violation_error_message="同意日期不能晚于接案日期：须先取得同意再建档。",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("household_size__isnull", True),
                    models.Q(("household_size__gte", 1), ("household_size__lte", 30)),
                    _connector="OR",
                ),
                name="enrollment_household_size_range",
                violation_error_message="家庭人口超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("intake_date__isnull", True),
                    models.Q(
                        ("intake_date__gte", datetime.date(2000, 1, 1)),
                        ("intake_date__lte", datetime.date(2100, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="enrollment_intake_date_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("consent_on__isnull", True),
                    models.Q(
                        ("consent_on__gte", datetime.date(2000, 1, 1)), ("consent_on__lte", datetime.date(2100, 12, 31))
                    ),
                    _connector="OR",
                ),
                name="enrollment_consent_on_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("closed_on__isnull", True),
                    models.Q(
                        ("closed_on__gte", datetime.date(2000, 1, 1)), ("closed_on__lte", datetime.date(2100, 12, 31))
                    ),
                    _connector="OR",
                ),
                name="enrollment_closed_on_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("date_of_birth__isnull", True),
                    models.Q(
                        ("date_of_birth__gte", datetime.date(1900, 1, 1)),
                        ("date_of_birth__lte", datetime.date(2100, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="enrollment_birth_date_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("date__isnull", True),
                    models.Q(("date__gte", datetime.date(2000, 1, 1)), ("date__lte", datetime.date(2100, 12, 31))),
                    _connector="OR",
                ),
                name="followup_date_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_date__isnull", True),
                    models.Q(
                        ("start_date__gte", datetime.date(2000, 1, 1)), ("start_date__lte", datetime.date(2100, 12, 31))
                    ),
                    _connector="OR",
                ),
                name="project_start_date_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_date__isnull", True),
                    models.Q(
                        ("end_date__gte", datetime.date(2000, 1, 1)), ("end_date__lte", datetime.date(2100, 12, 31))
                    ),
                    _connector="OR",
                ),
                name="project_end_date_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="socialfund",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("received_on__isnull", True),
                    models.Q(
                        ("received_on__gte", datetime.date(2000, 1, 1)),
                        ("received_on__lte", datetime.date(2100, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="socialfund_received_on_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
        migrations.AddConstraint(
            model_name="volunteer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("registered_on__isnull", True),
                    models.Q(
                        ("registered_on__gte", datetime.date(1980, 1, 1)),
                        ("registered_on__lte", datetime.date(2100, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="volunteer_registered_on_window",
                violation_error_message="日期超出合理范围。",
            ),
        ),
    ]
