"""Casework: opening cases (one person key per ID number across the district), closing cases,
correcting a case's identity, recording activities with their photos, and case stories."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.audit import AuditAction, log_action
from projects.models import Activity, ActivityPhoto, Beneficiary, CaseStory, Enrollment, FollowUp, Project
from projects.models.casework import Gender
from projects.services.errors import WorkflowError
from projects.uploads import sniff_image
from projects.validators import (
    id_number_birth_date,
    id_number_gender,
    normalize_id_number,
    normalize_phone,
    validate_no_personal_numbers,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

IDENTITY_FIELDS = ("name", "gender", "date_of_birth", "phone", "community", "special_group")


def normalized_id(value: str) -> str:
    """The 18-character ID number, or "" when none was given; WorkflowError with the reason when invalid."""
    if not (value or "").strip():
        return ""
    try:
        return normalize_id_number(value)
    except ValidationError as error:
        raise WorkflowError(error.messages[0]) from None


def _check_casework(by: User, project: Project) -> None:
    if not permissions.can_keep_casework(by, project):
        raise WorkflowError(
            _("您不能为该项目记录服务对象和服务：只能为本单位签约后、结项前的项目记录（项目当前状态：%(status)s）。")
            % {"status": project.get_status_display()}
        )


def identity_from_id_number(identity: dict, id_number: str) -> dict:
    """The identity with birth date and gender taken from the ID number; WorkflowError when they disagree."""
    identity = dict(identity)
    if not id_number:
        return identity
    born, gender = id_number_birth_date(id_number), id_number_gender(id_number)
    if identity.get("date_of_birth") and identity["date_of_birth"] != born:
        raise WorkflowError(_("出生日期与身份证号中的出生日期不一致，请核对。"), field="date_of_birth")
    if identity.get("gender") not in (None, "", Gender.UNKNOWN) and identity["gender"] != gender:
        raise WorkflowError(_("性别与身份证号不一致，请核对。"), field="gender")
    identity["date_of_birth"], identity["gender"] = born, gender
    return identity


def _new_beneficiary(id_number: str) -> Beneficiary:
    # The code follows the primary key, so concurrent registrations never compete for a number.
    beneficiary = Beneficiary.objects.create(id_number=id_number)
    beneficiary.code = f"FW{beneficiary.pk:08d}"
    Beneficiary.objects.filter(pk=beneficiary.pk).update(code=beneficiary.code)
    return beneficiary


def beneficiary_for_id(id_number: str) -> Beneficiary:
    """The district-wide key of the person with ``id_number``: found, or registered now. Never shown to units."""
    if not id_number:
        return _new_beneficiary("")  # no ID: every case counts as its own person
    existing = Beneficiary.objects.filter(id_number=id_number).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _new_beneficiary(id_number)
    except IntegrityError:
        return Beneficiary.objects.get(id_number=id_number)  # registered in another project at the same moment


def _next_case_number(project: Project) -> tuple[int, str]:
    sequence = (Enrollment.objects.filter(project=project).aggregate(m=Max("sequence"))["m"] or 0) + 1
    return sequence, f"{project.code}/{sequence:03d}"


def _validated(enrollment: Enrollment, exclude=()) -> None:
    try:
        enrollment.full_clean(exclude=["beneficiary", "project", "consent_recorded_by", *exclude])
    except ValidationError as error:
        messages = []
        for field, field_messages in error.message_dict.items():
            label = Enrollment._meta.get_field(field).verbose_name if field != NON_FIELD_ERRORS else ""
            messages += [f"{label}：{m}" if label else m for m in field_messages]
        raise WorkflowError("；".join(messages)) from None


def enrollment_open(*, enrollment: Enrollment, by: User, id_number: str = "") -> Enrollment:
    """个案建档: save the new case ``enrollment`` (its project, who the person is, what the unit learned at
    intake), giving it its case number and linking it to the person key of ``id_number``.

    The identity is this unit's own record. The ID number (birth date and gender are taken from it)
    links the case to the district-wide person key, so the district counts unique people; the unit
    is told nothing about whether the person is known elsewhere. Cases of one project are numbered
    ``QC-2013-001/001`` on, under a lock on the project row, so two people opening cases at once
    (even the same person twice) get one case each or one clear refusal.
    """
    _check_casework(by, enrollment.project)
    id_number = normalized_id(id_number)
    if not (enrollment.name or "").strip():
        raise WorkflowError(_("请填写服务对象姓名。"), field="name")
    if enrollment.consent_on is None:
        raise WorkflowError(_("请先取得服务对象对处理其个人信息的同意，并填写同意日期。"), field="consent_on")
    identity = identity_from_id_number(
        {"date_of_birth": enrollment.date_of_birth, "gender": enrollment.gender}, id_number
    )
    enrollment.date_of_birth, enrollment.gender = identity["date_of_birth"], identity["gender"] or Gender.UNKNOWN
    enrollment.name = " ".join(enrollment.name.replace("\u3000", " ").split())
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("round").get(pk=enrollment.project_id)
        if id_number and Enrollment.objects.filter(project=project, beneficiary__id_number=id_number).exists():
            raise WorkflowError(_("该服务对象已在本项目建档。"), field="id_number")
        enrollment.project = project
        enrollment.sequence, enrollment.code = _next_case_number(project)
        enrollment.consent_recorded_by = by
        _validated(enrollment)
        enrollment.beneficiary = beneficiary_for_id(id_number)
        try:
            with transaction.atomic():
                enrollment.save(force_insert=True)
        except IntegrityError:
            raise WorkflowError(
                _("该服务对象已在本项目建档，或个案正由他人同时建档，请刷新后查看。"), field="id_number"
            ) from None
        log_action(action=AuditAction.CASE_OPEN, actor=by, obj=enrollment)
    return enrollment


def enrollment_correct_identity(
    *, enrollment: Enrollment, by: User, id_number: str = "", phone: str = "", date_of_birth=None
) -> Enrollment:
    """Replace the ID number, phone number or birth date of a case (the form never shows the old full value).

    A new ID number relinks the case to that number's person key, exactly as opening the case with it
    would: the answer is the same whether or not the number is known elsewhere.
    """
    _check_casework(by, enrollment.project)
    if enrollment.status != Enrollment.Status.OPEN:
        raise WorkflowError(_("已结案的个案不能更正。"))
    changes: dict = {}
    new_id = normalized_id(id_number)
    if phone.strip():
        try:
            changes["phone"] = normalize_phone(phone)
        except ValidationError as error:
            raise WorkflowError(error.messages[0]) from None
    if date_of_birth is not None:
        changes["date_of_birth"] = date_of_birth
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update().select_related("beneficiary", "project").get(pk=enrollment.pk)
        )
        old_key = enrollment.beneficiary
        key_id = new_id or old_key.id_number
        relink = bool(new_id) and new_id != old_key.id_number
        if relink and Enrollment.objects.filter(project=enrollment.project, beneficiary__id_number=new_id).exists():
            raise WorkflowError(_("该身份证号已在本项目的另一个案中登记。"), field="new_id_number")
        if new_id:
            born, gender = id_number_birth_date(new_id), id_number_gender(new_id)
            if date_of_birth is not None and date_of_birth != born:
                raise WorkflowError(_("出生日期与身份证号中的出生日期不一致，请核对。"))
            changes.update(date_of_birth=born, gender=gender)
        elif key_id and date_of_birth is not None:
            # The same answer whatever the date: one that said "does not match" would rebuild the number.
            raise WorkflowError(_("有身份证号的个案，出生日期以身份证号为准；如有误，请更正身份证号。"))
        for key, value in changes.items():
            setattr(enrollment, key, value)
        _validated(enrollment)
        if relink:
            enrollment.beneficiary = beneficiary_for_id(new_id)
            changes["beneficiary"] = enrollment.beneficiary
        if changes:
            enrollment.save(update_fields=[*changes, "updated_at"])
        if relink and not old_key.enrollments.exists():
            old_key.delete()  # a key nobody's case uses any more: the old, wrong number is not kept
        if changes:
            # Which values changed, never the values: the audit trail holds no personal data.
            fields = sorted(k if k != "beneficiary" else "id_number" for k in changes)
            log_action(action=AuditAction.CASE_CORRECT, actor=by, obj=enrollment, fields=fields)
    return enrollment


def enrollment_close(*, enrollment: Enrollment, by: User, closed_on, summary: str) -> Enrollment:
    _check_casework(by, enrollment.project)
    if enrollment.status == Enrollment.Status.CLOSED:
        raise WorkflowError(_("该个案已结案。"))
    if not (summary or "").strip():
        raise WorkflowError(_("结案须填写结案小结。"))
    try:
        validate_no_personal_numbers(summary)
    except ValidationError as error:
        raise WorkflowError(error.messages[0]) from None
    if closed_on is None or closed_on < enrollment.intake_date or closed_on > timezone.localdate():
        raise WorkflowError(_("结案日期应在接案日期与今天之间。"))
    with transaction.atomic():
        claimed = Enrollment.objects.filter(pk=enrollment.pk, status=Enrollment.Status.OPEN).update(
            status=Enrollment.Status.CLOSED,
            closed_on=closed_on,
            closing_summary=summary.strip(),
            updated_at=timezone.now(),
        )
        if not claimed:
            raise WorkflowError(_("该个案已被他人结案。"))
        enrollment.refresh_from_db()
        log_action(action=AuditAction.CASE_CLOSE, actor=by, obj=enrollment, closed_on=closed_on)
    return enrollment


def enrollment_update(*, enrollment: Enrollment, by: User) -> Enrollment:
    """Save changes to an open case's own record (its identity corrections go through
    ``enrollment_correct_identity``)."""
    _check_casework(by, enrollment.project)
    if enrollment.status != Enrollment.Status.OPEN:
        raise WorkflowError(_("已结案的个案不能修改。"))
    _validated(enrollment)
    with transaction.atomic():
        enrollment.save()
        log_action(action=AuditAction.CASE_UPDATE, actor=by, obj=enrollment)
    return enrollment


def casework_row_save(*, row, by: User):
    """Save a row that belongs to a case or an activity (a needs assessment, social-worker or volunteer hours)."""
    parent = getattr(row, "enrollment", None) or row.activity
    _check_casework(by, parent.project)
    row.full_clean(exclude=["enrollment", "activity"])
    row.save()
    return row


def casework_row_delete(*, row, by: User) -> None:
    parent = getattr(row, "enrollment", None) or row.activity
    _check_casework(by, parent.project)
    row.delete()


def follow_up_save(*, follow_up: FollowUp, by: User) -> FollowUp:
    """跟踪记录: a dated note on the case, by its project's unit while the service runs; a new one is audited."""
    _check_casework(by, follow_up.enrollment.project)
    if follow_up.enrollment.status != Enrollment.Status.OPEN:
        raise WorkflowError(_("已结案的个案不能再添加或修改跟踪记录。"))
    created = follow_up.pk is None
    if created and follow_up.recorded_by_id is None:
        follow_up.recorded_by = by
    try:
        follow_up.full_clean(exclude=["enrollment", "recorded_by"])
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from None
    with transaction.atomic():
        follow_up.save()
        if created:
            log_action(action=AuditAction.FOLLOW_UP_ADD, actor=by, obj=follow_up, date=follow_up.date)
    return follow_up


