"""Deterministic demo data: the district, its 2012 and 2013 rounds, and one user per role.

Everything is keyed by a natural key and created only when missing, so running
the seed again changes nothing, and the same database always comes out.
The figures are a stable interface that tests and the README rely on:
2012 has 50 projects; 2013 has 60 whose approved amounts sum to exactly
1,000,000 CNY; 10 2012 projects hold the 优秀项目 award.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from awards.constants import EXCELLENT_PROJECT
from awards.models import AwardRecord, AwardType, Nomination
from projects import roles
from projects.models import (
    Activity,
    ActivityStaff,
    ActivityVolunteer,
    AgencyStanding,
    Agreement,
    Beneficiary,
    BudgetCategory,
    BudgetLine,
    CaseStory,
    ComplianceNote,
    Enrollment,
    Evaluation,
    FollowUp,
    InstalmentCondition,
    Membership,
    NeedAssessment,
    Organization,
    Project,
    Round,
    RoundInstalmentRule,
    RubricCriterion,
    RubricTemplate,
    Scorecard,
    ScoreItem,
    ServiceCategory,
    SocialFund,
    SocialWorker,
    Volunteer,
)
from projects.notifications import notifications_muted
from projects.services import (
    TRANSITION_SERVICES,
    instalment_plan_create,
    instalment_release,
    plan_amounts,
    project_create,
)
from projects.services.casework import IDENTITY_FIELDS
from projects.states import Action, EnrollmentStatus, ProjectStatus
from projects.validators import (
    credit_code_check_character,
    id_number_check_character,
    org_code_check_character,
)

DISTRICT = "江城区"
DIVISION_CODE = "320105"
T = Organization.Type

GOVERNMENT = [
    ("江城区人民政府", "区政府"),
    ("江城区社会工作委员会", "区社工委"),
    ("江城区民政局", "区民政局"),
    ("江城区社会工作办公室", "区社工办"),
    ("江城区司法局", "区司法局"),
    ("江城区卫生局", "区卫生局"),
    ("江城区老龄工作委员会办公室", "区老龄办"),
    ("江城区禁毒委员会办公室", "区禁毒办"),
]
MASS_ORGANIZATIONS = [
    ("共青团江城区委员会", "团区委"),
    ("江城区妇女联合会", "区妇联"),
    ("江城区总工会", "区总工会"),
    ("江城区残疾人联合会", "区残联"),
]
ASSOCIATION = ("江城区社会工作协会", "区社工协会")
EVALUATION_CENTRE = ("江城区社会组织评估中心", "评估中心")
SUBDISTRICTS = {
    "江城街道": ["江城", "府前", "文庙"],
    "城南街道": ["南门", "长乐", "雨花"],
    "城北街道": ["北苑", "和平里", "红山"],
    "东湖街道": ["东湖", "桃园", "望湖"],
    "西湖街道": ["西湖", "柳岸", "清凉"],
    "滨江街道": ["滨江", "渡口", "江湾"],
    "新华街道": ["新华", "光明", "朝阳"],
    "和平街道": ["和平", "幸福", "育才"],
}
AGENCIES = [
    ("江城区阳光社会工作服务中心", "阳光社工"),
    ("江城区心桥社会工作事务所", "心桥社工"),
    ("江城区启明星社会工作服务社", "启明星社工"),
    ("江城区彩虹社区服务中心", "彩虹服务中心"),
    ("江城区博爱社会工作服务中心", "博爱社工"),
    ("江城区同心社会工作服务社", "同心社工"),
    ("江城区善德社会工作服务中心", "善德社工"),
    ("江城区馨和家庭服务中心", "馨和家庭"),
    ("江城区益众社会工作发展中心", "益众社工"),
    ("江城区乐群社会工作服务社", "乐群社工"),
    ("江城区明德青少年服务中心", "明德青少年"),
    ("江城区春晖社会工作服务中心", "春晖社工"),
    ("江城区晨曦社区矫正服务社", "晨曦矫正"),
    ("江城区新航禁毒社会工作服务中心", "新航禁毒"),
    ("江城区康宁心理健康服务中心", "康宁心理"),
    ("江城区夕阳红养老服务中心", "夕阳红"),
    ("江城区仁爱助残服务中心", "仁爱助残"),
    ("江城区和谐家园社会工作服务社", "和谐家园"),
    ("江城区青苗成长服务中心", "青苗成长"),
    ("江城区邻里守望社区发展中心", "邻里守望"),
    ("江城区民心社会工作服务中心", "民心社工"),
    ("江城区同行外来人员服务中心", "同行服务"),
]
ENTERPRISES = [
    ("江城银河科技股份有限公司", "银河科技"),
    ("江城恒丰置业有限公司", "恒丰置业"),
    ("江城惠民超市连锁有限公司", "惠民超市"),
    ("江城长江医药有限公司", "长江医药"),
    ("江城金陵建设集团有限公司", "金陵建设"),
    ("江城天润食品有限公司", "天润食品"),
]
# (name, colour, hex, target group, guiding department, title stems)
CATEGORIES = [
    (
        "红色·阳光新生",
        "红",
        "#D93025",
        "社区矫正人员、刑满释放人员",
        "江城区司法局",
        ["阳光驿站社区矫正帮扶", "新起点刑释人员回归", "重塑人生矫正对象心理辅导", "扬帆就业帮扶"],
    ),
    (
        "橙色·戒毒康复",
        "橙",
        "#F07F19",
        "社区戒毒、社区康复人员",
        "江城区禁毒委员会办公室",
        ["新航社区戒毒康复", "无毒家园同伴教育", "康复之路家庭支持", "远离毒品青少年预防"],
    ),
    (
        "黄色·青春护航",
        "黄",
        "#E8B50C",
        "闲散青少年、困境儿童",
        "共青团江城区委员会",
        ["青春护航闲散青少年成长", "彩虹桥困境儿童陪伴", "梦想课堂学业辅导", "阳光少年自护"],
    ),
    (
        "绿色·心灵家园",
        "绿",
        "#2E9E44",
        "精神障碍康复者及其家庭",
        "江城区卫生局",
        ["心灵家园精神康复", "绿丝带家属喘息服务", "同路人康复者互助", "心晴社区心理支持"],
    ),
    (
        "青色·银龄关爱",
        "青",
        "#12A5A5",
        "独居、空巢、失能老人",
        "江城区老龄工作委员会办公室",
        ["银龄关爱独居老人守护", "时间银行互助养老", "夕阳红居家照护", "长者安康探访"],
    ),
    (
        "蓝色·新市民融入",
        "蓝",
        "#2F6FD6",
        "外来务工人员及其家庭",
        "江城区总工会",
        ["新市民社区融入", "候鸟儿童暑期课堂", "外来务工者权益服务", "异乡人家庭支持"],
    ),
    (
        "紫色·助残扶困",
        "紫",
        "#8E44AD",
        "残疾人、低保及特困家庭",
        "江城区残疾人联合会",
        ["助残扶困居家康复", "爱心桥困难家庭帮扶", "阳光工坊残疾人就业", "温暖相伴特困家庭支持"],
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    organization: str
    role: str | None
    title: str


USERS = [
    DemoUser("admin", "系统管理员", "江城区民政局", None, "信息中心"),
    DemoUser("committee", "李明华", "江城区社会工作委员会", roles.COMMITTEE, "专职副书记"),
    DemoUser("civil", "王建国", "江城区民政局", roles.CIVIL_AFFAIRS, "社会工作科科长"),
    DemoUser("association", "张丽", "江城区社会工作协会", roles.ASSOCIATION, "秘书长"),
    DemoUser("unit", "陈晓燕", "江城区阳光社会工作服务中心", roles.IMPLEMENTING_UNIT, "项目主管"),
    DemoUser("unit2", "刘志强", "江城区心桥社会工作事务所", roles.IMPLEMENTING_UNIT, "项目主管"),
    DemoUser("evaluator", "赵文博", "江城区社会组织评估中心", roles.EVALUATOR, "评估专家"),
    DemoUser("evaluator2", "钱慧敏", "江城区社会组织评估中心", roles.EVALUATOR, "评估专家"),
    DemoUser("evaluator3", "孙国平", "江城区社会组织评估中心", roles.EVALUATOR, "评估专家"),
]
UNIT_AGENCY = "江城区阳光社会工作服务中心"
UNIT2_AGENCY = "江城区心桥社会工作事务所"

# Approved amounts: each pattern sums to a tenth of the round budget, and the
# rounds hold ten repetitions of it, so the totals are exact by construction.
AMOUNTS_2012 = [Decimal(a) for a in ("18000", "14000", "16000", "15000", "17000")]
AMOUNTS_2013 = [Decimal(a) for a in ("20000", "18000", "15333.33", "16666.67", "12000", "18000")]
BUDGET_2012 = Decimal("800000.00")
BUDGET_2013 = Decimal("1000000.00")
BUDGET_2014 = Decimal("1200000.00")
ROUND_PERIODS = {
    2012: (datetime.date(2012, 9, 1), datetime.date(2013, 8, 31)),
    2013: (datetime.date(2013, 9, 16), datetime.date(2014, 9, 30)),
    2014: (datetime.date(2014, 5, 1), datetime.date(2015, 4, 30)),
}
INSTALMENT_PLAN = [
    ("首期", Decimal("40"), InstalmentCondition.SIGNED),
    ("中期", Decimal("40"), InstalmentCondition.MIDTERM_PASSED),
    ("尾期", Decimal("20"), InstalmentCondition.FINAL_PASSED),
]
# Budget lines of every application: (category, share of the requested amount); the last takes the rest.
BUDGET_SHARES = [
    ("人员经费", Decimal("50")),
    ("活动经费", Decimal("25")),
    ("物资", Decimal("10")),
    ("宣传", Decimal("5")),
    ("培训督导", Decimal("3")),
    ("管理费", Decimal("7")),
]
BUDGET_NOTES = {
    "人员经费": "项目社工及督导人员补贴",
    "活动经费": "个案、小组及社区活动开支",
    "物资": "慰问及活动物资",
    "宣传": "宣传折页、展板",
    "培训督导": "义工培训、专业督导",
    "管理费": "机构管理及财务审计",
}
# 2013 projects left approved with a drafted agreement, for the signing and first release to be shown.
AWAITING_SIGNATURE_2013 = [59, 60]
EXCELLENT_2012_SEQUENCES = [3, 8, 12, 17, 21, 26, 33, 38, 44, 49]
MODELS = [
    Project.ServiceModel.SOCIAL_WORKER_VOLUNTEER,
    Project.ServiceModel.AGENCY_COMMUNITY,
    Project.ServiceModel.GOVERNMENT_AGENCY,
]


def demo_credit_code(registration: str, serial: int) -> str:
    """A credit code that passes GB 32100-2015: registration authority + type, division, organisation code."""
    org_body = f"{50000000 + serial * 7919:08d}"[-8:]
    first17 = registration + DIVISION_CODE + org_body + org_code_check_character(org_body)
    return first17 + credit_code_check_character(first17)


def analyze_tables() -> None:
    """Give PostgreSQL's planner statistics of the rows just loaded in bulk.

    Until autovacuum gets round to them (never, inside a test's transaction), the tables look
    empty, and a lookup such as one activity's attendees plans as nested loops over every project
    and case. ANALYZE sees the current transaction's own rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class DemoSeeder:
    def __init__(self, password: str):
        self.password = password
        self.created: dict[str, int] = {}
        self.orgs: dict[str, Organization] = {}
        self._serial = 0

    def count(self, label: str, created: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1

    @transaction.atomic
    def run(self) -> dict[str, int]:
        self.seed_organizations()
        self.seed_categories()
        round_2012 = self.seed_round(2012, BUDGET_2012, datetime.date(2012, 9, 1), Round.Status.CLOSED)
        round_2013 = self.seed_round(2013, BUDGET_2013, datetime.date(2013, 9, 16), Round.Status.IN_PROGRESS)
        self.seed_projects(round_2012, 50, AMOUNTS_2012, Project.Status.COMPLETED, datetime.date(2012, 9, 1))
        self.seed_projects(round_2013, 60, AMOUNTS_2013, Project.Status.IN_PROGRESS, datetime.date(2013, 10, 1))
        for round_ in (round_2012, round_2013):
            self.seed_agreements(round_)
        self.seed_awards(round_2012)
        self.seed_users()
        for round_ in (round_2012, round_2013):
            self.seed_budget_lines(round_)
            self.seed_social_funds(round_)
            self.seed_instalments(round_)
        CaseworkSeeder(self).run(round_2012, round_2013)
        analyze_tables()  # the evaluations read back what was just loaded in bulk
        EvaluationSeeder(self).run(round_2012)
        round_2014 = self.seed_round(2014, BUDGET_2014, datetime.date(2014, 3, 1), Round.Status.OPEN)
        self.seed_applications(round_2014)
        analyze_tables()
        return self.created

    # -- the open round: applications moving through the workflow ------------------

    def seed_applications(self, round_) -> None:
        """A few 2014 applications at different steps, taken through the real services so logs exist."""
        if round_.projects.exists():
            return
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=["unit", "unit2", "association", "civil"])}
        categories = list(ServiceCategory.objects.order_by("order"))
        # (unit, title stem, category index, steps taken)
        plan = [
            ("unit", "长者安康探访", 4, []),
            ("unit", "阳光驿站社区矫正帮扶", 0, [Action.SUBMIT, Action.RETURN]),
            ("unit", "彩虹桥困境儿童陪伴", 2, [Action.SUBMIT, Action.RECOMMEND]),
            ("unit2", "心晴社区心理支持", 3, [Action.SUBMIT]),
            ("unit2", "新市民社区融入", 5, [Action.SUBMIT]),
            ("unit2", "助残扶困居家康复", 6, [Action.SUBMIT, Action.RECOMMEND]),
        ]
        actors = {Action.SUBMIT: None, Action.RETURN: users["association"], Action.RECOMMEND: users["association"]}
        # Demo mail would only clutter the console of `make run`.
        with notifications_muted():
            for index, (username, stem, category_index, steps) in enumerate(plan):
                subdistrict, communities = list(SUBDISTRICTS.items())[index + 1]
                community = communities[index % len(communities)]
                _name, _colour, _hex, target, guide, _stems = CATEGORIES[category_index]
                project = project_create(
                    project=Project(
                        round=round_,
                        title=f"{community}社区{stem}项目",
                        guiding_department=self.orgs[guide],
                        category=categories[category_index],
                        service_model=MODELS[index % len(MODELS)],
                        target_group=target,
                        subdistrict=self.orgs[f"{DISTRICT}{subdistrict}办事处"],
                        community=self.orgs[f"{subdistrict}{community}社区居民委员会"],
                        start_date=datetime.date(2014, 5, 1),
                        end_date=datetime.date(2015, 4, 30),
                        requested_amount=Decimal(18000 + 1000 * index),
                        target_beneficiaries=40 + 10 * index,
                        objectives=f"摸清{community}社区{target}底数，建立个案档案，开展不间断跟踪服务。",
                    ),
                    by=users[username],
                )
                self.count("项目", True)
                self.add_budget_lines(project)
                for step in steps:
                    TRANSITION_SERVICES[step](
                        project=project,
                        by=actors[step] or users[username],
                        comment="请补充服务对象底数调查和预算说明。" if step == Action.RETURN else "",
                    )

    # -- organisations ---------------------------------------------------------------

    def org(self, name, short_name, type_, registration=None, parent=None, **extra) -> Organization:
        self._serial += 1
        defaults = {"short_name": short_name, "type": type_, "parent": parent, **extra}
        if registration:
            defaults["credit_code"] = demo_credit_code(registration, self._serial)
        organization, created = Organization.objects.get_or_create(name=name, defaults=defaults)
        self.count("组织", created)
        self.orgs[name] = organization
        return organization

    def seed_organizations(self) -> None:
        for name, short in GOVERNMENT:
            self.org(name, short, T.GOVERNMENT, "11", address=f"{DISTRICT}府前路1号")
        for name, short in MASS_ORGANIZATIONS:
            self.org(name, short, T.MASS_ORGANIZATION, "81", address=f"{DISTRICT}府前路9号")
        self.org(
            *ASSOCIATION,
            T.ASSOCIATION,
            "51",
            contact_person="张丽",
            phone="025-84001234",
            address=f"{DISTRICT}文庙路18号",
        )
        self.org(*EVALUATION_CENTRE, T.OTHER, "52", address=f"{DISTRICT}长乐路66号")
        for subdistrict_index, (subdistrict, communities) in enumerate(SUBDISTRICTS.items()):
            parent = self.org(
                f"{DISTRICT}{subdistrict}办事处",
                subdistrict,
                T.SUBDISTRICT,
                "11",
                phone=f"025-8460{subdistrict_index:04d}",
            )
            for community in communities:
                self.org(f"{subdistrict}{community}社区居民委员会", f"{community}社区", T.COMMUNITY, parent=parent)
        for index, (name, short) in enumerate(AGENCIES):
            self.org(
                name,
                short,
                T.AGENCY,
                "52",
                contact_person=["陈晓燕", "刘志强", "周敏", "吴刚"][index % 4],
                phone=f"025-8470{index:04d}",
                address=f"{DISTRICT}{list(SUBDISTRICTS)[index % 8]}",
            )
        for name, short in ENTERPRISES:
            self.org(name, short, T.ENTERPRISE, "91")

    def seed_categories(self) -> None:
        for order, (name, colour_name, colour, target, _guide, _stems) in enumerate(CATEGORIES, start=1):
            _category, created = ServiceCategory.objects.get_or_create(
                name=name,
                defaults={"colour_name": colour_name, "colour": colour, "target_group": target, "order": order},
            )
            self.count("服务类别", created)

    # -- rounds and projects -------------------------------------------------------

    def seed_round(self, year, budget, launch_date, status) -> Round:
        period_start, period_end = ROUND_PERIODS[year]
        round_, created = Round.objects.get_or_create(
            year=year,
            defaults={
                "title": f"{year}年度七彩工程",
                "budget": budget,
                "status": status,
                "launch_date": launch_date,
                "period_start": period_start,
                "period_end": period_end,
                "management_cap_percent": Decimal("10"),
                "description": f"{DISTRICT}{year}年度政府购买社会工作服务“七彩工程”项目。",
            },
        )
        self.count("年度批次", created)
        if created:
            RoundInstalmentRule.objects.bulk_create(
                RoundInstalmentRule(round=round_, order=order, name=name, percent=percent, condition=condition)
                for order, (name, percent, condition) in enumerate(INSTALMENT_PLAN, start=1)
            )
        return round_

    def implementing_unit_for(self, sequence: int) -> Organization:
        """Agencies carry most projects; unit and unit2 each carry several; some go to subdistricts and communities."""
        if sequence % 9 == 1:
            return self.orgs[UNIT_AGENCY]
        if sequence % 9 == 5:
            return self.orgs[UNIT2_AGENCY]
        if sequence % 10 == 0:
            subdistrict = list(SUBDISTRICTS)[(sequence // 10) % 8]
            return self.orgs[f"{DISTRICT}{subdistrict}办事处"]
        if sequence % 15 == 7:
            subdistrict, communities = list(SUBDISTRICTS.items())[sequence % 8]
            return self.orgs[f"{subdistrict}{communities[0]}社区居民委员会"]
        others = AGENCIES[2:]  # the first two are unit's and unit2's
        return self.orgs[others[(sequence * 5) % len(others)][0]]

    def seed_projects(self, round_, count, amounts, status, start) -> None:
        if round_.projects.exists():
            return
        categories = list(ServiceCategory.objects.order_by("order"))
        for sequence in range(1, count + 1):
            index = sequence - 1
            name, _colour, _hex, target, guide, stems = CATEGORIES[index % len(CATEGORIES)]
            subdistrict, communities = list(SUBDISTRICTS.items())[(index * 3) % len(SUBDISTRICTS)]
            community = communities[index % len(communities)]
            approved = amounts[index % len(amounts)]
            stem = stems[(index // len(CATEGORIES)) % len(stems)]
            unit = self.implementing_unit_for(sequence)
            project = Project(
                round=round_,
                title=f"{community}社区{stem}项目",
                implementing_unit=unit,
                guiding_department=self.orgs[guide],
                category=categories[index % len(categories)],
                service_model=MODELS[index % len(MODELS)],
                target_group=target,
                subdistrict=self.orgs[f"{DISTRICT}{subdistrict}办事处"],
                community=self.orgs[f"{subdistrict}{community}社区居民委员会"],
                start_date=start,
                end_date=start.replace(year=start.year + 1) - datetime.timedelta(days=1),
                requested_amount=approved + Decimal(1000 * (index % 4)),
                approved_amount=approved,
                target_beneficiaries=30 + (index * 17) % 170,
                objectives=f"为{community}社区{target}提供专业社会工作服务，建立个案档案，开展小组和社区活动，"
                f"形成“{Project.ServiceModel(MODELS[index % len(MODELS)]).label}”联动机制。",
                description=f"{name}系列项目，由{unit.short_name or unit.name}实施，{guide}提供业务指导。",
                status=status,
            )
            project_create(project=project)
            if sequence % 6 == 0:
                project.partners.add(self.orgs[f"{subdistrict}{community}社区居民委员会"])
            self.count("项目", True)

    def seed_agreements(self, round_) -> None:
        government = self.orgs["江城区人民政府"]
        association = self.orgs[ASSOCIATION[0]]
        year = round_.year
        signed = round_.launch_date
        _agreement, created = Agreement.objects.get_or_create(
            number=f"QCKJ-{year}",
            defaults={
                "kind": Agreement.Kind.FRAMEWORK,
                "title": f"{year}年度七彩工程服务项目协议书",
                "party_a": government,
                "party_b": association,
                "round": round_,
                "signed_date": signed,
                "amount": round_.budget,
                "term_start": ROUND_PERIODS[year][0],
                "term_end": ROUND_PERIODS[year][1],
                "status": Agreement.Status.SIGNED,
            },
        )
        self.count("协议", created)
        for project in round_.projects.select_related("implementing_unit").order_by("sequence"):
            awaiting = year == 2013 and project.sequence in AWAITING_SIGNATURE_2013
            if (
                awaiting
                and project.status == Project.Status.IN_PROGRESS
                and not project.audit_entries.transitions().exists()
            ):
                Project.objects.filter(pk=project.pk).update(status=Project.Status.APPROVED)
            _agreement, created = Agreement.objects.get_or_create(
                number=f"QCXY-{year}-{project.sequence:03d}",
                defaults={
                    "kind": Agreement.Kind.PROJECT,
                    "title": f"{project.title}服务协议",
                    "party_a": association,
                    "party_b": project.implementing_unit,
                    "round": round_,
                    "project": project,
                    "signed_date": None if awaiting else project.start_date - datetime.timedelta(days=5),
                    "amount": project.approved_amount,
                    "term_start": project.start_date,
                    "term_end": project.end_date,
                    "status": Agreement.Status.DRAFT if awaiting else Agreement.Status.SIGNED,
                },
            )
            self.count("协议", created)

    # -- money ----------------------------------------------------------------------

    def add_budget_lines(self, project) -> None:
        categories = {c.name: c for c in BudgetCategory.objects.all()}
        amounts = plan_amounts(project.requested_amount, [share for _name, share in BUDGET_SHARES])
        BudgetLine.objects.bulk_create(
            BudgetLine(project=project, category=categories[name], amount=amount, description=BUDGET_NOTES[name])
            for (name, _share), amount in zip(BUDGET_SHARES, amounts, strict=True)
        )

    def seed_budget_lines(self, round_) -> None:
        for project in round_.projects.filter(budget_lines__isnull=True).order_by("sequence"):
            self.add_budget_lines(project)

    def seed_social_funds(self, round_) -> None:
        """Caring enterprises match a share of the government money: about 30% in 2013, 20% in 2012."""
        if SocialFund.objects.filter(project__round=round_).exists():
            return
        enterprises = [self.orgs[name] for name, _short in ENTERPRISES]
        funds = []
        for project in round_.projects.order_by("sequence"):
            if project.sequence % 3 == 0:
                continue
            donor = enterprises[project.sequence % len(enterprises)]
            share = Decimal("0.45") if round_.year == 2013 else Decimal("0.30")
            amount = (project.approved_amount * share).quantize(Decimal("1"))
            kind = SocialFund.Kind.IN_KIND if project.sequence % 5 == 0 else SocialFund.Kind.CASH
            funds.append(
                SocialFund(
                    project=project,
                    donor=donor,
                    kind=kind,
                    amount=amount,
                    received_on=project.start_date + datetime.timedelta(days=20 + project.sequence % 40),
                    note="捐赠慰问物资" if kind == SocialFund.Kind.IN_KIND else "爱心企业配套资金",
                )
            )
        SocialFund.objects.bulk_create(funds)
        self.count("配套社会资金", bool(funds))

    def seed_instalments(self, round_) -> None:
        """2012: every instalment paid after passed evaluations; 2013: the first instalment paid on signing."""
        civil = get_user_model().objects.get(username="civil")
        payable = round_.projects.filter(
            status__in=[Project.Status.COMPLETED, Project.Status.IN_PROGRESS], instalments__isnull=True
        )
        for project in payable.select_related("round").order_by("sequence"):
            if round_.year == 2012:
                Project.objects.filter(pk=project.pk).update(
                    midterm_passed_on=datetime.date(2013, 3, 15), final_passed_on=datetime.date(2013, 8, 20)
                )
                project.refresh_from_db()
            instalments = instalment_plan_create(project=project)
            dates = [
                project.start_date + datetime.timedelta(days=10),
                datetime.date(2013, 3, 25),
                datetime.date(2013, 9, 5),
            ]
            paid = instalments if round_.year == 2012 else instalments[:1]
            for instalment, released_on in zip(paid, dates, strict=False):
                instalment.project = project
                instalment_release(
                    instalment=instalment,
                    by=civil,
                    released_on=released_on,
                    voucher_number=f"JCMZ-{round_.year}-{project.sequence:03d}-{instalment.sequence}",
                )
            self.count("拨付", True)

    def seed_awards(self, round_) -> None:
        award_type = AwardType.objects.get(code=EXCELLENT_PROJECT)
        projects = Project.objects.filter(round=round_, sequence__in=EXCELLENT_2012_SEQUENCES).order_by("sequence")
        for rank, project in enumerate(projects, start=1):
            _record, created = AwardRecord.objects.get_or_create(
                round=round_,
                award_type=award_type,
                project=project,
                defaults={
                    "rank": rank,
                    "citation": f"“{project.title}”服务成效显著，被评为{round_.year}年度七彩工程优秀项目。",
                    "awarded_on": datetime.date(round_.year + 1, 9, 16),
                    "presenter": "江城区社会工作委员会",
                },
            )
            self.count("表彰记录", created)

    def seed_users(self) -> None:
        User = get_user_model()
        for demo in USERS:
            user = User.objects.filter(username=demo.username).first()
            if user is None:
                user = User(
                    username=demo.username,
                    first_name=demo.full_name,
                    email=f"{demo.username}@qicai.local",
                    is_staff=True,
                    is_superuser=demo.role is None,
                )
                user.set_password(self.password)
                user.save()
                self.count("用户", True)
            if demo.role and not user.groups.filter(name=demo.role).exists():
                user.groups.add(Group.objects.get(name=demo.role))
            _membership, created = Membership.objects.get_or_create(
                user=user, defaults={"organization": self.orgs[demo.organization], "title": demo.title}
            )
            self.count("组织成员", created)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "丽华",
    "明",
    "红梅",
    "伟",
    "芳",
    "海燕",
    "德胜",
    "玉珍",
    "小军",
    "淑芬",
    "文杰",
    "晓东",
    "凤英",
    "国强",
    "美玲",
    "春生",
    "浩然",
    "雨欣",
    "子涵",
    "振华",
    "翠花",
    "金山",
    "梓轩",
    "婷婷",
]
GROUP_BY_CATEGORY = ["correction", "drug", "youth", "mental", "elderly", "migrant", "disability"]
NEEDS_BY_CATEGORY = [
    ["employment", "psychological", "legal"],
    ["health", "psychological", "social"],
    ["education", "emotional", "social"],
    ["health", "psychological", "care"],
    ["care", "emotional", "health"],
    ["education", "social", "material"],
    ["material", "care", "employment"],
]
FOLLOW_UP_NOTES = [
    ("入户探访，了解近期生活和情绪状况，情绪较上次稳定。", "经济压力有所缓解"),
    ("面谈，回顾服务目标进展，协助链接社区资源。", "新增就业意向"),
    ("电话回访，确认已按约参加小组活动，反馈良好。", ""),
    ("入户探访，家属反映照料负担较重，已转介喘息服务。", "照料需求上升"),
]
ACTIVITY_PLAN = [
    ("casework", "个案辅导：{stem}"),
    ("group", "“同伴同行”小组第{n}节"),
    ("community", "{community}社区主题宣传日"),
    ("training", "义工服务技巧培训"),
]


def demo_id_number(serial: int, born: datetime.date, gender: str) -> str:
    sequence = (serial * 7) % 500 * 2 + (1 if gender == "male" else 0)
    first17 = f"{DIVISION_CODE}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_character(first17)


class CaseworkSeeder:
    """People served, with enrolments, needs, follow-ups, activities, social workers and volunteers.

    Written in bulk (it is demo data, not user input), deterministic, and only for rounds
    that have no enrolments yet. Some 2013 enrolments are people already served in 2012:
    the same ID number, one beneficiary, so unique people and enrolments differ.
    """

    PER_PROJECT = {2012: 4, 2013: 6}

    def __init__(self, seeder: "DemoSeeder"):
        self.seeder = seeder
        self.serial = Beneficiary.objects.count()

    def run(self, *rounds) -> None:
        for round_ in rounds:
            if Enrollment.objects.filter(project__round=round_).exists():
                continue
            projects = list(
                round_.projects.filter(status__in=[ProjectStatus.COMPLETED, ProjectStatus.IN_PROGRESS])
                .select_related("implementing_unit", "community", "category")
                .order_by("sequence")
            )
            workers = self.seed_people(projects)
            for project in projects:
                self.seed_project(project, round_.year, workers)

    def seed_people(self, projects) -> dict:
        """Social workers and volunteers of every implementing unit, once per unit."""
        workers = {}
        for unit in {p.implementing_unit for p in projects}:
            staff = list(SocialWorker.objects.filter(employer=unit))
            if not staff:
                staff = SocialWorker.objects.bulk_create(
                    SocialWorker(
                        name=self.person_name(unit.pk * 3 + i),
                        gender="female" if i % 2 else "male",
                        phone=f"1390{unit.pk % 10000:04d}{i:03d}",
                        employer=unit,
                        certification=["social_worker", "assistant", "senior", "none"][(unit.pk + i) % 4],
                        certificate_number=f"SW{unit.pk:03d}{i:02d}" if (unit.pk + i) % 4 != 3 else "",
                        is_supervisor=i == 0,
                    )
                    for i in range(3)
                )
                Volunteer.objects.bulk_create(
                    Volunteer(
                        name=self.person_name(unit.pk * 7 + i + 100),
                        gender="female" if i % 3 else "male",
                        phone=f"1370{unit.pk % 10000:04d}{i:03d}",
                        organization=unit,
                        skills=["心理咨询", "法律咨询", "文艺表演", "医疗保健", "陪伴探访"][i % 5],
                        registered_on=datetime.date(2012, 8, 1) + datetime.timedelta(days=i * 9),
                    )
                    for i in range(5)
                )
            workers[unit.pk] = (staff, list(Volunteer.objects.filter(organization=unit)))
        for project in projects:
            project.social_workers.add(*workers[project.implementing_unit_id][0][:2])
        return workers

    def person_name(self, n: int) -> str:
        return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES) + n) % len(GIVEN)]

    def person_for(self, project, index: int, year: int) -> tuple[Beneficiary, dict]:
        """The person key and this unit's record of who the person is."""
        group = GROUP_BY_CATEGORY[(project.category.order - 1) % len(GROUP_BY_CATEGORY)]
        if year == 2013 and index == 0:
            # Served again: a person of the same special group served in 2012 is enrolled once more.
            earlier = (
                Enrollment.objects.filter(special_group=group, project__round__year=2012)
                .exclude(beneficiary__id_number="")
                .exclude(beneficiary__enrollments__project=project)
                .select_related("beneficiary")
                .order_by("beneficiary__code")
            )
            count = earlier.count()
            if count:
                case = earlier[project.sequence % count]
                identity = {field: getattr(case, field) for field in IDENTITY_FIELDS}
                return case.beneficiary, identity
        self.serial += 1
        n = self.serial
        gender = "female" if n % 2 else "male"
        age = {"elderly": 72, "youth": 17}.get(group, 38) + n % 9
        born = datetime.date(year - age, 1 + n % 12, 1 + n % 28)
        person = Beneficiary.objects.create(
            code=f"FW{n:08d}", id_number="" if n % 17 == 0 else demo_id_number(n, born, gender)
        )
        identity = {
            "name": self.person_name(n * 13 + 5),
            "gender": gender,
            "date_of_birth": born,
            "phone": f"138{n:08d}"[:11],
            "community": project.community,
            "special_group": group,
        }
        return person, identity

    def seed_project(self, project, year: int, workers) -> None:
        staff, volunteers = workers[project.implementing_unit_id]
        closed = project.status == Project.Status.COMPLETED
        enrollments = []
        for index in range(self.PER_PROJECT[year]):
            beneficiary, identity = self.person_for(project, index, year)
            intake = project.start_date + datetime.timedelta(days=7 + index * 5)
            enrollments.append(
                Enrollment(
                    code=f"{project.code}/{index + 1:03d}",
                    sequence=index + 1,
                    beneficiary=beneficiary,
                    project=project,
                    **identity,
                    intake_date=intake,
                    household_size=1 + (index + project.sequence) % 5,
                    family_situation=[
                        "独居，子女在外地工作。",
                        "与配偶同住，家庭关系一般。",
                        "单亲家庭，与母亲同住。",
                        "三代同堂，经济较困难。",
                    ][index % 4],
                    subsistence=["none", "dibao", "tekun", "low_income"][(index + project.sequence) % 4],
                    income_level=["none", "lt1000", "lt3000", "ge3000"][index % 4],
                    personal_traits=["性格内向，不善表达。", "乐观开朗，愿意参与活动。", "情绪波动较大。"][index % 3],
                    social_factors=["社区支持网络薄弱。", "邻里关系良好。", "缺少就业渠道。"][index % 3],
                    risk_level=["low", "medium", "high", "low"][index % 4],
                    service_plan="建立信任关系，每月至少两次跟踪，链接社区资源。",
                    goals="改善生活状况和情绪，增强社会支持。",
                    consent_on=intake,
                    status=EnrollmentStatus.CLOSED if closed else EnrollmentStatus.OPEN,
                    closed_on=project.end_date - datetime.timedelta(days=10) if closed else None,
                    closing_summary="服务目标基本达成，转入社区常规关注。" if closed else "",
                )
            )
        enrollments = Enrollment.objects.bulk_create(enrollments)
        needs_for = NEEDS_BY_CATEGORY[(project.category.order - 1) % len(NEEDS_BY_CATEGORY)]
        NeedAssessment.objects.bulk_create(
            NeedAssessment(enrollment=e, need=need, severity=1 + (i + k) % 3)
            for i, e in enumerate(enrollments)
            for k, need in enumerate(needs_for[: 2 + i % 2])
        )
        FollowUp.objects.bulk_create(
            FollowUp(
                enrollment=e,
                date=e.intake_date + datetime.timedelta(days=20 * (k + 1)),
                social_worker=staff[k % len(staff)],
                method=["visit", "interview", "phone", "visit"][k],
                note=FOLLOW_UP_NOTES[k][0],
                needs_change=FOLLOW_UP_NOTES[k][1],
                risk_level=["medium", "low", "low", "medium"][(i + k) % 4],
            )
            for i, e in enumerate(enrollments)
            for k in range(2 + i % 3)
        )
        community = project.community.short_name.removesuffix("社区") if project.community else ""
        for n, (kind, title) in enumerate(ACTIVITY_PLAN, start=1):
            activity = Activity.objects.create(
                project=project,
                type=kind,
                title=title.format(stem=project.category.name.split("·")[-1], n=n, community=community),
                date=project.start_date + datetime.timedelta(days=30 * n),
                venue=project.community,
                participants=[1, 8, 60, 15][n - 1],
                description="由项目社工带领，义工协助开展。",
            )
            # Straight into the link table: the related manager's set() first reads the current links.
            Activity.attendees.through.objects.bulk_create(
                Activity.attendees.through(activity=activity, enrollment=e) for e in enrollments[: [1, 4, 3, 0][n - 1]]
            )
            ActivityStaff.objects.bulk_create(
                ActivityStaff(activity=activity, social_worker=worker, hours=Decimal("2.5")) for worker in staff[:2]
            )
            ActivityVolunteer.objects.bulk_create(
                ActivityVolunteer(activity=activity, volunteer=v, hours=Decimal(2 + (n + i) % 3))
                for i, v in enumerate(volunteers[: 1 + n % 4])
            )
        if year == 2012 and project.sequence in EXCELLENT_2012_SEQUENCES[:4]:
            CaseStory.objects.create(
                project=project,
                enrollment=enrollments[0],
                title=f"从封闭到重新走出家门——{project.category.name.split('·')[-1]}服务案例",
                narrative="李阿姨（化名）独居多年，很少与人来往。社工通过持续探访建立信任，"
                "邀请她参加社区小组活动，并链接义工定期陪伴。",
                service_method="个案管理结合小组工作，“社工+义工”联动陪伴。",
                outcome="李阿姨每周参加两次社区活动，主动担任楼道联络员。",
                consent_on=project.end_date - datetime.timedelta(days=30),
                is_excellent=project.sequence == EXCELLENT_2012_SEQUENCES[0],
            )
        self.seeder.count("个案", True)


