"""The public disclosure (公示): anyone reads a round's approved projects with their totals, its signed framework
agreement and its confirmed awards, as a page, a print view, CSV and JSON; nothing else ever shows.

Most tests read the demo district (2012: 50 projects and 10 awards, 2013: 60 projects summing to 1,000,000.00,
2014: applications only), with a recognisable marker seeded into everything that must stay private.
"""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from awards.models import AwardRecord, AwardType, Nomination
from projects import roles
from projects.audit import AuditAction
from projects.models import Agreement, AuditEntry, Organization, Project, Round, RubricTemplate
from projects.services import evaluation_assign, evaluation_create, project_terminate, scorecard_save
from qicai.open_data import KEYS
from tests.casework_factories import enroll, make_id
from tests.factories import (
    AgreementFactory,
    AwardRecordFactory,
    OrganizationFactory,
    RoundFactory,
    UserFactory,
    project_in_state,
)
from tests.helpers import measure

pytestmark = pytest.mark.django_db
S = Project.Status

# Applications that were never approved: their titles must never be public.
UNPUBLISHED = {
    S.DRAFT: "标记草稿项目",
    S.SUBMITTED: "标记已提交项目",
    S.RETURNED: "标记退回项目",
    S.RECOMMENDED: "标记初审通过项目",
    S.REJECTED: "标记不予推荐项目",
}
RECOMMENDED_WITH_AMOUNT = "标记有金额的初审项目"
# Personal data and internal notes seeded into the published rounds.
SECRETS = {
    "beneficiary name": "标记受益人韩梅梅",
    "beneficiary ID": make_id(birth="19600101", serial="977"),
    "beneficiary phone": "13900005555",
    "contact person": "标记联系人",
    "contact phone": "13900007777",
    "rectification note": "标记整改要求",
    "audit comment": "标记审核意见",
    "termination reason": "标记终止原因",
    "evaluator user name": "pinggu_marker",
    "evaluator name": "标记评估专家",
    "scorecard comment": "标记评分意见",
    "nomination reason": "标记提名理由",
    "nomination decision": "标记确认意见",
    "agreement note": "标记协议备注",
}
APPROVED_ON = datetime.datetime(2013, 9, 10, 10, 30, tzinfo=datetime.UTC)


def url(name: str, year: int | None = None, fmt: str | None = None) -> str:
    args = [year] if fmt is None else [year, fmt]
    return reverse(f"portal:{name}", args=args if year else None)


def round_urls(year: int) -> list[str]:
    return [
        url("public_round", year),
        url("public_print", year),
        url("public_open_data", year, "csv"),
        url("public_open_data", year, "json"),
    ]


def every_public_url() -> list[str]:
    return [url("public"), url("public_fields"), *round_urls(2013), *round_urls(2012)]


def body(response) -> str:
    return response.content.decode("utf-8-sig")


@pytest.fixture(scope="module")
def district(demo_district):
    """The demo district with unpublished applications in 2013 and a marker in every private place."""
    User = get_user_model()
    civil, unit = User.objects.get(username="civil"), User.objects.get(username="unit")
    round_2013 = Round.objects.get(year=2013)
    for status, title in UNPUBLISHED.items():
        project_in_state(status, round=round_2013, title=title)

    first = Project.objects.get(code="QC-2013-001")  # the unit's project, in progress
    enroll(
        first,
        unit,
        name=SECRETS["beneficiary name"],
        id_number=SECRETS["beneficiary ID"],
        phone=SECRETS["beneficiary phone"],
    )
    Organization.objects.filter(pk=first.implementing_unit_id).update(
        contact_person=SECRETS["contact person"], phone=SECRETS["contact phone"]
    )
    Project.objects.filter(code="QC-2013-002").update(
        needs_rectification=True, rectification_note=SECRETS["rectification note"]
    )
    evaluator = UserFactory(
        username=SECRETS["evaluator user name"], first_name=SECRETS["evaluator name"], role=roles.EVALUATOR
    )
    third = Project.objects.get(code="QC-2013-003")
    entry = AuditEntry.objects.create(
        project=third,
        actor=evaluator,
        action=AuditAction.PROJECT_APPROVE,
        object_repr=str(third),
        data={"from": S.RECOMMENDED.value, "to": S.APPROVED.value, "comment": SECRETS["audit comment"]},
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=APPROVED_ON)
    template = RubricTemplate.objects.filter(kind="midterm").order_by("-version").first()
    evaluation = evaluation_create(
        project=third, kind="midterm", template=template, due_date=datetime.date(2014, 4, 30), by=civil
    )
    evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=civil)
    criterion = template.criteria.first()
    scorecard_save(
        evaluation=evaluation,
        by=evaluator,
        scores={criterion.pk: (criterion.max_score, "")},
        overall_comment=SECRETS["scorecard comment"],
        submit=False,
    )
    Nomination.objects.update(reason=SECRETS["nomination reason"], decision_note=SECRETS["nomination decision"])
    Agreement.objects.filter(kind=Agreement.Kind.FRAMEWORK).update(note=SECRETS["agreement note"])
    return {"civil": civil, "evaluator": evaluator}