def follow_up_delete(*, follow_up: FollowUp, by: User) -> None:
    _check_casework(by, follow_up.enrollment.project)
    follow_up.delete()


def activity_record(*, activity: Activity, by: User, attendees=None) -> Activity:
    """Record (or correct) a service activity of a running project, with the cases that attended; audited."""
    _check_casework(by, activity.project)
    attendees = list(attendees) if attendees is not None else None
    if attendees is not None:
        problem = activity_attendees_problem(activity, attendees)
        if problem:
            raise WorkflowError(problem, field="attendees")
        if activity.participants < len(attendees):
            raise WorkflowError(_("参与人数不能少于所选的个案数。"), field="participants")
    try:
        activity.full_clean()
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from None
    created = activity.pk is None
    with transaction.atomic():
        activity.save()
        if attendees is not None:
            activity.attendees.set(attendees)
        log_action(
            action=AuditAction.ACTIVITY_RECORD if created else AuditAction.ACTIVITY_UPDATE,
            actor=by,
            obj=activity,
            date=activity.date,
            participants=activity.participants,
        )
    return activity


def activity_attendees_problem(activity: Activity, enrollments) -> str | None:
    strangers = [e for e in enrollments if e.project_id != activity.project_id]
    if strangers:
        return _("参加活动的个案必须属于本项目。")
    return None


