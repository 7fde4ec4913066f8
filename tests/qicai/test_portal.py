"""The portal's dashboard and project directory: scope per role, figures from the read functions,
filters, sorting, totals, export, sign-in; no inline script or style anywhere."""

import csv
import io
import re
from decimal import Decimal as D
from html.parser import HTMLParser

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.figures import list_totals, round_money
from projects.formatting import format_count, format_wan
from projects.models import Organization, Project, Round, ServiceCategory
from qicai.summaries import round_report, summary_scope

User = get_user_model()
pytestmark = pytest.mark.django_db
ROLES = ["committee", "civil", "association", "unit", "unit2", "evaluator"]


@pytest.fixture
def district(demo_district):
    return {name: User.objects.get(username=name) for name in [*ROLES, "admin"]}


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


def listed_codes(response) -> list[str]:
    return [project.code for project in response.context["page"]]


class InlineFinder(HTMLParser):
    """Finds what a strict Content-Security-Policy would block: inline scripts, style attributes and
    elements, inline event handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag}[{name}]" for name in names if name == "style" or name.startswith("on")]


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


# -- who may see what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/projects/", "/projects/export/", "/accounts/password/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, district, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('portal:login')}?next=")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_dashboard_and_the_directory_without_inline_code(client, district, role):
    for url in ("/", "/projects/"):
        response = page(client, district[role], url)
        html = response.content.decode()
        assert inline_code(html) == [], url
        assert "七彩工程" in html and "江城区" in html


def test_the_dashboard_tells_programme_staff_the_whole_round(client, district):
    response = page(client, district["committee"], "/")
    round_2013 = Round.objects.get(year=2013)
    assert response.context["round"] == round_2013  # the latest round with approved projects, not 2014
    summary = response.context["summary"]
    expected = round_report(round_2013).summary
    assert summary == expected
    html = response.content.decode()
    assert summary.projects == 60 and summary.money.approved == D("1000000.00")
    assert format_wan(D("1000000")) in html  # 100 万元
    assert format_count(expected.service.people_served) in html
    assert "全区项目" in html
    assert len(response.context["charts"]) >= 6
    for chart in response.context["charts"]:
        assert chart.data_uri.startswith("data:image/svg+xml;base64,") and chart.alt
    assert [group.label for group in response.context["report"].comparison][:2] == ["2012", "2013"]
    # the same figures as the workbench's round page (projects.figures.round_money)
    assert summary.money == round_money(round_2013)
    admin_round_page = client.get(reverse("admin:projects_round_change", args=[round_2013.pk])).content.decode()
    for figure in ("1,000,000.00", "300,000.00"):  # approved, social funds
        assert figure in admin_round_page


def test_the_dashboard_switches_round_and_says_when_a_year_has_nothing(client, district):
    response = page(client, district["civil"], "/", round="2012")
    assert response.context["round"].year == 2012
    assert response.context["summary"].projects == 50
    assert response.context["summary"].award_records >= 10
    missing = page(client, district["civil"], "/", round="1999")
    assert missing.context["round"].year == 2013 and missing.context["unknown_round"]
    assert "没有该年度的项目" in missing.content.decode()
    assert page(client, district["civil"], "/", round="abc").context["round"].year == 2013


def test_a_unit_sees_only_its_own_figures(client, district):
    unit = district["unit"]
    response = page(client, unit, "/")
    own = Project.objects.visible_to(unit)
    round_ = response.context["round"]
    assert response.context["summary"] == round_report(round_, within=summary_scope(unit)).summary
    assert response.context["summary"].projects == own.filter(round=round_).count() < 60
    assert response.context["summary"].money.budget is None  # the round's budget is not a unit's figure
    assert "本单位的项目" in response.content.decode()
    for group in response.context["report"].comparison:
        assert group.projects == own.filter(round__year=int(group.label)).count()


def test_the_outsider_unit_never_sees_the_units_projects(client, district):
    unit_org = Organization.objects.get(memberships__user=district["unit"])
    theirs = set(Project.objects.filter(implementing_unit=unit_org).values_list("code", flat=True))
    assert theirs
    client.force_login(district["unit2"])
    seen = set()
    for number in range(1, 8):
        response = client.get("/projects/", {"page": number})
        seen |= set(listed_codes(response))
    assert seen and not seen & theirs
    # a unit has no unit filter: naming the other unit by id changes nothing
    response = client.get("/projects/", {"implementing_unit": unit_org.pk})
    assert listed_codes(response) and not set(listed_codes(response)) & theirs
    response = client.get("/projects/", {"q": next(iter(theirs))})
    assert listed_codes(response) == []
    rows = read_export(export_response(client, {"format": "csv"}))
    assert not {row[0] for row in rows[1:]} & theirs


def test_an_evaluator_sees_its_assignments_only(client, district):
    evaluator = district["evaluator"]
    response = page(client, evaluator, "/projects/")
    assert set(listed_codes(response)) == set(Project.objects.visible_to(evaluator).values_list("code", flat=True))
    dashboard = page(client, evaluator, "/")
    assert "我参与评估的项目" in dashboard.content.decode() or dashboard.context["round"] is None


# -- the directory ------------------------------------------------------------------------------------


def test_the_directory_filters_by_round_and_category_in_two_clicks(client, district):
    civil = district["civil"]
    first = page(client, civil, "/projects/")
    html = first.content.decode()
    round_link = re.search(r'href="(\?round=2013)"', html).group(1)
    second = page(client, civil, "/projects/" + round_link.replace("&amp;", "&"))
    assert second.context["totals"].projects == 60
    category = ServiceCategory.objects.order_by("order").first()
    link = re.search(rf'href="([^"]*category={category.pk}[^"]*)"', second.content.decode()).group(1)
    third = page(client, civil, "/projects/" + link.replace("&amp;", "&"))
    expected = Project.objects.filter(round__year=2013, category=category)
    assert third.context["totals"] == list_totals(expected)
    assert set(listed_codes(third)) == set(expected.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("params", "lookups"),
    [
        ({"status": "completed"}, {"status": "completed"}),
        (
            {"service_model": "agency_community", "round": "2012"},
            {"service_model": "agency_community", "round__year": 2012},
        ),
        (
            {"amount_min": "17000", "amount_max": "18000"},
            {"approved_amount__gte": 17000, "approved_amount__lte": 18000},
        ),
        ({"q": "QC-2013-05"}, {"code__icontains": "QC-2013-05"}),
        ({"q": "银龄"}, {"title__icontains": "银龄"}),
    ],
)
def test_filters_and_their_combinations(client, district, params, lookups):
    response = page(client, district["civil"], "/projects/", **params)
    expected = Project.objects.filter(**lookups)
    assert expected.exists()
    assert response.context["totals"] == list_totals(expected)


def test_filters_by_subdistrict_community_unit_and_grade(client, district):
    sample = Project.objects.filter(round__year=2012).select_related("subdistrict", "community").first()
    for params, lookups in [
        ({"subdistrict": sample.subdistrict_id}, {"subdistrict": sample.subdistrict_id}),
        ({"community": sample.community_id}, {"community": sample.community_id}),
        ({"implementing_unit": sample.implementing_unit_id}, {"implementing_unit": sample.implementing_unit_id}),
    ]:
        response = page(client, district["civil"], "/projects/", **params)
        assert response.context["totals"] == list_totals(Project.objects.filter(**lookups)), params
    excellent = page(client, district["civil"], "/projects/", grade="excellent", round="2012")
    graded = Project.objects.with_latest_grade().filter(latest_grade="excellent", round__year=2012)
    assert graded.exists() and excellent.context["totals"].projects == graded.count()
    assert all(project.latest_grade == "excellent" for project in excellent.context["page"])


@pytest.mark.parametrize(
    "params",
    [{"amount_min": "很多"}, {"round": "1999"}, {"status": "nonsense"}, {"category": "999999"}, {"page": "zzz"}],
)
def test_bad_filters_say_so_and_never_fail(client, district, params):
    response = page(client, district["civil"], "/projects/", **params)
    if "page" not in params:
        assert "筛选条件有误" in response.content.decode()
        assert response.context["totals"].projects == 0


def test_sorting_and_pagination_keep_the_query_string(client, district):
    response = page(client, district["civil"], "/projects/", round="2013", sort="-amount")
    amounts = [project.approved_amount for project in response.context["page"]]
    assert amounts == sorted(amounts, reverse=True) and len(amounts) == 25
    html = response.content.decode()
    assert 'href="?round=2013&amp;sort=-amount&amp;page=2"' in html
    assert 'aria-sort="descending"' in html
    unsorted = page(client, district["civil"], "/projects/", sort="password")
    assert listed_codes(unsorted)[0].startswith("QC-2014-")  # an unknown sort: newest round first
    totals = response.context["totals"]
    assert totals.projects == 60 and totals.approved == D("1000000.00")
    assert "1,000,000.00" in html


def export_response(client, params):
    response = client.get("/projects/export/", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_export(data: bytes) -> list[list[str]]:
    if data.startswith(b"PK"):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_export_is_the_filtered_list(client, district):
    client.force_login(district["civil"])
    response = client.get("/projects/export/", {"round": "2013", "category": ServiceCategory.objects.first().pk})
    assert "2013年度七彩工程项目清单.xlsx" in response["Content-Disposition"].encode().decode("latin-1") or (
        "filename*=UTF-8''" in response["Content-Disposition"]
    )
    rows = read_export(b"".join(response.streaming_content))
    expected = Project.objects.filter(round__year=2013, category=ServiceCategory.objects.first())
    assert rows[0][0] == "项目编号"
    assert sorted(row[0] for row in rows[1:]) == sorted(expected.values_list("code", flat=True))
    amounts = [row[rows[0].index("审定金额（元）")] for row in rows[1:]]
    assert all(isinstance(amount, (int, float)) for amount in amounts)  # numbers Excel can sum
    csv_rows = read_export(export_response(client, {"round": "2013", "format": "csv"}))
    assert len(csv_rows) == 61


def test_the_export_needs_the_export_permission(client, district):
    evaluator = district["evaluator"]
    assert not evaluator.has_perm("projects.export_project")
    client.force_login(evaluator)
    assert client.get("/projects/export/").status_code == 403
    assert "导出 Excel" not in page(client, evaluator, "/projects/").content.decode()


# -- signing in and out ------------------------------------------------------------------------------


def test_sign_in_lands_on_the_dashboard_and_sign_out_needs_a_post(client, district, settings):
    response = client.post(reverse("portal:login"), {"username": "civil", "password": settings.QICAI_DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    assert client.get("/").status_code == 200
    assert client.get(reverse("portal:logout")).status_code == 405
    assert client.post(reverse("portal:logout")).status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "url", ["/public/", "/public/2013/", "/public/2013/print/", "/public/fields/", "/accounts/login/"]
)
def test_public_pages_carry_no_inline_code(client, district, url):
    response = client.get(url)
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize("role", ["civil", "unit"])
def test_dossiers_carry_no_inline_code(client, district, role):
    project = Project.objects.visible_to(district[role]).filter(round__year=2013).first()
    response = page(client, district[role], f"/projects/{project.code}/")
    assert inline_code(response.content.decode()) == []


def test_a_wrong_password_is_said_in_chinese(client, district):
    response = client.post(reverse("portal:login"), {"username": "civil", "password": "wrong"})
    assert response.status_code == 200
    assert "正确的用户名和密码" in response.content.decode()
    assert inline_code(response.content.decode()) == []


def test_the_password_change_page_keeps_the_house_rules(client, district):
    client.force_login(district["unit"])
    response = client.post(
        reverse("portal:password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]


def test_the_header_counts_the_users_todo_and_links_the_workbench(client, district):
    response = page(client, district["association"], "/")
    html = response.content.decode()
    portal = response.context["portal"]
    assert (
        f'<span class="badge todo-badge{" has-items" if portal.todo_count else ""}">{portal.todo_count}</span>' in html
    )
    assert reverse("admin:todo") in html and reverse("admin:index") in html


def test_english_is_one_switch_away(client, district):
    client.force_login(district["civil"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Project directory" in html or "Projects" in html