@pytest.fixture
def visitor(client):
    """An anonymous reader who has been here before (holds the CSRF cookie the language switch set)."""
    client.get(url("public"))
    return client


# -- what is shown -------------------------------------------------------------------------------


def test_anyone_reads_the_index_with_each_round_newest_first(client, district):
    response = client.get(url("public"))
    assert response.status_code == 200
    page = body(response)
    assert page.index("2013年度七彩工程") < page.index("2012年度七彩工程")
    assert "2014年度" not in page  # applications only
    assert "1,000,000.00" in page and "800,000.00" in page
    assert url("public_round", 2013) in page


def test_anyone_reads_the_2013_round(client, district):
    response = client.get(url("public_round", 2013))
    assert response.status_code == 200
    page = body(response)
    assert "2013年度七彩工程项目公示" in page
    assert page.count('<th scope="row" class="code">QC-2013-') == 60
    assert "QC-2013-061" not in page  # the unpublished applications come after the 60
    assert "1,000,000.00" in page and "100 万元" in page
    assert "江城区阳光社会工作服务中心" in page and "红色·阳光新生" in page and "社工+义工" in page
    assert "2013年10月1日" in page and "2014年9月30日" in page
    # The signed framework agreement, with its parties.
    assert "2013年度七彩工程服务项目协议书" in page and "江城区人民政府" in page and "江城区社会工作协会" in page
    assert "表彰名单经区社会工作委员会确认后在此公布" in page  # no awards confirmed yet
    assert url("public_print", 2013) in page and url("public_open_data", 2013, "csv") in page


def test_projects_are_in_code_order(client, district):
    page = body(client.get(url("public_round", 2013)))
    codes = [f"QC-2013-{n:03d}" for n in range(1, 61)]
    positions = [page.index(f'class="code">{code}<') for code in codes]
    assert positions == sorted(positions)


def test_confirmed_awards_are_listed_with_their_citations(client, district):
    people = AwardRecordFactory(
        project=None,
        round=Round.objects.get(year=2012),
        person_name="周晓梅",
        citation="扎根社区十年的优秀社工。",
        award_type=AwardType.objects.filter(recipient_kind=AwardType.RecipientKind.PERSON).first(),
    )
    unit = AwardRecordFactory(
        project=None,
        round=Round.objects.get(year=2012),
        organization=Organization.objects.get(name="江城区心桥社会工作事务所"),
        citation="专业规范、成效突出。",
        award_type=AwardType.objects.filter(recipient_kind=AwardType.RecipientKind.ORGANIZATION).first(),
    )
    page = body(client.get(url("public_round", 2012)))
    records = AwardRecord.objects.filter(round__year=2012, project__isnull=False)
    assert records.count() == 10
    for record in records:
        assert record.citation in page
        assert f'<span class="code">{record.project.code}</span> {record.project.title}' in page
    assert people.person_name in page and people.citation in page
    assert unit.organization.name in page and unit.citation in page
    assert "优秀项目" in page and "2013年9月16日" in page


def test_framework_agreement_shows_only_once_signed(client, district):
    Agreement.objects.filter(kind=Agreement.Kind.FRAMEWORK, round__year=2013).update(
        status=Agreement.Status.DRAFT, signed_date=None, updated_at=timezone.now()
    )
    page = body(client.get(url("public_round", 2013)))
    assert "2013年度七彩工程服务项目协议书" not in page
    assert 'id="frameworks-heading"' not in page


