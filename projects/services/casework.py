"""Casework: enrolling people (one record per person across the district), closing cases,
correcting identity, recording activities with their photos, and case stories."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.models import Activity, ActivityPhoto, Beneficiary, CaseStory, Enrollment, Project
from projects.services.errors import WorkflowError
from projects.uploads import sniff_image
from projects.validators import normalize_id_number

CODE_ATTEMPTS = 5
IDENTITY_FIELDS = ("name", "gender", "date_of_birth", "phone", "community", "special_group")


def normalized_id(value: str) -> str:
    """The 18-character ID number, or "" when none was given; WorkflowError with the reason when invalid."""
    if not (value or "").strip():
        return ""
    try:
        return normalize_id_number(value)
    except ValidationError as error:
        raise WorkflowError(error.messages[0]) from None


def _check_casework(by, project: Project) -> None:
    if not permissions.can_keep_casework(by, project):
        raise WorkflowError(
            _("只有项目的实施单位可以在项目签约后、结项前记录服务对象和服务（项目当前状态：%(status)s）。")
            % {"status": project.get_status_display()}
        )


def _new_beneficiary(*, identity: dict, id_number: str, by) -> Beneficiary:
    for attempt in range(CODE_ATTEMPTS):
        highest = Beneficiary.objects.aggregate(m=Max("code"))["m"] or "FW00000000"
        beneficiary = Beneficiary(
            code=f"FW{int(highest[2:]) + 1:08d}",
            id_number=id_number,
            registered_by_id=permissions.organization_id_of(by) or _registering_unit_fallback(),
            **identity,
        )
        try:
            with transaction.atomic():
                beneficiary.save(force_insert=True)
            return beneficiary
        except IntegrityError:
            if id_number and Beneficiary.objects.filter(id_number=id_number).exists():
                return Beneficiary.objects.get(id_number=id_number)  # enrolled elsewhere at the same moment
            if attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _registering_unit_fallback() -> int:
    from projects.models import Organization

    return Organization.objects.filter(type=Organization.Type.ASSOCIATION).values_list("pk", flat=True).first()


def beneficiary_enroll(*, project: Project, by, identity: dict, id_number: str = "", intake: dict) -> Enrollment:
    """Open a case (个案) for a person in ``project``.

    The same ID number is the same person: an existing beneficiary is reused and only
    gains this enrolment, so the district counts unique people as well as enrolments.
    Identity fields the existing record lacks are filled in; none are overwritten.
    """
    _check_casework(by, project)
    id_number = normalized_id(id_number)
    if not (identity.get("name") or "").strip():
        raise WorkflowError(_("请填写服务对象姓名。"))
    if intake.get("consent_on") is None:
        raise WorkflowError(_("请先取得服务对象对处理其个人信息的同意，并填写同意日期。"))
    with transaction.atomic():
        beneficiary = Beneficiary.objects.filter(id_number=id_number).first() if id_number else None
        if beneficiary is None:
            beneficiary = _new_beneficiary(identity=identity, id_number=id_number, by=by)
        else:
            missing = {k: v for k, v in identity.items() if v not in (None, "") and not getattr(beneficiary, k)}
            for key, value in missing.items():
                setattr(beneficiary, key, value)
            if missing:
                beneficiary.save(update_fields=[*missing, "updated_at"])
        if Enrollment.objects.filter(beneficiary=beneficiary, project=project).exists():
            raise WorkflowError(_("该服务对象已在本项目建档（%(code)s）。") % {"code": beneficiary.code})
        enrollment = Enrollment(beneficiary=beneficiary, project=project, consent_recorded_by=by, **intake)
        try:
            enrollment.full_clean(exclude=["beneficiary", "project", "consent_recorded_by"])
        except ValidationError as error:
            raise WorkflowError("；".join(error.messages)) from None
        try:
            with transaction.atomic():
                enrollment.save()
        except IntegrityError:
            raise WorkflowError(_("该服务对象已在本项目建档。")) from None
    return enrollment


def beneficiary_correct_identity(*, beneficiary: Beneficiary, by, id_number: str = "", phone: str = "") -> Beneficiary:
    """Replace the ID or phone number of a person the unit serves (the form never shows the old full value)."""
    if not (permissions.is_implementing_unit(by) or by.is_superuser) or not permissions.can_view_beneficiary(
        by, beneficiary
    ):
        raise WorkflowError(_("您不能更正该服务对象的身份信息。"))
    changes = {}
    if id_number.strip():
        changes["id_number"] = normalized_id(id_number)
        other = Beneficiary.objects.filter(id_number=changes["id_number"]).exclude(pk=beneficiary.pk).first()
        if other:
            raise WorkflowError(
                _("该身份证号已登记为另一服务对象（%(code)s），请联系区民政局合并。") % {"code": other.code}
            )
    if phone.strip():
        changes["phone"] = phone.strip()
    for key, value in changes.items():
        setattr(beneficiary, key, value)
    if changes:
        try:
            beneficiary.full_clean(exclude=["community", "registered_by"])
        except ValidationError as error:
            raise WorkflowError("；".join(error.messages)) from None
        beneficiary.save(update_fields=[*changes, "updated_at"])
    return beneficiary


def enrollment_close(*, enrollment: Enrollment, by, closed_on, summary: str) -> Enrollment:
    _check_casework(by, enrollment.project)
    if enrollment.status == Enrollment.Status.CLOSED:
        raise WorkflowError(_("该个案已结案。"))
    if not (summary or "").strip():
        raise WorkflowError(_("结案须填写结案小结。"))
    if closed_on is None or closed_on < enrollment.intake_date or closed_on > timezone.localdate():
        raise WorkflowError(_("结案日期应在接案日期与今天之间。"))
    claimed = Enrollment.objects.filter(pk=enrollment.pk, status=Enrollment.Status.OPEN).update(
        status=Enrollment.Status.CLOSED, closed_on=closed_on, closing_summary=summary.strip(), updated_at=timezone.now()
    )
    if not claimed:
        raise WorkflowError(_("该个案已被他人结案。"))
    enrollment.refresh_from_db()
    return enrollment


def activity_attendees_problem(activity: Activity, enrollments) -> str | None:
    strangers = [e for e in enrollments if e.project_id != activity.project_id]
    if strangers:
        return _("参加活动的个案必须属于本项目。")
    return None


def activity_photo_add(*, activity: Activity, by, upload, caption: str = "") -> ActivityPhoto:
    """Store an activity photo (JPEG or PNG judged by content, size-limited) under a random name."""
    _check_casework(by, activity.project)
    extension, content_type = sniff_image(upload, limit=settings.QICAI_PHOTO_MAX_BYTES)
    photo = ActivityPhoto(activity=activity, caption=caption.strip()[:100], content_type=content_type, uploaded_by=by)
    photo.image.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    try:
        photo.save()
    except Exception:
        photo.image.storage.delete(photo.image.name)
        raise
    return photo


ID_PATTERN = re.compile(r"(?<!\d)\d{17}[\dXx](?!\w)|(?<!\d)\d{15}(?!\d)")


def case_story_problems(story: CaseStory) -> list[str]:
    """Why a case story is not anonymised: a served person's real name or an ID number in its text."""
    text = "\n".join([story.title, story.narrative, story.service_method, story.outcome])
    problems = []
    if ID_PATTERN.search(text):
        problems.append(_("案例中出现了疑似身份证号，请删除。"))
    names = set(
        Enrollment.objects.filter(project_id=story.project_id).values_list("beneficiary__name", flat=True).distinct()
    )
    found = sorted(name for name in names if len(name) >= 2 and name in text)
    if found:
        problems.append(
            _("案例中出现了本项目服务对象的真实姓名（%(count)d处），请改用化名，如“张阿姨”“小李”。")
            % {"count": len(found)}
        )
    return problems


def case_story_mark_excellent(*, story: CaseStory, by, excellent: bool = True) -> CaseStory:
    if not by.has_perm("projects.mark_excellent_casestory"):
        raise WorkflowError(_("只有区社工协会可以评定优秀案例。"))
    CaseStory.objects.filter(pk=story.pk).update(is_excellent=excellent)
    story.refresh_from_db()
    return story


def unit_person_save(*, person, by, owner_field: str):
    """Save a social worker or volunteer; an implementing unit's people are always its own."""
    if permissions.is_implementing_unit(by):
        setattr(person, f"{owner_field}_id", permissions.organization_id_of(by))
    elif not getattr(by, "is_superuser", False):
        raise WorkflowError(_("社工和义工由其所在的实施单位登记。"))
    person.save()
    return person