def activity_photo_add(*, activity: Activity, by: User, upload, caption: str = "") -> ActivityPhoto:
    """Store an activity photo (JPEG or PNG judged by content, size-limited) under a random name."""
    _check_casework(by, activity.project)
    extension, content_type = sniff_image(upload, limit=settings.QICAI_PHOTO_MAX_BYTES)
    photo = ActivityPhoto(activity=activity, caption=caption.strip()[:100], content_type=content_type, uploaded_by=by)
    photo.image.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    try:
        with transaction.atomic():
            photo.save()
            log_action(action=AuditAction.ACTIVITY_PHOTO, actor=by, obj=activity)
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
    names = set(Enrollment.objects.filter(project_id=story.project_id).values_list("name", flat=True).distinct())
    found = sorted(name for name in names if len(name) >= 2 and name in text)
    if found:
        problems.append(
            _("案例中出现了本项目服务对象的真实姓名（%(count)d处），请改用化名，如“张阿姨”“小李”。")
            % {"count": len(found)}
        )
    return problems


def case_story_mark_excellent(*, story: CaseStory, by: User, excellent: bool = True) -> CaseStory:
    if not permissions.can_mark_excellent_case_stories(by):
        raise WorkflowError(_("您不能评定优秀案例。"))
    with transaction.atomic():
        CaseStory.objects.filter(pk=story.pk).update(is_excellent=excellent)
        story.refresh_from_db()
        action = AuditAction.CASE_STORY_EXCELLENT if excellent else AuditAction.CASE_STORY_PLAIN
        log_action(action=action, actor=by, obj=story)
    return story