def test_terminated_project_stays_listed_flagged_and_leaves_the_total(visitor, district):
    project = Project.objects.get(code="QC-2013-010")
    project_terminate(project=project, by=district["civil"], comment=SECRETS["termination reason"])
    page = body(visitor.get(url("public_round", 2013)))
    assert page.count('<th scope="row" class="code">QC-2013-') == 60
    assert 'status-terminated">已终止<' in page
    remaining = Decimal("1000000.00") - project.approved_amount
    assert f"{remaining:,.2f}" in page and "其中 1 个项目已终止" in page

    rows = list(csv.DictReader(io.StringIO(body(visitor.get(url("public_open_data", 2013, "csv"))))))
    assert {row["status"] for row in rows if row["identifier"] == project.code} == {"已终止"}
    assert sum(Decimal(row["amountAwarded"]) for row in rows if row["status"] != "已终止") == remaining
    assert SECRETS["termination reason"] not in "".join(body(visitor.get(u)) for u in round_urls(2013))


def test_the_print_view_is_the_list_on_a_clean_page(client, district):
    response = client.get(url("public_print", 2013))
    assert response.status_code == 200
    page = body(response)
    assert "<h1>2013年度七彩工程项目公示</h1>" in page
    assert "生成时间：" in page and timezone.localdate().strftime("%Y年") in page
    assert page.count('<th scope="row" class="code">QC-2013-') == 60
    assert "1,000,000.00 元" in page and "100 万元" in page
    assert "portal-header" not in page and "<script>" not in page  # no navigation, no inline script
    assert "qicai/print.js" in page


def test_pages_have_no_inline_styles_or_scripts_and_accessible_tables(client, district):
    for address in [url("public"), url("public_fields"), url("public_round", 2013), url("public_print", 2013)]:
        page = body(client.get(address))
        assert "style=" not in page and "<script>" not in page and "<style" not in page, address
        assert page.count("<table") == page.count("<caption>"), address
        assert '<th scope="col"' in page, address
        assert "<th>" not in page, address


def test_fields_page_documents_every_key(client, district):
    response = client.get(url("public_fields"))
    assert response.status_code == 200
    page = body(response)
    for key in KEYS:
        assert f"<code>{key}</code>" in page, key
    assert url("public_open_data", 2013, "csv") in page


# -- what is not -------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [1999, 2014, 2100])
def test_a_round_without_published_projects_is_the_chinese_404(client, district, year):
    for address in round_urls(year):
        response = client.get(address)
        assert response.status_code == 404, address
        if not address.endswith((".csv", ".json")):
            assert "页面不存在" in body(response)


def test_a_round_of_drafts_only_is_not_found(client, district):
    round_ = RoundFactory(year=2045)
    project_in_state(S.DRAFT, round=round_)
    project_in_state(S.RECOMMENDED, round=round_)
    assert client.get(url("public_round", 2045)).status_code == 404


def test_open_data_is_csv_or_json_only(client, district):
    for fmt in ["xml", "xlsx", "CSV", "csv.bak"]:
        assert client.get(f"/public/2013/projects.{fmt}").status_code == 404


def test_applications_never_appear_anywhere(client, district):
    for address in every_public_url():
        page = body(client.get(address))
        assert not [title for title in UNPUBLISHED.values() if title in page], address


def test_an_amount_on_an_unapproved_application_does_not_publish_it(client, district):
    # Only the approval sets an amount (the field is read-only elsewhere); should one turn up on an
    # application anyway, the application stays unpublished.
    odd = project_in_state(S.RECOMMENDED, round=Round.objects.get(year=2013), title=RECOMMENDED_WITH_AMOUNT)
    Project.objects.filter(pk=odd.pk).update(approved_amount=Decimal("5000.00"), updated_at=timezone.now())
    for address in round_urls(2013):
        assert RECOMMENDED_WITH_AMOUNT not in body(client.get(address)), address


def test_personal_data_and_internal_notes_never_appear_anywhere(client, district):
    for address in every_public_url():
        page = body(client.get(address))
        leaked = [what for what, marker in SECRETS.items() if marker in page]
        assert not leaked, (address, leaked)


def test_wrong_method_is_refused(client, district):
    for address in [url("public"), url("public_fields"), *round_urls(2013)]:
        assert client.post(address).status_code == 405, address


# -- open data ---------------------------------------------------------------------------------


