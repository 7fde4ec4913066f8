"""People served: ID numbers, one record per person, enrolments, masking, logged reveals, anonymised stories."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import privacy
from projects.models import AuditEntry, Beneficiary, CaseStory, Enrollment, Project
from projects.services import (
    WorkflowError,
    activity_photo_add,
    case_story_problems,
    enrollment_close,
    enrollment_correct_identity,
    enrollment_open,
)
from projects.validators import normalize_id_number
from tests.casework_factories import enroll, live_project, make_id
from tests.factories import project_in_state
from tests.helpers import image_bytes

pytestmark = pytest.mark.django_db


def test_valid_id_numbers_pass_and_are_normalised():
    valid = make_id()
    assert normalize_id_number(valid) == valid
    with_x = next(make_id(serial=f"{n:03d}") for n in range(1000) if make_id(serial=f"{n:03d}").endswith("X"))
    assert normalize_id_number(" " + with_x.lower() + " ") == with_x


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("32010519580317123", "length"),
        ("3201051958031712345", "length"),
        ("32010519990230123X", "birth_date"),  # 30 February
        ("320105" + "21000101" + "1234", "birth_date"),  # born in the future
        ("32010A195803171234", "charset"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        normalize_id_number(value)
    assert error.value.code == code
    assert "身份证号" in error.value.messages[0]


def test_wrong_check_character_is_refused():
    valid = make_id()
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        normalize_id_number(wrong)
    assert error.value.code == "check"


def test_fifteen_digit_numbers_are_upgraded_to_eighteen():
    # 320105 580317 123 (issued before 1999) is the same person as 320105 19580317 123 + check.
    assert normalize_id_number("320105580317123") == make_id("19580317", "123")
    with pytest.raises(ValidationError, match="出生日期"):
        normalize_id_number("320105580230123")


def test_the_same_id_in_two_projects_is_one_person_key(cast, unit_org, unit2_org):
    a, b = live_project(unit_org), live_project(unit2_org)
    first = enroll(a, cast["unit"], id_number=make_id(), phone="")
    second = enroll(b, cast["unit2"], name="王秀英", id_number="320105580317123", phone="13812345678")
    assert first.beneficiary == second.beneficiary
    assert Beneficiary.objects.count() == 1 and Enrollment.objects.count() == 2
    person = Beneficiary.objects.get()
    assert person.code.startswith("FW") and str(person) == person.code
    # Each unit's case keeps its own record; nothing was merged into a shared identity.
    first.refresh_from_db()
    assert first.phone == "" and second.phone == "13812345678"
    # Birth date and gender come from the ID number; the case number is the project's.
    assert second.date_of_birth == datetime.date(1958, 3, 17) and second.gender == "male"
    assert (first.code, second.code) == (f"{a.code}/001", f"{b.code}/001")


def test_a_unit_learns_nothing_from_an_id_number_known_elsewhere(cast, unit_org, unit2_org):
    """unit2 enters an ID number that unit serves: it sees back exactly what it typed, as for a new person."""
    elsewhere = enroll(
        live_project(unit_org),
        cast["unit"],
        name="王秀英",
        id_number=make_id(),
        phone="13812345678",
        special_group="correction",
    )
    Enrollment.objects.filter(pk=elsewhere.pk).update(family_situation="第一单位的记录")
    mine = live_project(unit2_org)
    known = enroll(mine, cast["unit2"], name="随便填", id_number=make_id())
    unknown = enroll(mine, cast["unit2"], name="随便填", id_number=make_id(serial="456"))
    for case in (known, unknown):
        case.refresh_from_db()
        assert (case.name, case.special_group, case.phone, case.family_situation, case.community) == (
            "随便填",
            "elderly",
            "",
            "",
            None,
        )
    assert known.code.rsplit("/", 1)[1] == "001" and unknown.code.rsplit("/", 1)[1] == "002"
    # Nothing the unit can reach names the other unit's record or the person key.
    assert list(Enrollment.objects.visible_to(cast["unit2"]).order_by("pk")) == [known, unknown]
    assert not Beneficiary.objects.visible_to(cast["unit2"]).exists()
    # The district still counts one person across both projects.
    assert Beneficiary.objects.filter(id_number=make_id()).get().enrollments.count() == 2


def test_correcting_an_id_number_answers_the_same_whether_known_or_not(cast, unit_org, unit2_org):
    enroll(live_project(unit_org), cast["unit"], name="甲", id_number=make_id(serial="111"))
    project = live_project(unit2_org)
    a = enroll(project, cast["unit2"], name="乙", id_number=make_id(serial="222"))
    b = enroll(project, cast["unit2"], name="丙", id_number=make_id(serial="333"))
    # To a number served elsewhere, and to a number nobody knows: both simply succeed.
    enrollment_correct_identity(enrollment=a, by=cast["unit2"], id_number=make_id(serial="111"))
    enrollment_correct_identity(enrollment=b, by=cast["unit2"], id_number=make_id(serial="444"))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.beneficiary.id_number == make_id(serial="111") and a.name == "乙"
    assert b.beneficiary.id_number == make_id(serial="444")
    # The wrong numbers are not kept as orphan person keys.
    assert not Beneficiary.objects.filter(id_number__in=[make_id(serial="222"), make_id(serial="333")]).exists()
    # Within its own project the unit is told of its own duplicate.
    with pytest.raises(WorkflowError, match="本项目的另一个案"):
        enrollment_correct_identity(enrollment=b, by=cast["unit2"], id_number=make_id(serial="111"))
    with pytest.raises(WorkflowError, match="您不能为该项目记录服务对象和服务"):
        enrollment_correct_identity(enrollment=b, by=cast["unit"], phone="13800000000")


def test_people_without_an_id_are_separate_records(cast, unit_org):
    project = live_project(unit_org)
    enroll(project, cast["unit"], name="李桂兰")
    enroll(project, cast["unit"], name="李桂兰")
    assert Beneficiary.objects.count() == 2


def test_enrolment_refusals(cast, unit_org, unit2_org):
    project = live_project(unit_org)
    enroll(project, cast["unit"], id_number=make_id())
    with pytest.raises(WorkflowError, match="已在本项目建档"):
        enroll(project, cast["unit"], id_number=make_id())
    with pytest.raises(WorkflowError, match="您不能为该项目记录服务对象和服务"):
        enroll(project, cast["unit2"], name="赵六")
    with pytest.raises(WorkflowError, match="您不能为该项目记录服务对象和服务"):
        enroll(project, cast["civil"], name="赵六")
    draft = project_in_state(Project.Status.DRAFT, round=project.round, implementing_unit=unit_org)
    with pytest.raises(WorkflowError, match="项目当前状态：草稿"):
        enroll(draft, cast["unit"], name="赵六")
    with pytest.raises(WorkflowError, match="校验位"):
        enroll(project, cast["unit"], id_number=make_id()[:17] + ("0" if make_id()[17] != "0" else "1"))
    with pytest.raises(WorkflowError, match="性别与身份证号不一致"):
        enroll(project, cast["unit"], id_number=make_id(serial="124"), gender="male")
    with pytest.raises(WorkflowError, match="出生日期与身份证号"):
        enroll(project, cast["unit"], id_number=make_id(serial="125"), date_of_birth=datetime.date(1960, 1, 1))
    with pytest.raises(WorkflowError, match="同意"):
        enrollment_open(
            enrollment=Enrollment(
                project=project, name="赵六", special_group="other", intake_date=datetime.date(2014, 5, 1)
            ),
            by=cast["unit"],
        )


def test_masking():
    assert privacy.mask_id("320105195803171234") == "320105************"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_phone("025-84001234") == "025-******34"
    assert privacy.birth_year(datetime.date(1958, 3, 17)) == "1958年"
    assert privacy.mask_id("") == "" and privacy.mask_phone("") == "" and privacy.birth_year(None) == ""


def test_reveal_is_logged_and_limited(cast, unit_org, unit2_org):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id(), phone="138 1234 5678")
    assert privacy.reveal(user=cast["unit"], record=case, field="id_number") == make_id()
    assert privacy.reveal(user=cast["unit"], record=case, field="phone") == "13812345678"
    assert privacy.reveal(user=cast["unit"], record=case, field="date_of_birth") == "1958-03-17"
    log = AuditEntry.objects.filter(action="personal_data.reveal").order_by("pk").first()
    assert (log.actor, log.object_repr, log.project, log.data) == (
        cast["unit"],
        case.code,
        case.project,
        {"field": "id_number"},
    )
    for role in ["unit2", "civil", "committee", "association", "evaluator"]:
        with pytest.raises(PermissionError):
            privacy.reveal(user=cast[role], record=case, field="phone")
    with pytest.raises(ValueError):
        privacy.reveal(user=cast["unit"], record=case, field="name")
    assert AuditEntry.objects.filter(action="personal_data.reveal").count() == 3


def test_a_second_unit_sees_only_its_own_case(cast, unit_org, unit2_org):
    a = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    Enrollment.objects.filter(pk=a.pk).update(family_situation="甲单位记录的家庭情况")
    b = enroll(live_project(unit2_org), cast["unit2"], id_number=make_id())
    assert not Beneficiary.objects.visible_to(cast["unit2"]).exists()
    assert list(Enrollment.objects.visible_to(cast["unit2"])) == [b]
    assert list(Enrollment.objects.visible_to(cast["unit"])) == [a]
    assert list(Beneficiary.objects.visible_to(cast["civil"])) == [a.beneficiary]


def test_closing_a_case(cast, unit_org):
    enrollment = enroll(live_project(unit_org), cast["unit"], name="周明")
    with pytest.raises(WorkflowError, match="结案小结"):
        enrollment_close(enrollment=enrollment, by=cast["unit"], closed_on=datetime.date(2014, 9, 1), summary="")
    with pytest.raises(WorkflowError, match="接案日期与今天之间"):
        enrollment_close(enrollment=enrollment, by=cast["unit"], closed_on=datetime.date(2014, 1, 1), summary="好")
    enrollment_close(enrollment=enrollment, by=cast["unit"], closed_on=datetime.date(2014, 9, 1), summary="目标达成")
    assert enrollment.status == Enrollment.Status.CLOSED
    with pytest.raises(WorkflowError, match="已结案"):
        enrollment_close(enrollment=enrollment, by=cast["unit"], closed_on=datetime.date(2014, 9, 2), summary="再次")


def test_case_stories_must_be_anonymised(cast, unit_org):
    project = live_project(unit_org)
    enroll(project, cast["unit"], name="王秀英", id_number=make_id())
    story = CaseStory(project=project, title="走出家门", narrative="王秀英独居多年……", consent_on=datetime.date.today())
    assert any("真实姓名" in p for p in case_story_problems(story))
    story.narrative = f"王阿姨（化名，身份证 {make_id()}）独居多年……"
    assert any("身份证号" in p for p in case_story_problems(story))
    story.narrative = "王阿姨（化名）独居多年，社工持续探访。"
    assert case_story_problems(story) == []


def test_activity_photos_are_images_by_content(cast, unit_org, settings):
    from projects.models import Activity

    project = live_project(unit_org)
    activity = Activity.objects.create(project=project, type="group", title="小组", date=datetime.date(2014, 6, 1))
    photo = activity_photo_add(
        activity=activity, by=cast["unit"], upload=SimpleUploadedFile("a.pdf", image_bytes("PNG"))
    )
    assert photo.image.name.endswith(".png") and photo.content_type == "image/png"
    for name, content, message in [
        ("b.jpg", b"%PDF-1.4\n%%EOF\n", "只接受 JPEG 或 PNG"),
        ("c.png", b"MZ" + b"\0" * 100, "只接受 JPEG 或 PNG"),
        ("d.png", b"", "文件为空"),
    ]:
        with pytest.raises(WorkflowError, match=message):
            activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile(name, content))
    settings.QICAI_PHOTO_MAX_BYTES = 100
    with pytest.raises(WorkflowError, match="超过"):
        activity_photo_add(
            activity=activity, by=cast["unit"], upload=SimpleUploadedFile("e.png", image_bytes("PNG", (200, 200)))
        )
    with pytest.raises(WorkflowError):
        activity_photo_add(activity=activity, by=cast["unit2"], upload=SimpleUploadedFile("f.png", image_bytes("PNG")))
    assert activity.photos.count() == 1