def case_story_save(*, story: CaseStory, by: User) -> CaseStory:
    """服务案例: written by the project's unit, anonymised (no served person's name, no ID number); audited."""
    if not permissions.can_write_case_story(by, story.project):
        raise WorkflowError(_("您不能为该项目撰写服务案例：案例由项目的实施单位撰写。"), field="project")
    if story.enrollment_id and story.enrollment.project_id != story.project_id:
        raise WorkflowError(_("所选个案不属于本项目。"), field="enrollment")
    problems = case_story_problems(story)
    if problems:
        raise WorkflowError("；".join(problems))
    try:
        story.full_clean()
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from None
    created = story.pk is None
    with transaction.atomic():
        story.save()
        action = AuditAction.CASE_STORY_WRITE if created else AuditAction.CASE_STORY_UPDATE
        log_action(action=action, actor=by, obj=story)
    return story


def unit_person_save(*, person, by: User, owner_field: str, new_phone: str = ""):
    """Save a social worker or volunteer; an implementing unit's people are always its own.

    ``new_phone`` replaces the phone number of an existing record (its form shows only the masked one).
    """
    if not permissions.can_keep_unit_people(by):
        raise WorkflowError(_("您不能登记或修改社工、义工。"))
    if permissions.is_implementing_unit(by):
        setattr(person, f"{owner_field}_id", permissions.organization_id_of(by))
    if new_phone.strip():
        try:
            person.phone = normalize_phone(new_phone)
        except ValidationError as error:
            raise WorkflowError(error.messages[0]) from None
    person.save()
    return person
