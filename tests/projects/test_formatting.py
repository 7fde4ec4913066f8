"""How figures, dates and people are shown (projects.formatting), and that the admin's pages show them so."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from awards.models import AwardRecord, Nomination
from projects.fields import MoneyFormField
from projects.formatting import (
    choice_label,
    format_cny,
    format_date,
    format_datetime,
    format_percent,
    format_ratio,
    format_share,
    format_wan,
    format_yuan,
    person_name,
)
from projects.models import Agreement, Evaluation, Instalment, Project, Round, SocialFund
from tests.factories import UserFactory
from tests.helpers import export

# An amount of a thousand or more written without a thousands separator, as Django shows a DecimalField.
RAW_AMOUNT = re.compile(r"(?<![\d,.\-/])\d{4,}\.\d{2}(?!\d)")


def test_amounts():
    assert format_cny(D("1234567.5")) == "1,234,567.50"
    assert format_cny(D("20000")) == "20,000.00"
    assert format_cny(D("0.005")) == "0.01"  # half up, to the fen
    assert format_cny(None) == "—"
    assert format_yuan(D("20000")) == "20,000.00 元"
    assert format_wan(D("1000000")) == "100 万元"
    assert format_wan(D("1234567.89")) == "123.46 万元"
    assert format_wan(D("12000000")) == "1,200 万元"
    assert format_wan(D("25000")) == "2.5 万元"
    assert format_wan(None) == format_yuan(None) == "—"


def test_shares_and_ratios_are_percentages():
    assert format_share(D("40.00")) == "40%"
    assert format_share(D("12.50")) == "12.5%"
    assert format_ratio(D("0.45")) == "45%"
    assert format_ratio(D("0.30")) == "30%"
    assert format_ratio(D("1.2345")) == "123.5%"
    assert format_ratio(None) == format_share(None) == "—"
    assert format_percent(D("10.00")) == "10"  # for messages that write the sign themselves


def test_dates_in_the_long_form():
    assert format_date(datetime.date(2013, 9, 1)) == "2013年9月1日"
    moment = datetime.datetime(2013, 9, 1, 6, 5, tzinfo=datetime.UTC)
    assert format_datetime(moment) == "2013年9月1日 14:05"  # Asia/Shanghai
    assert format_date(moment) == "2013年9月1日"
    assert format_date(None) == "—"
    with translation.override("en"):
        assert "2013" in format_date(datetime.date(2013, 9, 1)) and "年" not in format_date(datetime.date(2013, 9, 1))


@pytest.mark.django_db
def test_people_by_name_and_choices_by_label():
    assert person_name(UserFactory(username="civil9", first_name="王建国")) == "王建国"
    assert person_name(UserFactory(username="nobody9", first_name="")) == "nobody9"
    assert person_name(None) == "—"
    assert choice_label(Project.Status, "approved") == "已审定"
    assert choice_label(Project.Status, "") == "—"


@pytest.mark.django_db
def test_template_filters_call_the_same_functions():
    user = UserFactory(username="evaluator9", first_name="赵文博")
    rendered = Template(
        "{% load qicai %}{{ a|cny }}|{{ a|yuan }}|{{ a|wan }}|{{ p|share }}|{{ r|ratio }}|{{ d|day }}|{{ u|person }}"
    ).render(Context({"a": D("20000"), "p": D("40.00"), "r": D("0.45"), "d": datetime.date(2013, 9, 1), "u": user}))
    assert rendered == "20,000.00|20,000.00 元|2 万元|40%|45%|2013年9月1日|赵文博"


def test_amount_inputs_show_and_accept_separators():
    field = MoneyFormField(max_digits=14, decimal_places=2)
    assert field.clean("20,000.50") == D("20000.50")
    assert field.clean("20，000 元") == D("20000")
    assert field.clean("20000") == D("20000")
    assert 'value="20,000.00"' in field.widget.render("amount", D("20000"))
    assert 'value="abc"' in field.widget.render("amount", "abc")  # shown back as typed, with its error


# -- pages ------------------------------------------------------------------------------------------


def visible_text(html: str) -> str:
    """The page's content as a reader sees it: no header, scripts, hidden inputs or option lists."""
    html = html.split('<div id="content"', 1)[-1]
    html = re.sub(
        r"(?s)<script.*?</script>|<style.*?</style>|<select.*?</select>|<input type=\"hidden\"[^>]*>", "", html
    )
    html = re.sub(r"<input[^>]*value=\"([^\"]*)\"[^>]*>", r" \1 ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def district(db, demo_district):
    return demo_district


def demo_pages():
    """Every money, evaluation and award page of the demo district, lists and records."""
    r2013 = Round.objects.get(year=2013)
    project = Project.objects.get(code="QC-2013-001")
    application = Project.objects.filter(round__year=2014, status=Project.Status.DRAFT).first()
    evaluation = Evaluation.objects.filter(status="finalised").first()
    pages = [
        reverse("admin:projects_round_changelist"),
        reverse("admin:projects_round_change", args=[r2013.pk]),
        reverse("admin:projects_round_ranking", args=[Round.objects.get(year=2012).pk]),
        reverse("admin:projects_project_changelist"),
        reverse("admin:projects_project_change", args=[project.pk]),
        reverse("admin:projects_project_change", args=[application.pk]),
        reverse("admin:projects_project_history", args=[project.pk]),
        reverse("admin:projects_project_transition", args=[application.pk, "submit"]),
        reverse("admin:projects_socialfund_changelist"),
        reverse("admin:projects_socialfund_change", args=[SocialFund.objects.filter(project=project).first().pk]),
        reverse("admin:projects_instalment_changelist"),
        reverse("admin:projects_instalment_change", args=[Instalment.objects.filter(project=project).first().pk]),
        reverse("admin:projects_instalment_release", args=[Instalment.objects.get(project=project, sequence=2).pk]),
        reverse("admin:projects_agreement_changelist"),
        reverse("admin:projects_agreement_change", args=[Agreement.objects.get(project=project).pk]),
        reverse("admin:projects_evaluation_changelist"),
        reverse("admin:projects_evaluation_change", args=[evaluation.pk]),
        reverse("admin:projects_evaluation_finalise", args=[evaluation.pk]),
        reverse("admin:awards_awardtype_changelist"),
        reverse("admin:awards_awardrecord_changelist"),
        reverse("admin:awards_awardrecord_change", args=[AwardRecord.objects.first().pk]),
        reverse("admin:awards_nomination_changelist"),
        reverse("admin:awards_nomination_change", args=[Nomination.objects.exclude(decided_by=None).first().pk]),
        reverse("admin:todo"),
    ]
    return pages


@pytest.mark.parametrize("role", ["civil", "committee", "unit", "association"])
def test_pages_show_amounts_one_way_and_people_by_name(client, district, role):
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    client.force_login(get_user_model().objects.get(username=role))
    opened = 0
    for url in demo_pages():
        response = client.get(url)
        if response.status_code != 200:
            continue  # outside this role's scope; test_every_page opens what each role may
        opened += 1
        text = visible_text(response.content.decode())
        assert not RAW_AMOUNT.findall(text), (url, RAW_AMOUNT.findall(text)[:3])
        shown = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)) & usernames
        assert not shown, (url, shown)
        assert "excellent-project" not in text, url
    assert opened >= 8