RUBRICS = {
    "midterm": ("中期评估标准", [("项目管理", 20), ("服务成效", 40), ("财务管理", 20), ("服务对象满意度", 20)]),
    "final": ("结项评估标准", [("项目管理", 20), ("服务成效", 40), ("财务管理", 20), ("社会影响", 20)]),
}
RUBRIC_GUIDANCE = {
    "项目管理": "计划执行、档案规范、人员配备与督导。",
    "服务成效": "目标达成、服务对象改变、案例质量。",
    "财务管理": "预算执行、票据规范、配套资金到位。",
    "服务对象满意度": "随机回访服务对象的满意度。",
    "社会影响": "社区参与、宣传报道、模式可推广性。",
}


class EvaluationSeeder:
    """2012's mid-term and final evaluations, scored by three evaluators and finalised; their final
    ranking puts exactly the ten 2012 award winners on top, whose confirmed nominations are recorded.
    Also the association's standing records of the agencies."""

    def __init__(self, seeder: "DemoSeeder"):
        self.seeder = seeder

    def run(self, round_2012) -> None:
        templates = {kind: self.rubric(kind) for kind in RUBRICS}
        self.seed_standing()
        if Evaluation.objects.filter(project__round=round_2012).exists():
            return
        User = get_user_model()
        evaluators = list(User.objects.filter(username__in=["evaluator", "evaluator2", "evaluator3"]).order_by("pk"))
        civil = User.objects.get(username="civil")
        for project in round_2012.projects.order_by("sequence"):
            final_target = self.final_target(project.sequence)
            for kind, target, due in [
                ("midterm", min(final_target - 2 + project.sequence % 3, Decimal("98")), datetime.date(2013, 3, 10)),
                ("final", final_target, datetime.date(2013, 8, 15)),
            ]:
                self.seed_evaluation(project, templates[kind], kind, target, due, evaluators, civil)
        self.seed_nominations(round_2012)
        self.seeder.count("评估", True)

    def rubric(self, kind) -> RubricTemplate:
        name, criteria = RUBRICS[kind]
        template, created = RubricTemplate.objects.get_or_create(name=name, version=1, defaults={"kind": kind})
        if created:
            RubricCriterion.objects.bulk_create(
                RubricCriterion(template=template, name=c, max_score=points, guidance=RUBRIC_GUIDANCE[c], order=i)
                for i, (c, points) in enumerate(criteria, start=1)
            )
        return template

    @staticmethod
    def final_target(sequence: int) -> Decimal:
        """The ten award winners score 96.0, 95.5 … 91.5 in award order; everyone else below 90."""
        if sequence in EXCELLENT_2012_SEQUENCES:
            return Decimal("96.0") - Decimal("0.5") * EXCELLENT_2012_SEQUENCES.index(sequence)
        return Decimal("70") + Decimal(sequence * 37 % 190) / 10

    def seed_evaluation(self, project, template, kind, target, due, evaluators, civil) -> None:
        from projects.services import grade_for, scorecard_total, trimmed_mean

        evaluation = Evaluation.objects.create(project=project, kind=kind, template=template, due_date=due)
        evaluation.evaluators.set(evaluators)
        criteria = list(template.criteria.all())
        totals = []
        for offset, evaluator in zip((Decimal("-1"), Decimal("0"), Decimal("1")), evaluators, strict=True):
            percent = min(target + offset, Decimal("100"))
            card = Scorecard.objects.create(
                evaluation=evaluation,
                evaluator=evaluator,
                status=Scorecard.Status.SUBMITTED,
                overall_comment="项目执行规范，服务成效明显。" if percent >= 85 else "基本完成目标，档案有待完善。",
                submitted_at=timezone.make_aware(datetime.datetime.combine(due, datetime.time(10))),
            )
            items = ScoreItem.objects.bulk_create(
                ScoreItem(scorecard=card, criterion=c, score=(c.max_score * percent / 100).quantize(Decimal("0.01")))
                for c in criteria
            )
            card.total = scorecard_total(items, criteria)
            card.save(update_fields=["total"])
            totals.append(card.total)
        score = trimmed_mean(totals)
        Evaluation.objects.filter(pk=evaluation.pk).update(
            status=Evaluation.Status.FINALISED,
            score=score,
            grade=grade_for(score, project.round),
            scorecards_counted=len(totals),
            finalised_by=civil,
            finalised_at=timezone.make_aware(datetime.datetime.combine(due, datetime.time(16))),
        )

    def seed_nominations(self, round_) -> None:
        committee = get_user_model().objects.get(username="committee")
        evaluations = {e.project_id: e for e in Evaluation.objects.filter(project__round=round_, kind="final")}
        for record in AwardRecord.objects.filter(round=round_, award_type__code=EXCELLENT_PROJECT).order_by("rank"):
            Nomination.objects.create(
                round=round_,
                award_type=record.award_type,
                project=record.project,
                source=Nomination.Source.RANKING,
                ranking_position=record.rank,
                score=evaluations[record.project_id].score,
                reason=f"结项评估得分 {evaluations[record.project_id].score}，本批次第 {record.rank} 名。",
                status=Nomination.Status.CONFIRMED,
                decided_by=committee,
                decided_at=timezone.make_aware(datetime.datetime.combine(record.awarded_on, datetime.time(9))),
                award_record=record,
            )

    def seed_standing(self) -> None:
        for index, (name, _short) in enumerate(AGENCIES):
            organization = self.seeder.orgs[name]
            _standing, created = AgencyStanding.objects.get_or_create(
                organization=organization,
                defaults={
                    "membership_status": "member" if index % 11 else "suspended",
                    "member_since": datetime.date(2010 + index % 3, 3, 1),
                    "assessment_level": ["3A", "4A", "5A", "3A", "2A"][index % 5],
                    "assessed_on": datetime.date(2012, 11, 20),
                },
            )
            if created and index % 7 == 3:
                ComplianceNote.objects.create(
                    organization=organization,
                    date=datetime.date(2013, 5, 6),
                    kind="complaint",
                    note="服务对象家属反映探访次数不足，已约谈机构负责人并要求增加探访频次。",
                    resolved=True,
                )