def test_csv_opens_in_chinese_excel_and_sums_to_the_page_total(client, district):
    response = client.get(url("public_open_data", 2013, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        "filename*=UTF-8''2013%E5%B9%B4%E5%BA%A6%E4%B8%83%E5%BD%A9%E5%B7%A5%E7%A8%8B%E9%A1%B9%E7%9B%AE"
        in (response["Content-Disposition"])
    )
    assert response["Content-Disposition"].endswith(".csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body(response))))
    assert tuple(rows[0]) == KEYS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(records) == 60
    assert sum(Decimal(record["amountAwarded"]) for record in records) == Decimal("1000000.00")
    first = records[0]
    assert first["identifier"] == "QC-2013-001" and first["currency"] == "CNY"
    assert first["recipientOrganization.name"] == "江城区阳光社会工作服务中心"
    assert first["plannedDates.startDate"] == "2013-10-01" and first["grantProgramme.year"] == "2013"


def test_csv_neutralises_a_title_a_spreadsheet_would_run(client, district):
    formula = '=HYPERLINK("http://example.com","点击")'
    Project.objects.filter(code="QC-2013-005").update(title=formula, updated_at=timezone.now())
    rows = list(csv.DictReader(io.StringIO(body(client.get(url("public_open_data", 2013, "csv"))))))
    title = next(row["title"] for row in rows if row["identifier"] == "QC-2013-005")
    assert title == "'" + formula
    grants = json.loads(client.get(url("public_open_data", 2013, "json")).content)["grants"]
    assert next(g["title"] for g in grants if g["identifier"] == "QC-2013-005") == formula  # JSON is not a sheet


def test_json_has_documented_keys_only_and_amounts_as_numbers(client, district):
    response = client.get(url("public_open_data", 2013, "json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].endswith(".json")
    grants = json.loads(response.content)["grants"]
    assert len(grants) == 60

    def paths(record: dict, prefix: str = ""):
        for key, value in record.items():
            if isinstance(value, list):
                assert len(value) == 1, key
                value = value[0]
            if isinstance(value, dict):
                yield from paths(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    assert {path for grant in grants for path in paths(grant)} <= set(KEYS)
    assert all(type(grant["amountAwarded"]) is float for grant in grants)
    exact = json.loads(response.content, parse_float=Decimal)["grants"]
    assert sum(grant["amountAwarded"] for grant in exact) == Decimal("1000000.00")
    assert b'"amountAwarded":20000.00,' in response.content
    by_code = {grant["identifier"]: grant for grant in grants}
    assert by_code["QC-2013-003"]["awardDate"] == "2013-09-10"  # the logged approval, in local time
    assert by_code["QC-2013-001"]["awardDate"] == "2013-09-05"  # the approval meeting in the seeded log
    assert by_code["QC-2013-001"]["plannedDates"] == [{"startDate": "2013-10-01", "endDate": "2014-09-30"}]
    assert by_code["QC-2013-001"]["fundingOrganization"][0]["name"] == "江城区人民政府"
    assert by_code["QC-2013-001"]["category"] == {"colour": "红", "name": "红色·阳光新生"}
    assert by_code["QC-2013-001"]["status"] == "实施中"


def test_open_data_stays_chinese_for_an_english_reader(client, district):
    client.post(reverse("set_language"), {"language": "en", "next": url("public")})
    response = client.get(url("public_open_data", 2013, "json"))
    assert response["Content-Language"] == "zh-hans"
    assert json.loads(response.content)["grants"][0]["serviceModel"] == "社工+义工"


# -- caching -----------------------------------------------------------------------------------


def test_pages_are_publicly_cacheable_and_revalidate_with_304(visitor, district):
    for address in [url("public"), *round_urls(2013)]:
        first = visitor.get(address)
        assert first["Cache-Control"] == "public, max-age=300", address
        assert first.has_header("ETag") and first.has_header("Last-Modified"), address
        again = visitor.get(address, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304, address
        assert again.content == b"", address
        assert again["ETag"] == first["ETag"]
        since = visitor.get(address, headers={"if-modified-since": first["Last-Modified"]})
        assert since.status_code == 304, address


def test_a_change_gives_a_new_etag(visitor, district):
    address = url("public_round", 2013)
    first = visitor.get(address)
    data = visitor.get(url("public_open_data", 2013, "csv"))
    Project.objects.filter(code="QC-2013-007").update(title="新的项目名称", updated_at=timezone.now())
    again = visitor.get(address, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "新的项目名称" in body(again)
    data_again = visitor.get(url("public_open_data", 2013, "csv"), headers={"if-none-match": data["ETag"]})
    assert data_again.status_code == 200 and data_again["ETag"] != data["ETag"]


@pytest.mark.parametrize(
    "change",
    [
        lambda: Organization.objects.filter(name="江城区阳光社会工作服务中心").update(
            name="江城区阳光社工服务中心", updated_at=timezone.now()
        ),
        lambda: Round.objects.filter(year=2013).update(title="2013年度七彩工程（更新）", updated_at=timezone.now()),
        lambda: AwardRecordFactory(
            project=Project.objects.get(code="QC-2013-001"), round=Round.objects.get(year=2013), citation="新表彰"
        ),
    ],
    ids=["unit renamed", "round renamed", "award confirmed"],
)
def test_what_the_page_shows_from_other_tables_changes_the_etag_too(visitor, district, change):
    first = visitor.get(url("public_round", 2013))
    change()
    assert visitor.get(url("public_round", 2013), headers={"if-none-match": first["ETag"]}).status_code == 200


def test_pages_vary_on_the_language_cookie(visitor, district):
    chinese = visitor.get(url("public_round", 2013))
    assert "Cookie" in chinese["Vary"]
    visitor.post(reverse("set_language"), {"language": "en", "next": url("public_round", 2013)})
    english = visitor.get(url("public_round", 2013), headers={"if-none-match": chinese["ETag"]})
    assert english.status_code == 200 and english["ETag"] != chinese["ETag"]


def test_a_first_visit_plants_a_csrf_cookie_so_only_the_browser_may_keep_it(client, district):
    response = client.get(url("public_round", 2013))
    assert response["Cache-Control"] == "private, max-age=300"
    assert "csrftoken" in response.cookies


def test_a_signed_in_reader_gets_a_personal_page_without_validators(client, district):
    client.force_login(district["civil"])
    response = client.get(url("public_round", 2013))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert not response.has_header("ETag") and not response.has_header("Last-Modified")
    assert "2013年度七彩工程项目公示" in body(response)


# -- language ----------------------------------------------------------------------------------


def test_english_switch_shows_english_headings(client, district):
    response = client.post(reverse("set_language"), {"language": "en", "next": url("public_round", 2013)})
    assert response.status_code == 302 and response["Location"] == url("public_round", 2013)
    response = client.get(url("public_round", 2013))
    assert response["Content-Language"] == "en"
    page = body(response)
    assert '<html lang="en">' in page
    for heading in ["Project number", "Project name", "Implementing unit", "Approved amount (CNY)", "Party A"]:
        assert heading in page, heading
    assert "2013年10月1日" not in page  # dates in the language's own form


# -- query counts ------------------------------------------------------------------------------


def grow_published_round(round_, n: int, *, start: int) -> None:
    """``n`` more published projects in ``round_``, each with an award; a signed framework once."""
    if not Agreement.objects.filter(round=round_, kind=Agreement.Kind.FRAMEWORK).exists():
        AgreementFactory(
            kind=Agreement.Kind.FRAMEWORK,
            project=None,
            round=round_,
            party_b=OrganizationFactory(),
            status=Agreement.Status.SIGNED,
            signed_date=datetime.date(round_.year, 3, 1),
        )
    for i in range(n):
        project = project_in_state(S.IN_PROGRESS, round=round_)
        AwardRecordFactory(project=project, round=round_, rank=start + i, awarded_on=datetime.date(2045, 9, 1))


def test_query_counts_stay_flat_as_the_round_grows(client, district, django_assert_max_num_queries):
    round_ = RoundFactory(year=2046)
    urls = [url("public"), url("public_fields"), *round_urls(2046)]
    client.get(url("public"))  # the CSRF cookie, as a returning reader has it
    grow_published_round(round_, 2, start=1)
    small = measure(client, urls)
    grow_published_round(round_, 15, start=3)
    large = measure(client, urls)
    assert small == large
    for address in urls:
        with django_assert_max_num_queries(6):
            client.get(address)
    # A revalidation answered 304 costs the stamp's single query.
    etag = client.get(url("public_round", 2046))["ETag"]
    with django_assert_max_num_queries(1):
        assert client.get(url("public_round", 2046), headers={"if-none-match": etag}).status_code == 304
