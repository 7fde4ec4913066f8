import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import projects.fields
import projects.validators


class Migration(migrations.Migration):
    """Issue 9, step 1 of 3: each case gets its own record of who the person is (still empty here)."""

    dependencies = [
        ("projects", "0012_reevaluation_after_failure"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="code",
            field=models.CharField(editable=False, max_length=30, null=True, verbose_name="个案编号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="enrollment",
            name="community",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"type": "community"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="projects.organization",
                verbose_name="居住社区",
            ),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="date_of_birth",
            field=models.DateField(
                blank=True, null=True, validators=[projects.validators.validate_birth_date], verbose_name="出生日期"
            ),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="gender",
            field=models.CharField(
                choices=[("male", "男"), ("female", "女"), ("unknown", "未说明")],
                default="unknown",
                max_length=10,
                verbose_name="性别",
            ),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="name",
            field=models.CharField(default="", max_length=40, verbose_name="姓名"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="enrollment",
            name="phone",
            field=projects.fields.PhoneNumberField(
                blank=True,
                help_text="11位手机号，或带区号的固定电话，如 025-84561234。",
                max_length=30,
                verbose_name="联系电话",
            ),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="sequence",
            field=models.PositiveIntegerField(null=True, editable=False, verbose_name="项目内序号"),
            preserve_default=False,
        ),
        migrations.AddField(
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
                default="other",
                max_length=20,
                verbose_name="特殊人群类别",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="personaldataaccess",
            name="record",
            field=models.CharField(
                blank=True,
                help_text="被查看的记录：个案编号，或社工、义工的登记号。",
                max_length=60,
                verbose_name="记录",
            ),
        ),
        migrations.AlterField(
            model_name="beneficiary",
            name="code",
            field=models.CharField(editable=False, max_length=12, null=True, unique=True, verbose_name="服务对象编号"),
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="beneficiary",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="projects.beneficiary",
                verbose_name="服务对象",
            ),
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="field",
            field=models.CharField(
                choices=[
                    ("id_number", "身份证号"),
                    ("date_of_birth", "出生日期"),
                    ("phone", "联系电话"),
                    ("export", "导出未脱敏数据"),
                ],
                max_length=20,
                verbose_name="内容",
            ),
        ),
    ]
