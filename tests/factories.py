import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from awards.models import AwardRecord, AwardType
from projects.models import (
    Agreement,
    BudgetCategory,
    BudgetLine,
    Membership,
    Organization,
    Project,
    Round,
    ServiceCategory,
)
from projects.services import project_create
from projects.validators import credit_code_check_character, org_code_check_character


def valid_credit_code(n: int) -> str:
    body = f"{10000000 + n:08d}"
    first17 = "52320105" + body + org_code_check_character(body)
    return first17 + credit_code_check_character(first17)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试社工机构{n}")
    short_name = factory.Sequence(lambda n: f"机构{n}")
    type = Organization.Type.AGENCY


class SubdistrictFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试街道{n}")
    type = Organization.Type.SUBDISTRICT


class CommunityFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试社区{n}")
    type = Organization.Type.COMMUNITY
    parent = factory.SubFactory(SubdistrictFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "测试用户"
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()

    @factory.post_generation
    def organization(self, create, extracted, **kwargs):
        if create and extracted:
            Membership.objects.create(user=self, organization=extracted)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round
        django_get_or_create = ["year"]

    year = factory.Sequence(lambda n: 2030 + n % 70)
    title = factory.LazyAttribute(lambda o: f"{o.year}年度七彩工程")
    budget = Decimal("1000000.00")
    status = Round.Status.OPEN
    launch_date = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 1))


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试类别{n}")
    colour_name = "红"
    colour = "#D93025"
    target_group = "社区矫正人员"
    order = factory.Sequence(int)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"测试服务项目{n}")
    round = factory.SubFactory(RoundFactory)
    implementing_unit = factory.SubFactory(OrganizationFactory)
    category = factory.SubFactory(ServiceCategoryFactory)
    target_group = "独居老人"
    requested_amount = Decimal("20000.00")
    target_beneficiaries = 50

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        partners = kwargs.pop("partners", [])
        project = project_create(project=model_class(*args, **kwargs))
        if partners:
            project.partners.set(partners)
        return project


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    kind = Agreement.Kind.PROJECT
    number = factory.Sequence(lambda n: f"QCXY-T-{n:04d}")
    project = factory.SubFactory(ProjectFactory)
    round = factory.LazyAttribute(lambda o: o.project.round if o.project else RoundFactory())
    party_a = factory.SubFactory(OrganizationFactory, type=Organization.Type.ASSOCIATION)
    party_b = factory.LazyAttribute(lambda o: o.project.implementing_unit if o.project else OrganizationFactory())
    amount = Decimal("20000.00")


class AwardTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardType
        django_get_or_create = ["code"]

    code = "excellent-project"
    name = "优秀项目"
    quota = 10


class AwardRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardRecord

    project = factory.SubFactory(ProjectFactory)
    round = factory.LazyAttribute(lambda o: o.project.round if o.project else RoundFactory())
    award_type = factory.SubFactory(AwardTypeFactory)
    awarded_on = datetime.date(2013, 9, 16)


def complete_project(**kwargs) -> Project:
    """A project with everything submission needs, budget lines included."""
    defaults = {
        "start_date": datetime.date(2014, 3, 1),
        "end_date": datetime.date(2015, 2, 28),
        "objectives": "为独居老人提供探访、心理支持和紧急援助。",
        "requested_amount": Decimal("20000.00"),
        "target_beneficiaries": 60,
    }
    project = ProjectFactory(**{**defaults, **kwargs})
    staff, management = BudgetCategory.objects.get(name="人员经费"), BudgetCategory.objects.get(name="管理费")
    tenth = (project.requested_amount / 10).quantize(Decimal("0.01"))
    BudgetLine.objects.create(project=project, category=staff, amount=project.requested_amount - tenth)
    BudgetLine.objects.create(project=project, category=management, amount=tenth)
    return project


def project_in_state(status, **kwargs) -> Project:
    """A complete project put straight into ``status`` (test set-up, bypassing the workflow)."""
    project = complete_project(**kwargs)
    changes = {"status": status}
    if status not in {"draft", "submitted", "returned", "recommended", "rejected"}:
        changes["approved_amount"] = project.requested_amount
    Project.objects.filter(pk=project.pk).update(**changes)
    project.refresh_from_db()
    return project
