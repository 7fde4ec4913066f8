"""People served: ID numbers, one record per person, enrolments, masking, logged reveals, anonymised stories."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects import privacy
from projects.models import Beneficiary, CaseStory, Enrollment, PersonalDataAccess, Project
from projects.services import WorkflowError, activity_photo_add, case_story_problems, enrollment_close
from projects.validators import normalize_id_number
from tests.casework_factories import enroll, live_project, make_id
from tests.factories import project_in_state

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


def test_the_same_id_in_two_projects_is_one_person(cast, unit_org, unit2_org):
    a, b = live_project(unit_org), live_project(unit2_org)
    first = enroll(a, cast["unit"], id_number=make_id(), phone="")
    second = enroll(b, cast["unit2"], name="王秀英", id_number="320105580317123", phone="13812345678")
    assert first.beneficiary == second.beneficiary
    assert Beneficiary.objects.count() == 1 and Enrollment.objects.count() == 2
    person = Beneficiary.objects.get()
    assert person.phone == "13812345678"  # a blank filled in, nothing overwritten
    assert person.registered_by == unit_org
    assert person.code.startswith("FW") and str(person) == person.code


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
    with pytest.raises(WorkflowError, match="只有项目的实施单位"):
        enroll(project, cast["unit2"], name="赵六")
    with pytest.raises(WorkflowError, match="只有项目的实施单位"):
        enroll(project, cast["civil"], name="赵六")
    draft = project_in_state(Project.Status.DRAFT, round=project.round, implementing_unit=unit_org)
    with pytest.raises(WorkflowError, match="项目当前状态：草稿"):
        enroll(draft, cast["unit"], name="赵六")
    with pytest.raises(WorkflowError, match="校验位"):
        enroll(project, cast["unit"], id_number=make_id()[:17] + ("0" if make_id()[17] != "0" else "1"))
    from projects.services import beneficiary_enroll

    with pytest.raises(WorkflowError, match="同意"):
        beneficiary_enroll(
            project=project,
            by=cast["unit"],
            identity={"name": "赵六", "special_group": "other"},
            intake={"intake_date": datetime.date(2014, 5, 1)},
        )


def test_masking():
    assert privacy.mask_id("320105195803171234") == "3201**********1234"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_phone("025-84001234") == "025*******34"
    assert privacy.mask_id("") == "" and privacy.mask_phone("") == ""


def test_reveal_is_logged_and_limited(cast, unit_org, unit2_org):
    person = enroll(live_project(unit_org), cast["unit"], id_number=make_id()).beneficiary
    assert privacy.reveal(user=cast["unit"], beneficiary=person, field="id_number") == make_id()
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.beneficiary, log.field) == (cast["unit"], person, "id_number")
    for role in ["unit2", "civil", "committee", "association", "evaluator"]:
        with pytest.raises(PermissionError):
            privacy.reveal(user=cast[role], beneficiary=person, field="phone")
    assert PersonalDataAccess.objects.count() == 1


def test_a_second_unit_sees_the_shared_identity_but_not_the_first_units_record(cast, unit_org, unit2_org):
    a = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    Enrollment.objects.filter(pk=a.pk).update(family_situation="甲单位记录的家庭情况")
    assert not Beneficiary.objects.visible_to(cast["unit2"]).exists()
    b = enroll(live_project(unit2_org), cast["unit2"], id_number=make_id())
    assert list(Beneficiary.objects.visible_to(cast["unit2"])) == [a.beneficiary]
    assert list(Enrollment.objects.visible_to(cast["unit2"])) == [b]
    assert list(Enrollment.objects.visible_to(cast["unit"])) == [a]


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


def png(size=(30, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_activity_photos_are_images_by_content(cast, unit_org, settings):
    from projects.models import Activity

    project = live_project(unit_org)
    activity = Activity.objects.create(project=project, type="group", title="小组", date=datetime.date(2014, 6, 1))
    photo = activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile("a.pdf", png()))
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
        activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile("e.png", png((200, 200))))
    with pytest.raises(WorkflowError):
        activity_photo_add(activity=activity, by=cast["unit2"], upload=SimpleUploadedFile("f.png", png()))
    assert activity.photos.count() == 1
