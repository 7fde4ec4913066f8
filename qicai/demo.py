"""Deterministic demo data: the district, its 2012 and 2013 rounds, and one user per role.

Everything is keyed by a natural key and created only when missing, so running
the seed again changes nothing, and the same database always comes out: what looks
random (names, birth dates, phone numbers, amounts, dates) is drawn from a random
source seeded by the thing's own key (``demo_random``), never from the clock.
The figures are a stable interface that tests and the README rely on:
2012 has 50 projects; 2013 has 60 whose approved amounts sum to exactly
1,000,000 CNY; 10 2012 projects hold the 优秀项目 award.
"""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from awards.constants import EXCELLENT_PROJECT
from awards.models import AwardRecord, AwardType, Nomination
from awards.services import nomination_create
from projects import roles
from projects.audit import AuditAction, transition_action
from projects.formatting import format_cny, person_name
from projects.models import (
    Activity,
    ActivityStaff,
    ActivityVolunteer,
    AgencyStanding,
    Agreement,
    AuditEntry,
    Beneficiary,
    BudgetCategory,
    BudgetLine,
    CaseStory,
    ComplianceNote,
    Enrollment,
    Evaluation,
    EvaluationKind,
    FollowUp,
    Grade,
    Instalment,
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
from projects.models.casework import Gender
from projects.notifications import notifications_muted
from projects.services import (
    TRANSITION_SERVICES,
    evaluation_assign,
    evaluation_create,
    instalment_plan_create,
    instalment_release,
    plan_amounts,
    project_code,
    project_create,
    scorecard_save,
)
from projects.services.casework import IDENTITY_FIELDS
from projects.states import Action, EnrollmentStatus, ProjectStatus
from projects.validators import (
    credit_code_check_character,
    id_number_check_character,
    org_code_check_character,
)
from projects.workflow import TRANSITIONS

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


# -- what looks random, drawn the same way every time --------------------------------------------


def demo_random(*key) -> random.Random:
    """A random source of its own for one thing seeded, named by its natural key (``"person", 17``).

    Seeded from the key's text (hashed with SHA-512, whatever PYTHONHASHSEED says), so the same thing
    comes out on every machine and every run, and adding a person does not reshuffle the others.
    """
    return random.Random(":".join(str(part) for part in ("qicai-demo", *key)))


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
# The commoner surnames come up more often, roughly as in a Chinese city (王 about thirteen times 沈).
SURNAME_WEIGHTS = [1 / (rank + 4) for rank in range(len(SURNAMES))]


def _names(text: str) -> list[str]:
    return text.split()


# Given names by gender and generation (born before 1960, 1960–1984, from 1985): a woman is not
# called 德胜, and a teenager is not called 建国 or 桂兰.
GIVEN_NAMES = {
    Gender.MALE: {
        "old": _names("建国 德胜 国强 春生 金山 振华 志刚 永福 保国 卫东 福生 长林 国华 根生"),
        "middle": _names("志强 伟 明 晓东 文杰 海涛 建华 军 斌 勇 俊杰 立新 鹏 磊 涛"),
        "young": _names("浩然 梓轩 宇航 俊熙 子豪 浩宇 博文 一鸣 天佑 嘉豪 明轩 皓轩 思远"),
    },
    Gender.FEMALE: {
        "old": _names("秀英 桂兰 玉珍 凤英 淑芬 翠花 桂英 秀兰 玉兰 素珍 兰英 金凤 秀珍"),
        "middle": _names("丽华 红梅 芳 海燕 美玲 丽娟 艳 静 敏 晓燕 霞 红霞 秀梅 慧"),
        "young": _names("雨欣 婷婷 欣怡 梓涵 诗涵 佳怡 思雨 雨萱 可欣 嘉怡 心怡 梦瑶 语桐"),
    },
}
# Mobile prefixes of the three operators in use in 2012–2014.
MOBILE_PREFIXES = [
    *("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147"),
    *("150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("180", "181", "182", "183", "186", "187", "188", "189"),
]


def given_names(gender: str) -> set[str]:
    """Every given name the demo gives people of ``gender``."""
    return {name for names in GIVEN_NAMES[gender].values() for name in names}


def chinese_name(rng: random.Random, gender: str, born_year: int) -> str:
    generation = "old" if born_year < 1960 else "middle" if born_year < 1985 else "young"
    return rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + rng.choice(GIVEN_NAMES[gender][generation])


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline_number(rng: random.Random) -> str:
    """A number in the district's city (area code 025, eight digits beginning 5 or 8)."""
    return f"025-{rng.choice('58')}{rng.randrange(10**7):07d}"


def amounts_to_total(
    rng: random.Random, amounts: list[int], total: int, *, step: int, low: list[int], high: list[int], free=None
) -> list[int]:
    """Move ``amounts`` (indices ``free``, default all) by ``step`` at random, each within its bounds,
    until they sum exactly to ``total``: round figures that still add up."""
    amounts = list(amounts)
    free = list(range(len(amounts))) if free is None else list(free)
    fixed_sum = sum(amounts) - sum(amounts[index] for index in free)
    reachable = sum(low[index] for index in free) <= total - fixed_sum <= sum(high[index] for index in free)
    gap = total - sum(amounts)
    if gap % step or not reachable:
        raise ValueError(f"{total} cannot be reached in steps of {step} within the bounds")
    while gap:
        index = rng.choice(free)
        delta = step if gap > 0 else -step
        if low[index] <= amounts[index] + delta <= high[index]:
            amounts[index] += delta
            gap -= delta
    return amounts


def approved_amounts(year: int, count: int, total: int, fixed: dict[int, int]) -> list[Decimal]:
    """What the office approved for each project of a round (by index): round thousands, as an office
    approves them, typically 10,000 to 25,000, summing exactly to the round's total."""
    rng = demo_random("approved amounts", year)
    typical = [10000, 12000, 15000, 15000, 16000, 18000, 20000, 20000, 25000]
    amounts = [fixed.get(index, rng.choice(typical)) for index in range(count)]
    free = [index for index in range(count) if index not in fixed]
    amounts = amounts_to_total(rng, amounts, total, step=1000, low=[10000] * count, high=[30000] * count, free=free)
    return [Decimal(amount) for amount in amounts]


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


def implementing_unit_name(sequence: int) -> str:
    """Agencies carry most projects; unit and unit2 each carry several; some go to subdistricts and communities."""
    if sequence % 9 == 1:
        return UNIT_AGENCY
    if sequence % 9 == 5:
        return UNIT2_AGENCY
    if sequence % 10 == 0:
        subdistrict = list(SUBDISTRICTS)[(sequence // 10) % 8]
        return f"{DISTRICT}{subdistrict}办事处"
    if sequence % 15 == 7:
        subdistrict, communities = list(SUBDISTRICTS.items())[sequence % 8]
        return f"{subdistrict}{communities[0]}社区居民委员会"
    others = AGENCIES[2:]  # the first two are unit's and unit2's
    return others[(sequence * 5) % len(others)][0]


def contact_person(organization: str) -> str:
    """The named contact of an agency, subdistrict or community (and its project staff's account)."""
    known = {UNIT_AGENCY: "陈晓燕", UNIT2_AGENCY: "刘志强"}
    if organization in known:
        return known[organization]
    rng = demo_random("contact", organization)
    return chinese_name(rng, rng.choice([Gender.MALE, Gender.FEMALE]), rng.randint(1965, 1988))


def unit_staff() -> list[DemoUser]:
    """One project officer's account for every other organisation that runs a 2012 or 2013 project:
    who drafted, submitted and started its projects in the workflow log. Same password as the others."""
    agencies = [name for name, _short in AGENCIES]
    subdistricts = [f"{DISTRICT}{name}办事处" for name in SUBDISTRICTS]
    communities = [f"{sub}{name}社区居民委员会" for sub, names in SUBDISTRICTS.items() for name in names]
    staff = []
    for organization in sorted(
        {implementing_unit_name(sequence) for sequence in range(1, 61)} - {UNIT_AGENCY, UNIT2_AGENCY}
    ):
        if organization in agencies:
            username, title = f"unit{agencies.index(organization) + 1}", "项目主管"
        elif organization in subdistricts:
            username, title = f"subdistrict{subdistricts.index(organization) + 1}", "社会事务科科员"
        else:
            username, title = f"community{communities.index(organization) + 1}", "社区居委会副主任"
        staff.append(DemoUser(username, contact_person(organization), organization, roles.IMPLEMENTING_UNIT, title))
    return staff


BUDGET_2012 = Decimal("800000.00")
BUDGET_2013 = Decimal("1000000.00")
BUDGET_2014 = Decimal("1200000.00")
# 2013 projects left approved with a drafted agreement, for the signing and first release to be shown.
# Their amounts are fixed so that the other 58 hold 970,000 of the budget (first instalments: 388,000).
AWAITING_SIGNATURE_2013 = [59, 60]
APPROVED = {
    2012: approved_amounts(2012, 50, 800_000, fixed={}),
    2013: approved_amounts(2013, 60, 1_000_000, fixed={58: 12000, 59: 18000}),
}
# Matched social funds of 2013: exactly 30% of the government money (the README's leverage ratio).
SOCIAL_FUNDS_2013 = 300_000
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
EXCELLENT_2012_SEQUENCES = [3, 8, 12, 17, 21, 26, 33, 38, 44, 49]
MODELS = [
    Project.ServiceModel.SOCIAL_WORKER_VOLUNTEER,
    Project.ServiceModel.AGENCY_COMMUNITY,
    Project.ServiceModel.GOVERNMENT_AGENCY,
]


# The days civil affairs paid instalments: the first ten days after the service began, the mid-term after
# the mid-term evaluations, the last after the final ones. 2013 has paid its first instalments only.
INSTALMENT_RUNS = {
    2012: [datetime.date(2012, 9, 11), datetime.date(2013, 3, 25), datetime.date(2013, 9, 5)],
    2013: [datetime.date(2013, 10, 11)],
}


@dataclass(frozen=True)
class RoundCalendar:
    """When a round's applications went through the workflow, on working days, before the service began."""

    applications_from: datetime.date  # the first applications are drafted
    application_days: int  # … over so many days; each is submitted within two weeks of its draft
    reviews_from: datetime.date  # the association's first review (初审)
    review_days: int
    approval_day: datetime.date  # civil affairs' approval meeting (审定)
    signing_day: datetime.date  # the project agreements (the agreements' signed date)
    started_on: datetime.date  # the first working day of the service period: the units press 启动实施


CALENDARS = {
    2012: RoundCalendar(
        datetime.date(2012, 5, 2),
        35,
        datetime.date(2012, 7, 2),
        20,
        datetime.date(2012, 8, 14),
        datetime.date(2012, 8, 27),
        datetime.date(2012, 9, 3),  # 1 September 2012 was a Saturday
    ),
    2013: RoundCalendar(
        datetime.date(2013, 5, 20),
        30,
        datetime.date(2013, 7, 15),
        20,
        datetime.date(2013, 9, 5),
        datetime.date(2013, 9, 26),
        datetime.date(2013, 10, 8),  # the first working day after the National Day holiday
    ),
}


def local_time(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def working_day(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@dataclass(frozen=True)
class ApplicationTimes:
    drafted: datetime.datetime
    submitted: datetime.datetime
    recommended: datetime.datetime


def application_times(year: int, code: str) -> ApplicationTimes:
    """When a seeded project of 2012 or 2013 was drafted, submitted and recommended, in working hours."""
    calendar = CALENDARS[year]
    rng = demo_random("application", code)

    def during_office_hours(day: datetime.date) -> datetime.datetime:
        return local_time(working_day(day), rng.choice([9, 10, 11, 14, 15, 16]), rng.randrange(60))

    drafted = calendar.applications_from + datetime.timedelta(days=rng.randrange(calendar.application_days))
    submitted = working_day(drafted) + datetime.timedelta(days=rng.randint(2, 12))
    reviewed = calendar.reviews_from + datetime.timedelta(days=rng.randrange(calendar.review_days))
    return ApplicationTimes(during_office_hours(drafted), during_office_hours(submitted), during_office_hours(reviewed))


def evaluation_due(kind: str, sequence: int) -> datetime.date:
    """2012's evaluations: the mid-terms due over the first week of March 2013, the finals over a week
    in mid-August, each finalised on its due date."""
    monday = datetime.date(2013, 3, 4) if kind == EvaluationKind.MIDTERM else datetime.date(2013, 8, 12)
    return monday + datetime.timedelta(days=sequence % 5)


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
        self._password_hash = ""

    def count(self, label: str, created: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1

    @transaction.atomic
    def run(self) -> dict[str, int]:
        self.seed_organizations()
        self.seed_categories()
        self.seed_users()
        round_2012 = self.seed_round(2012, BUDGET_2012, datetime.date(2012, 9, 1), Round.Status.CLOSED)
        round_2013 = self.seed_round(2013, BUDGET_2013, datetime.date(2013, 9, 16), Round.Status.IN_PROGRESS)
        self.seed_projects(round_2012, 50, Project.Status.COMPLETED, datetime.date(2012, 9, 1))
        self.seed_projects(round_2013, 60, Project.Status.IN_PROGRESS, datetime.date(2013, 10, 1))
        for round_ in (round_2012, round_2013):
            self.seed_agreements(round_)
        self.seed_awards(round_2012)
        for round_ in (round_2012, round_2013):
            self.seed_budget_lines(round_)
            self.seed_social_funds(round_)
            self.seed_instalments(round_)
        CaseworkSeeder(self).run(round_2012, round_2013)
        analyze_tables()  # the evaluations read back what was just loaded in bulk
        EvaluationSeeder(self).run(round_2012)
        for round_ in (round_2012, round_2013):
            TrailSeeder(self).run(round_)
        round_2014 = self.seed_round(2014, BUDGET_2014, datetime.date(2014, 3, 1), Round.Status.OPEN)
        self.seed_applications(round_2014)
        self.seed_open_evaluation(round_2013)
        self.seed_pending_nomination(round_2013)
        self.seed_case_reads(round_2013)
        analyze_tables()
        return self.created

    def user(self, username: str):
        return get_user_model().objects.get(username=username)

    # -- the open round: applications moving through the workflow ------------------

    def seed_applications(self, round_) -> None:
        """A few 2014 applications at different steps, taken through the real services so logs exist,
        dated in the spring of 2014 when the round was open."""
        if round_.projects.exists():
            return
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=["unit", "unit2", "association", "civil"])}
        categories = list(ServiceCategory.objects.order_by("order"))
        day = datetime.date
        # (unit, title stem, category index, drafted on, steps taken with their days)
        plan = [
            ("unit", "长者安康探访", 4, day(2014, 4, 8), []),
            ("unit", "阳光驿站社区矫正帮扶", 0, day(2014, 3, 12), [(Action.SUBMIT, 3, 20), (Action.RETURN, 4, 2)]),
            ("unit", "彩虹桥困境儿童陪伴", 2, day(2014, 3, 13), [(Action.SUBMIT, 3, 24), (Action.RECOMMEND, 4, 3)]),
            ("unit2", "心晴社区心理支持", 3, day(2014, 3, 17), [(Action.SUBMIT, 3, 28)]),
            ("unit2", "新市民社区融入", 5, day(2014, 3, 18), [(Action.SUBMIT, 4, 1)]),
            ("unit2", "助残扶困居家康复", 6, day(2014, 3, 14), [(Action.SUBMIT, 3, 25), (Action.RECOMMEND, 4, 3)]),
        ]
        actors = {Action.SUBMIT: None, Action.RETURN: users["association"], Action.RECOMMEND: users["association"]}
        # Demo mail would only clutter the console of `make run`.
        with notifications_muted():
            for index, (username, stem, category_index, drafted, steps) in enumerate(plan):
                subdistrict, communities = list(SUBDISTRICTS.items())[index + 1]
                community = communities[index % len(communities)]
                _name, _colour, _hex, target, guide, _stems = CATEGORIES[category_index]
                with dated_audit(local_time(drafted, 9, 40 + index)):
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
                changed = local_time(drafted, 9, 40 + index)
                for step, month, day_of_month in steps:
                    changed = local_time(datetime.date(2014, month, day_of_month), 10 + index % 5, 15)
                    with dated_audit(changed):
                        TRANSITION_SERVICES[step](
                            project=project,
                            by=actors[step] or users[username],
                            comment=REVIEW_COMMENTS[step],
                        )
                Project.objects.filter(pk=project.pk).update(
                    created_at=local_time(drafted, 9, 40 + index), updated_at=changed
                )

    def seed_open_evaluation(self, round_) -> None:
        """A 2013 mid-term evaluation under way, through the services: civil affairs opened it and assigned
        the three experts; one has submitted, one has saved a draft, and ``evaluator`` has yet to score."""
        if Evaluation.objects.filter(project__round=round_).exists():
            return
        civil = self.user("civil")
        evaluators = [self.user(name) for name in ("evaluator", "evaluator2", "evaluator3")]
        project = Project.objects.get(round=round_, sequence=OPEN_EVALUATION_2013)
        template = RubricTemplate.objects.get(name=RUBRICS[EvaluationKind.MIDTERM][0], version=1)
        opened = local_time(datetime.date(2014, 3, 20), 10)
        with dated_audit(opened):
            evaluation = evaluation_create(
                project=project, kind=EvaluationKind.MIDTERM, template=template, due_date=OPEN_EVALUATION_DUE, by=civil
            )
        with dated_audit(opened + datetime.timedelta(minutes=5)):
            for evaluator in evaluators:
                evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=civil)
        Evaluation.objects.filter(pk=evaluation.pk).update(created_at=opened)
        criteria = list(template.criteria.all())
        submitted = local_time(datetime.date(2014, 4, 9), 15, 20)
        with dated_audit(submitted):
            scorecard_save(
                evaluation=evaluation,
                by=evaluators[1],
                scores={c.pk: (c.max_score * Decimal("0.85"), "") for c in criteria},
                overall_comment="个案档案规范，跟踪记录连续；社区活动参与面可再扩大。",
                submit=True,
            )
        Scorecard.objects.filter(evaluation=evaluation, evaluator=evaluators[1]).update(submitted_at=submitted)
        scorecard_save(
            evaluation=evaluation,
            by=evaluators[2],
            scores={criteria[0].pk: (criteria[0].max_score * Decimal("0.8"), "")},
            submit=False,
        )
        self.count("评估", True)

    def seed_case_reads(self, round_) -> None:
        """Reads of case files in the access log, in the demo's spring of 2014 like the open evaluation: on
        10 April ``unit`` opened nine of its own cases (an ordinary day); on 11 April ``committee`` opened 72
        cases across the district's units, which 异常查阅 flags (more than twice an average unit's open
        caseload). The list shows them from 2014-04-01 (``?since=2014-04-01&until=2014-04-30``)."""
        if AuditEntry.objects.filter(action=AuditAction.CASE_READ).exists():
            return
        unit, committee = self.user("unit"), self.user("committee")
        own = Enrollment.objects.filter(
            project__round=round_, project__implementing_unit__short_name="阳光社工"
        ).select_related("project")
        district = (
            Enrollment.objects.filter(project__round=round_)
            .select_related("project")
            .order_by("project__sequence", "sequence")
        )
        content_type = ContentType.objects.get_for_model(Enrollment)
        readers = (
            (unit, own.order_by("sequence")[:9], datetime.date(2014, 4, 10), 9),
            (committee, district[::3][:72], datetime.date(2014, 4, 11), 14),
        )
        for user, cases, day, hour in readers:
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(
                        action=AuditAction.CASE_READ,
                        actor=user,
                        content_type=content_type,
                        object_id=str(case.pk),
                        object_repr=str(case)[:120],
                        project=case.project,
                        day=day,
                    )
                    for case in cases
                ]
            )
            # Three minutes apart from the hour on (auto_now_add stamped them now).
            read = AuditEntry.objects.filter(action=AuditAction.CASE_READ, actor=user, day=day).order_by("pk")
            start = local_time(day, hour)
            for n, pk in enumerate(read.values_list("pk", flat=True)):
                AuditEntry.objects.filter(pk=pk).update(at=start + datetime.timedelta(minutes=3 * n))
        self.count("查阅个案记录", True)

    def seed_pending_nomination(self, round_) -> None:
        """The association's nomination of a 2013 volunteer for 优秀志愿者, awaiting the committee."""
        if Nomination.objects.filter(round=round_).exists():
            return
        volunteer = (
            Volunteer.objects.filter(organization__name=UNIT_AGENCY, is_active=True)
            .order_by("registered_on", "pk")
            .first()
        )
        award_type = AwardType.objects.get(code=EXCELLENT_VOLUNTEER)
        nominated = local_time(datetime.date(2014, 4, 10), 11)
        with dated_audit(nominated):
            nomination = nomination_create(
                nomination=Nomination(
                    round=round_,
                    award_type=award_type,
                    person_name=volunteer.name,
                    reason=f"{volunteer.name}自{volunteer.registered_on.year}年起在{UNIT_AGENCY}做义工，"
                    f"{volunteer.skills}见长，本年度坚持每周参加探访和小组活动，服务对象反映良好。",
                ),
                by=self.user("association"),
            )
        Nomination.objects.filter(pk=nomination.pk).update(created_at=nominated)
        self.count("提名", True)

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
            phone=landline_number(demo_random("phone", ASSOCIATION[0])),
            address=f"{DISTRICT}文庙路18号",
        )
        self.org(*EVALUATION_CENTRE, T.OTHER, "52", address=f"{DISTRICT}长乐路66号")
        implementing = {implementing_unit_name(sequence) for sequence in range(1, 61)}
        for subdistrict, communities in SUBDISTRICTS.items():
            name = f"{DISTRICT}{subdistrict}办事处"
            parent = self.org(
                name,
                subdistrict,
                T.SUBDISTRICT,
                "11",
                contact_person=contact_person(name) if name in implementing else "",
                phone=landline_number(demo_random("phone", name)),
            )
            for community in communities:
                name = f"{subdistrict}{community}社区居民委员会"
                contact = contact_person(name) if name in implementing else ""
                self.org(name, f"{community}社区", T.COMMUNITY, parent=parent, contact_person=contact)
        for index, (name, short) in enumerate(AGENCIES):
            rng = demo_random("address", name)
            self.org(
                name,
                short,
                T.AGENCY,
                "52",
                contact_person=contact_person(name),
                phone=landline_number(demo_random("phone", name)),
                address=f"{DISTRICT}{list(SUBDISTRICTS)[index % 8]}{rng.choice(STREETS)}{rng.randint(2, 188)}号",
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

    def seed_projects(self, round_, count, status, start) -> None:
        """The round's projects in their present states, each drafted by its unit's officer through
        ``project_create`` while the round was open for applications, on the day the trail says."""
        if round_.projects.exists():
            return
        categories = list(ServiceCategory.objects.order_by("order"))
        officers = unit_officers()
        final_status, round_.status = round_.status, Round.Status.OPEN
        Round.objects.filter(pk=round_.pk).update(status=round_.status)
        for sequence in range(1, count + 1):
            index = sequence - 1
            name, _colour, _hex, target, guide, stems = CATEGORIES[index % len(CATEGORIES)]
            subdistrict, communities = list(SUBDISTRICTS.items())[(index * 3) % len(SUBDISTRICTS)]
            community = communities[index % len(communities)]
            approved = APPROVED[round_.year][index]
            stem = stems[(index // len(CATEGORIES)) % len(stems)]
            unit = self.orgs[implementing_unit_name(sequence)]
            awaiting = round_.year == 2013 and sequence in AWAITING_SIGNATURE_2013
            # Units ask for a little more than the office approves, in round figures.
            asked = demo_random("requested", round_.year, sequence).choice([0, 0, 0, 1000, 1500, 2000, 3000, 5000])
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
                requested_amount=approved + asked,
                approved_amount=approved,
                target_beneficiaries=30 + (index * 17) % 170,
                objectives=f"为{community}社区{target}提供专业社会工作服务，建立个案档案，开展小组和社区活动，"
                f"形成“{Project.ServiceModel(MODELS[index % len(MODELS)]).label}”联动机制。",
                description=f"{name}系列项目，由{unit.short_name or unit.name}实施，{guide}提供业务指导。",
                status=Project.Status.APPROVED if awaiting else status,
            )
            with dated_audit(application_times(round_.year, project_code(year=round_.year, sequence=sequence)).drafted):
                project_create(project=project, by=officers[unit.pk])
            if sequence % 6 == 0:
                project.partners.add(self.orgs[f"{subdistrict}{community}社区居民委员会"])
            self.count("项目", True)
        round_.status = final_status
        Round.objects.filter(pk=round_.pk).update(status=final_status)

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
            awaiting = project.status == Project.Status.APPROVED
            _agreement, created = Agreement.objects.get_or_create(
                number=f"QCXY-{year}-{project.sequence:03d}",
                defaults={
                    "kind": Agreement.Kind.PROJECT,
                    "title": f"{project.title}服务协议",
                    "party_a": association,
                    "party_b": project.implementing_unit,
                    "round": round_,
                    "project": project,
                    "signed_date": None if awaiting else CALENDARS[year].signing_day,
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
        """Caring enterprises match a share of the government money in round thousands: 2013 exactly 30%
        of it (300,000 of 1,000,000), 2012 about 20%. Every third project finds no sponsor."""
        if SocialFund.objects.filter(project__round=round_).exists():
            return
        enterprises = [self.orgs[name] for name, _short in ENTERPRISES]
        rng = demo_random("social funds", round_.year)
        projects = [p for p in round_.projects.order_by("sequence") if p.sequence % 3]
        share = Decimal("0.45") if round_.year == 2013 else Decimal("0.30")
        amounts = [int(p.approved_amount * share / 1000 + Decimal("0.5")) * 1000 for p in projects]
        if round_.year == 2013:
            amounts = amounts_to_total(
                rng,
                amounts,
                SOCIAL_FUNDS_2013,
                step=1000,
                low=[2000] * len(projects),
                high=[int(p.approved_amount) for p in projects],
            )
        funds = []
        for project, amount in zip(projects, amounts, strict=True):
            kind = SocialFund.Kind.IN_KIND if project.sequence % 5 == 0 else SocialFund.Kind.CASH
            funds.append(
                SocialFund(
                    project=project,
                    donor=enterprises[project.sequence % len(enterprises)],
                    kind=kind,
                    amount=Decimal(amount),
                    received_on=working_day(project.start_date + datetime.timedelta(days=20 + project.sequence % 40)),
                    note="捐赠慰问物资" if kind == SocialFund.Kind.IN_KIND else "爱心企业配套资金",
                )
            )
        SocialFund.objects.bulk_create(funds)
        self.count("配套社会资金", bool(funds))

    def seed_instalments(self, round_) -> None:
        """2012: every instalment paid after passed evaluations; 2013: the first instalment paid on signing.

        Released a payment run at a time (every first instalment, then every mid-term one …), each run's
        audit rows dated on its day."""
        civil = get_user_model().objects.get(username="civil")
        payable = round_.projects.filter(
            status__in=[Project.Status.COMPLETED, Project.Status.IN_PROGRESS], instalments__isnull=True
        )
        plans = []
        for project in payable.select_related("round").order_by("sequence"):
            if round_.year == 2012:
                Project.objects.filter(pk=project.pk).update(
                    midterm_passed_on=evaluation_due(EvaluationKind.MIDTERM, project.sequence),
                    final_passed_on=evaluation_due(EvaluationKind.FINAL, project.sequence),
                )
                project.refresh_from_db()
            plans.append((project, instalment_plan_create(project=project)))
            self.count("拨付", True)
        runs = INSTALMENT_RUNS[round_.year]
        for number, released_on in enumerate(runs):
            recorded = local_time(released_on, 10)
            with dated_audit(recorded):
                for project, instalments in plans:
                    instalment = instalments[number]
                    instalment.project = project
                    instalment_release(
                        instalment=instalment,
                        by=civil,
                        released_on=released_on,
                        voucher_number=f"JCMZ-{round_.year}-{project.sequence:03d}-{instalment.sequence}",
                    )
            Instalment.objects.filter(project__round=round_, released_on=released_on).update(released_at=recorded)

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
        groups = {group.name: group for group in Group.objects.all()}
        for demo in [*USERS, *unit_staff()]:
            user = User.objects.filter(username=demo.username).first()
            if user is None:
                if not self._password_hash:
                    # One hash for every demo account (the same password): hashing takes a quarter of a
                    # second each with the production hasher.
                    self._password_hash = make_password(self.password)
                user = User(
                    username=demo.username,
                    first_name=demo.full_name,
                    email=f"{demo.username}@qicai.local",
                    is_staff=True,
                    is_superuser=demo.role is None,
                    password=self._password_hash,
                )
                user.save()
                self.count("用户", True)
            if demo.role and not user.groups.filter(name=demo.role).exists():
                user.groups.add(groups[demo.role])
            _membership, created = Membership.objects.get_or_create(
                user=user, defaults={"organization": self.orgs[demo.organization], "title": demo.title}
            )
            self.count("组织成员", created)


@contextmanager
def given_times(model, field_name: str) -> Iterator[None]:
    """Rows inserted inside the block keep the time they carry in ``field_name`` (an ``auto_now_add`` field,
    which would otherwise be stamped with now): the demo's past written in one insert.

    The field's flag is switched for the block only (as migration 0019 does to copy old logs); the seed
    runs in one thread, in one transaction.
    """
    field = model._meta.get_field(field_name)
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def unit_officers() -> dict:
    """Each implementing organisation's project officer (its first account by user name), by organisation id."""
    officers: dict = {}
    memberships = Membership.objects.filter(user__groups__name=roles.IMPLEMENTING_UNIT).select_related("user")
    for membership in memberships.order_by("user__username"):
        officers.setdefault(membership.organization_id, membership.user)
    return officers


@contextmanager
def dated_audit(when: datetime.datetime) -> Iterator[None]:
    """The audit rows the services write inside the block are dated ``when``: the demo's past, not today."""
    before = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    yield
    AuditEntry.objects.filter(pk__gt=before).update(at=when)


STREETS = ["中山路", "建康路", "长江路", "凤凰街", "龙江路", "集庆路", "汉中路", "虎踞路", "水西门大街", "莫愁路"]
REVIEW_COMMENTS = {
    Action.SUBMIT: "",
    Action.RETURN: "请补充服务对象底数调查和预算说明。",
    Action.RECOMMEND: "需求调研充分，服务方案可行，同意推荐。",
}
# 2013's evaluation under way: a project of an agency other than unit's and unit2's, so that neither's
# screens change; due within the project's period.
OPEN_EVALUATION_2013 = 4
OPEN_EVALUATION_DUE = datetime.date(2014, 4, 30)
EXCELLENT_VOLUNTEER = "excellent-volunteer"


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


# Ages of the people each special group serves, at the round's start.
AGES = {
    "correction": (22, 55),
    "drug": (20, 50),
    "youth": (12, 22),
    "mental": (20, 62),
    "elderly": (62, 91),
    "migrant": (20, 48),
    "disability": (16, 75),
}
# What a unit writes about a household, by special group, true at any age the group has
# (a teenager does not live alone with the children away, nor a man of seventy with his parents).
FAMILY_SITUATIONS = {
    "correction": ["与父母同住，父母年迈。", "离异，独自租房居住。", "与配偶、子女同住，家庭关系紧张。"],
    "drug": ["与母亲同住，家人支持戒毒。", "独自居住，与家人联系较少。", "与配偶同住，配偶无固定工作。"],
    "youth": ["单亲家庭，与母亲同住。", "父母在外务工，与祖父母同住。", "与父母同住，亲子沟通较少。"],
    "mental": ["与家人同住，家人为主要照料者。", "与配偶同住，配偶照料负担较重。", "独自居住，由社区定期探访。"],
    "elderly": ["独居，子女在外地工作。", "独居，老伴去世多年。", "与老伴同住，老伴行动不便。"],
    "migrant": [
        "夫妻二人在本区务工，子女随迁就读。",
        "在本区务工，租住城中村，家人在老家。",
        "一家三口租房居住，收入不稳定。",
    ],
    "disability": ["与家人同住，需要长期照料。", "与配偶同住，家庭收入较低。", "独自居住，依靠低保生活。"],
}


# 2012's written-up cases by special group: (title, narrative, method, outcome), told of a pseudonym.
CASE_STORIES = {
    "elderly": (
        "从封闭到重新走出家门——{stem}服务案例",
        "{alias}{elder}（化名）独居多年，很少与人来往。社工通过持续探访建立信任，"
        "邀请{ta}参加社区小组活动，并链接义工定期陪伴。",
        "个案管理结合小组工作，“社工+义工”联动陪伴。",
        "{alias}{elder}每周参加两次社区活动，主动担任楼道联络员。",
    ),
    "youth": (
        "重新回到课堂——{stem}服务案例",
        "小{alias}（化名）初中毕业后辍学在家，整日上网，与父母冲突不断。社工多次家访建立关系，"
        "链接学业辅导义工，并邀请{ta}参加同伴成长小组。",
        "个案辅导结合同伴小组，学校、家庭、社区协同跟进。",
        "小{alias}报读了职业学校，亲子关系明显缓和，如今在小组里带新组员。",
    ),
    "correction": (
        "走出阴影，重新上岗——{stem}服务案例",
        "老{alias}（化名）社区矫正期间情绪低落，求职屡屡碰壁，家人也有怨言。社工定期面谈疏导情绪，"
        "协助{ta}参加技能培训，并联系爱心企业提供岗位。",
        "个案管理结合就业帮扶，“机构+社区”联动。",
        "老{alias}在爱心企业稳定就业半年，顺利解除矫正，与家人关系改善。",
    ),
}


def demo_id_number(rng: random.Random, born: datetime.date, gender: str) -> str:
    """An ID number of the district with the person's birth date; its 17th digit is odd for a man."""
    sequence = rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
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
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()

    def phone(self, rng: random.Random) -> str:
        """A mobile number nobody else in the demo has."""
        number = mobile_number(rng)
        while number in self.phones:
            number = mobile_number(rng)
        self.phones.add(number)
        return number

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
                staff = []
                for i in range(3):
                    rng = demo_random("social worker", unit.name, i)
                    gender = Gender.FEMALE if i % 2 else Gender.MALE
                    certification = ["social_worker", "assistant", "senior", "none"][(unit.pk + i) % 4]
                    staff.append(
                        SocialWorker(
                            name=chinese_name(rng, gender, rng.randint(1968, 1990)),
                            gender=gender,
                            phone=self.phone(rng),
                            employer=unit,
                            certification=certification,
                            certificate_number=f"SW{unit.pk:03d}{i:02d}" if certification != "none" else "",
                            is_supervisor=i == 0,
                        )
                    )
                staff = SocialWorker.objects.bulk_create(staff)
                volunteers = []
                for i in range(5):
                    rng = demo_random("volunteer", unit.name, i)
                    gender = Gender.MALE if i % 3 == 0 else Gender.FEMALE
                    volunteers.append(
                        Volunteer(
                            name=chinese_name(rng, gender, rng.randint(1955, 1994)),
                            gender=gender,
                            phone=self.phone(rng),
                            organization=unit,
                            skills=["心理咨询", "法律咨询", "文艺表演", "医疗保健", "陪伴探访"][i % 5],
                            registered_on=datetime.date(2012, 8, 1) + datetime.timedelta(days=i * 9 + rng.randrange(9)),
                        )
                    )
                Volunteer.objects.bulk_create(volunteers)
            workers[unit.pk] = (staff, list(Volunteer.objects.filter(organization=unit)))
        for project in projects:
            project.social_workers.add(*workers[project.implementing_unit_id][0][:2])
        return workers

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
        rng = demo_random("person", n)
        gender = Gender.FEMALE if n % 2 else Gender.MALE
        youngest, oldest = AGES[group]
        start = datetime.date(year - rng.randint(youngest, oldest), 1, 1)
        born = start + datetime.timedelta(days=rng.randrange(365))
        id_number = ""
        if n % 17:  # some people give no ID number
            id_number = demo_id_number(rng, born, gender)
            while id_number in self.id_numbers:
                id_number = demo_id_number(rng, born, gender)
            self.id_numbers.add(id_number)
        person = Beneficiary.objects.create(code=f"FW{n:08d}", id_number=id_number)
        identity = {
            "name": chinese_name(rng, gender, born.year),
            "gender": gender,
            "date_of_birth": born,
            "phone": self.phone(rng),
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
                    family_situation=FAMILY_SITUATIONS[identity["special_group"]][index % 3],
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
            case = enrollments[0]
            title, narrative, method, outcome = CASE_STORIES.get(case.special_group, CASE_STORIES["elderly"])
            male = case.gender == Gender.MALE
            words = {
                "alias": "周" if male else "林",  # a pseudonym (化名), never the person's own name
                "elder": "大爷" if male else "阿姨",
                "ta": "他" if male else "她",
                "stem": project.category.name.split("·")[-1],
            }
            CaseStory.objects.create(
                project=project,
                enrollment=case,
                title=title.format(**words),
                narrative=narrative.format(**words),
                service_method=method,
                outcome=outcome.format(**words),
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
            for kind, target in [
                (EvaluationKind.MIDTERM, min(final_target - 2 + project.sequence % 3, Decimal("98"))),
                (EvaluationKind.FINAL, final_target),
            ]:
                due = evaluation_due(kind, project.sequence)
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
        offsets = (Decimal("-1"), Decimal("0"), Decimal("1"))
        for order, (offset, evaluator) in enumerate(zip(offsets, evaluators, strict=True)):
            percent = min(target + offset, Decimal("100"))
            card = Scorecard.objects.create(
                evaluation=evaluation,
                evaluator=evaluator,
                status=Scorecard.Status.SUBMITTED,
                overall_comment="项目执行规范，服务成效明显。" if percent >= 85 else "基本完成目标，档案有待完善。",
                submitted_at=local_time(due, 10, 20 * order + project.sequence % 15),
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
        """Every agency a member of the association (unit's and unit2's among them, in good standing), but one
        whose membership is suspended, the reason on its page (合规记录); a few settled complaints."""
        for index, (name, _short) in enumerate(AGENCIES):
            organization = self.seeder.orgs[name]
            suspended = name == SUSPENDED_AGENCY
            rng = demo_random("standing", name)
            _standing, created = AgencyStanding.objects.get_or_create(
                organization=organization,
                defaults={
                    "membership_status": AgencyStanding.Membership.SUSPENDED
                    if suspended
                    else AgencyStanding.Membership.MEMBER,
                    "member_since": datetime.date(2010 + index % 3, rng.randint(3, 11), rng.randint(1, 28)),
                    "assessment_level": ["3A", "4A", "5A", "3A", "2A"][index % 5],
                    "assessed_on": datetime.date(2012, 11, 20),
                },
            )
            if created and suspended:
                ComplianceNote.objects.create(
                    organization=organization,
                    date=datetime.date(2013, 12, 18),
                    kind=ComplianceNote.Kind.RECTIFICATION,
                    note="2013年度年检发现：项目资金未单独建账核算，部分活动支出缺少票据。经协会理事会研究，"
                    "自2013年12月18日起暂停会籍，限期六个月整改；整改验收合格后恢复会籍。整改期间不得申报新项目。",
                    resolved=False,
                )
            elif created and index % 7 == 3:
                ComplianceNote.objects.create(
                    organization=organization,
                    date=datetime.date(2013, 5, 6),
                    kind=ComplianceNote.Kind.COMPLAINT,
                    note="服务对象家属反映探访次数不足，已约谈机构负责人并要求增加探访频次。",
                    resolved=True,
                )


# The one agency whose membership is suspended: it runs no project of the demo's rounds.
SUSPENDED_AGENCY = "江城区春晖社会工作服务中心"
RECOMMEND_COMMENTS = [
    "需求调研充分，服务方案可行，同意推荐。",
    "服务对象底数清楚，预算编制合理，同意推荐。",
    "项目设计符合本类别要求，建议加强义工培训，同意推荐。",
    "材料齐全，同意推荐。",
]
START_COMMENTS = ["项目启动会已召开，服务团队到位。", "已完成服务对象摸底，开始建档。", ""]


class TrailSeeder:
    """The workflow log (流转记录) and the rest of the audit trail of a seeded round, as the services would
    have written it had the round run in this system: who did what, and when, on the round's calendar.

    The 2012 and 2013 projects are seeded in their final states (the services would refuse to submit
    into a closed round, and they date every row today), so their rows are written here in bulk, in the
    services' own shape (action, actor, record, from and to states, comment, particulars), acted by the
    demo's named people, and inserted at once. (The rows the services write while seeding, each project's
    creation and the instalments released, are dated by ``dated_audit`` where they are written.)
    """

    def __init__(self, seeder: "DemoSeeder"):
        self.seeder = seeder
        self.rows: list[AuditEntry] = []
        self.times: list[datetime.datetime] = []
        self.changed: dict[int, datetime.datetime] = {}  # each project's last transition

    def add(self, when: datetime.datetime, action: str, actor, obj, project, **data) -> None:
        self.rows.append(
            AuditEntry(
                action=action,
                actor=actor,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_repr=str(obj)[:120],
                project=project,
                # As the services store them: dates, decimals and labels as text.
                data={k: v if v is None or isinstance(v, bool | int | str) else str(v) for k, v in data.items()},
            )
        )
        self.times.append(when)

    def transitions(self, project, steps) -> None:
        status = ProjectStatus.DRAFT
        for action, actor, when, comment in steps:
            target = TRANSITIONS[action].target
            self.add(
                when,
                transition_action(action),
                actor,
                project,
                project,
                **{"from": status, "to": target, "comment": comment},
            )
            self.changed[project.pk] = max(when, self.changed.get(project.pk, when))
            status = target

    def run(self, round_) -> None:
        if AuditEntry.objects.filter(project__round=round_).transitions().exists():
            return
        calendar = CALENDARS[round_.year]
        User = get_user_model()
        names = ["civil", "association", "committee", "evaluator", "evaluator2", "evaluator3"]
        people = {user.username: user for user in User.objects.filter(username__in=names)}
        officers = unit_officers()
        for project in round_.projects.order_by("sequence"):
            rng = demo_random("trail", project.code)
            officer = officers[project.implementing_unit_id]
            times = application_times(round_.year, project.code)
            steps = [
                (Action.SUBMIT, officer, times.submitted, ""),
                (Action.RECOMMEND, people["association"], times.recommended, rng.choice(RECOMMEND_COMMENTS)),
                (
                    Action.APPROVE,
                    people["civil"],
                    local_time(calendar.approval_day, 14) + datetime.timedelta(minutes=3 * project.sequence),
                    f"经审定会研究，同意立项，审定金额 {format_cny(project.approved_amount)} 元。",
                ),
            ]
            if project.status != ProjectStatus.APPROVED:
                steps += [
                    (
                        Action.SIGN,
                        people["association"],
                        local_time(calendar.signing_day, 9, 30) + datetime.timedelta(minutes=4 * project.sequence),
                        "",
                    ),
                    (
                        Action.START,
                        officer,
                        local_time(calendar.started_on, 9) + datetime.timedelta(minutes=rng.randrange(420)),
                        rng.choice(START_COMMENTS),
                    ),
                ]
            self.transitions(project, steps)
        self.evaluations(round_, people)
        self.social_funds(round_, officers)
        self.agreements(round_, people)
        self.nominations(round_, people)
        for entry, when in zip(self.rows, self.times, strict=True):
            entry.at = when
        with given_times(AuditEntry, "at"):
            AuditEntry.objects.bulk_create(self.rows, batch_size=1000)
        self.seeder.count("流转与操作记录", bool(self.rows))
        # The projects' own timestamps agree (the open data's lastModified is the last transition).
        for project in round_.projects.only("pk", "code"):
            drafted = application_times(round_.year, project.code).drafted
            Project.objects.filter(pk=project.pk).update(created_at=drafted, updated_at=self.changed[project.pk])

    def evaluations(self, round_, people) -> None:
        """Each finalised evaluation's trail: opened, experts assigned, scorecards submitted, graded; the
        passed grade moves the project on (中期评估合格, 结项评估合格) in the same moment."""
        evaluations = list(
            Evaluation.objects.filter(project__round=round_, status=Evaluation.Status.FINALISED)
            .select_related("project")
            .order_by("project__sequence", "due_date")
        )
        if not evaluations:
            return
        by_id = {user.pk: user for user in people.values()}
        cards: dict[int, list] = {}
        for card in Scorecard.objects.filter(evaluation__in=evaluations).order_by("evaluator_id"):
            cards.setdefault(card.evaluation_id, []).append(card)
        civil = people["civil"]
        opened_on = {}
        for evaluation in evaluations:
            opened = local_time(working_day(evaluation.due_date - datetime.timedelta(days=18)), 9, 30)
            opened_on[evaluation.due_date] = opened
            project = evaluation.project
            self.add(opened, AuditAction.EVALUATION_CREATE, civil, evaluation, project, due_date=evaluation.due_date)
            for card in cards.get(evaluation.pk, []):
                evaluator = by_id[card.evaluator_id]
                self.add(
                    opened + datetime.timedelta(minutes=5),
                    AuditAction.EVALUATION_ASSIGN,
                    civil,
                    evaluation,
                    project,
                    evaluator=person_name(evaluator),
                )
            for card in cards.get(evaluation.pk, []):
                self.add(
                    card.submitted_at,
                    AuditAction.SCORECARD_SUBMIT,
                    by_id[card.evaluator_id],
                    evaluation,
                    project,
                    total=card.total,
                )
            grade = Grade(evaluation.grade).label
            self.add(
                evaluation.finalised_at,
                AuditAction.EVALUATION_FINALISE,
                civil,
                evaluation,
                project,
                score=evaluation.score,
                grade=grade,
                rectification=evaluation.grade == Grade.FAIL,
            )
            if evaluation.grade != Grade.FAIL:
                action = Action.MIDTERM_PASS if evaluation.kind == EvaluationKind.MIDTERM else Action.COMPLETE
                target = TRANSITIONS[action].target
                source = ProjectStatus.IN_PROGRESS if action == Action.MIDTERM_PASS else ProjectStatus.MIDTERM_EVALUATED
                comment = f"{evaluation.get_kind_display()}得分 {evaluation.score}，等级：{grade}"
                self.add(
                    evaluation.finalised_at,
                    transition_action(action),
                    civil,
                    project,
                    project,
                    **{"from": source, "to": target, "comment": comment},
                )
                self.changed[project.pk] = max(evaluation.finalised_at, self.changed[project.pk])
        for due_date, opened in opened_on.items():
            Evaluation.objects.filter(project__round=round_, due_date=due_date).update(created_at=opened)

    def social_funds(self, round_, officers) -> None:
        """The matched funds, recorded by the project's unit on the day they came in."""
        for fund in SocialFund.objects.filter(project__round=round_).select_related("donor", "project"):
            self.add(
                local_time(fund.received_on, 15, fund.project.sequence % 60),
                AuditAction.SOCIAL_FUND_RECORD,
                officers[fund.project.implementing_unit_id],
                fund,
                fund.project,
                amount=fund.amount,
                donor=str(fund.donor),
                corrected=False,
            )

    def agreements(self, round_, people) -> None:
        """The framework agreement signed at the round's launch; project agreements drafted and not yet signed."""
        framework = Agreement.objects.filter(round=round_, kind=Agreement.Kind.FRAMEWORK).first()
        if framework and framework.signed_date:
            self.add(
                local_time(framework.signed_date, 10),
                AuditAction.AGREEMENT_SIGN,
                people["association"],
                framework,
                None,
                comment="",
            )
        drafts = Agreement.objects.filter(round=round_, kind=Agreement.Kind.PROJECT, status=Agreement.Status.DRAFT)
        for agreement in drafts.select_related("project").order_by("number"):
            drafted = CALENDARS[round_.year].signing_day - datetime.timedelta(days=2)
            self.add(
                local_time(drafted, 10, agreement.project.sequence % 60),
                AuditAction.AGREEMENT_CREATE,
                people["civil"],
                agreement,
                agreement.project,
                amount=agreement.amount,
            )

    def nominations(self, round_, people) -> None:
        """The committee's confirmations of the round's nominations (made from the ranking a fortnight before)."""
        nominations = list(
            Nomination.objects.filter(round=round_, status=Nomination.Status.CONFIRMED)
            .select_related("round", "award_type", "project", "award_record")
            .order_by("ranking_position", "pk")
        )
        for nomination in nominations:
            self.add(
                nomination.decided_at,
                AuditAction.NOMINATION_CONFIRM,
                people["committee"],
                nomination,
                nomination.project,
                award=str(nomination.award_type),
                rank=nomination.award_record.rank if nomination.award_record else None,
            )
        # Proposed from the final ranking a fortnight before the committee's meeting.
        for decided_at in {nomination.decided_at for nomination in nominations}:
            proposed = decided_at - datetime.timedelta(days=14)
            Nomination.objects.filter(round=round_, decided_at=decided_at).update(created_at=proposed)