def test_the_2013_round_page_shows_its_money_formatted(client, district):
    client.force_login(get_user_model().objects.get(username="committee"))
    round_ = Round.objects.get(year=2013)
    text = visible_text(client.get(reverse("admin:projects_round_change", args=[round_.pk])).content.decode())
    assert "1,000,000.00 元" in text and "300,000.00 元" in text and "30%" in text
    assert "1000000.00" not in text


def test_a_unit_edits_amounts_in_the_same_form(client, district):
    unit = get_user_model().objects.get(username="unit")
    client.force_login(unit)
    draft = Project.objects.get(
        round__year=2014, status=Project.Status.DRAFT, implementing_unit=unit.membership.organization
    )
    page = client.get(reverse("admin:projects_project_change", args=[draft.pk])).content.decode()
    assert f'value="{format_cny(draft.requested_amount)}"' in page
    assert not RAW_AMOUNT.findall(visible_text(page))


def test_exports_write_amounts_and_dates_for_spreadsheets_not_as_pages_do(client, district):
    """A spreadsheet must read amounts as numbers and dates as dates: no thousands separators, ISO dates
    (the XLSX cells are numbers and dates with Chinese-office formats: tests/projects/test_export_writer.py)."""
    client.force_login(get_user_model().objects.get(username="civil"))
    body = export(client, "projects.project").content.decode("utf-8-sig")
    assert "20000.00" in body and "20,000.00" not in body
    assert "2013-10-01" in body and "2013年10月1日" not in body
    assert export(client, "projects.project", file_format="xlsx").content[:2] == b"PK"
