"""An import from upload to result: store the file, check it (the dry run), confirm, write at once.

Every state change of a job is a conditional update on its status and version (two clicks on 确认导入
write once). The uploaded file lives under ``MEDIA_ROOT/imports/`` under a random name and is never
served; after a clean dry run it is replaced by what was read of it (JSON), so that the confirmation
does not parse the workbook again. It is removed as soon as the job ends (written, failed, refused or
abandoned); files of jobs nobody finished are removed after ``QICAI_IMPORT_KEEP_HOURS`` by
``import_files_cleanup``, which every new upload runs and the worker runs too.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.audit import AuditAction, log_action
from projects.imports.base import Finding, Importer, Plan
from projects.imports.registry import importer_for
from projects.models import ImportJob
from projects.services.errors import StaleTransition, WorkflowError
from projects.states import IMPORT_PENDING, ImportStatus
from projects.tabular.headers import Column
from projects.tabular.reading import Table, TableError, read_table, total_mismatches
from projects.tabular.stored import dump_table, load_table
from projects.uploads import display_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)
FOLDER = "imports"
TABLE_SUFFIX = ".table.json"  # what a clean dry run read, kept in place of the upload until the job ends


def _importer(job: ImportJob) -> Importer:
    importer = importer_for(job.importer, job.user)
    if importer is None:
        raise WorkflowError(_("没有这种导入。"))
    return importer


def _set(job: ImportJob, *, expected: str | None = None, **changes) -> bool:
    """Change the job if it is still in ``expected`` (and at the version read); False when someone else did."""
    query = ImportJob.objects.filter(pk=job.pk)
    if expected is not None:
        query = query.filter(status=expected, version=job.version)
    updated = query.update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    job.refresh_from_db()
    return bool(updated)


def _remove_file(job: ImportJob) -> None:
    if job.stored_name:
        default_storage.delete(job.stored_name)
        ImportJob.objects.filter(pk=job.pk).update(stored_name="")
        job.stored_name = ""


def import_job_start(*, importer_key: str, upload, by: User) -> ImportJob:
    """Keep the upload and check it: at once when the file is small, else by the background worker."""
    importer = importer_for(importer_key, by)
    if importer is None or not importer.may_import():
        raise WorkflowError(_("您不能导入这种记录。"))
    limit = settings.QICAI_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise WorkflowError(
            _("文件超过 %(limit)s MB 的上限，请拆分后分批导入。") % {"limit": f"{limit / 1024 / 1024:g}"},
            field="file",
        )
    if not upload.size:
        raise WorkflowError(_("文件是空的。"), field="file")
    import_files_cleanup()
    # The stored name is ours: the user's name is only kept (cleaned) to be shown, and its extension is not
    # used either (the file is judged by its content when read).
    stored = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.upload", upload)
    job = ImportJob.objects.create(
        user=by,
        importer=importer_key,
        original_name=display_name(upload.name, limit=200) or _("未命名文件"),
        stored_name=stored,
        size=upload.size,
        status=ImportStatus.CHECKING,
        phase=_("等待检查"),
    )
    from projects.imports.tasks import check_import

    if upload.size <= settings.QICAI_IMPORT_INLINE_BYTES:
        import_job_check(job)
    else:
        check_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _read(job: ImportJob, importer: Importer) -> Table:
    with default_storage.open(job.stored_name, "rb") as handle:
        if job.stored_name.endswith(TABLE_SUFFIX):
            return load_table(handle.read())
        return read_table(handle, columns=importer.file_columns(), max_bytes=settings.QICAI_IMPORT_MAX_BYTES)


def _keep_table(job: ImportJob, table: Table) -> None:
    """Replace the upload by what the dry run read of it, so that the confirmation does not parse it again."""
    try:
        data = dump_table(table)
    except TypeError:
        logger.warning("import %s: the read table cannot be kept; the upload is read again", job.pk)
        return
    stored = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}{TABLE_SUFFIX}", ContentFile(data))
    old = job.stored_name
    ImportJob.objects.filter(pk=job.pk).update(stored_name=stored)
    job.stored_name = stored
    default_storage.delete(old)


def _plan(job: ImportJob, importer: Importer, *, progress: bool) -> tuple[Plan | None, Table | None, str]:
    """The dry run: read the file and plan every row. (None, None, reason) when the file itself is refused."""
    try:
        table = _read(job, importer)
    except TableError as error:
        return None, None, error.message
    if progress:
        _set(job, phase=_("正在逐行检查"), total=len(table.rows), processed=0)

    def report(done: int) -> None:
        if progress:
            ImportJob.objects.filter(pk=job.pk).update(processed=done)

    plan = importer.plan(table, progress=report)
    columns = [c for c in importer.file_columns() if isinstance(c, Column)]
    plan.warnings.extend(Finding(p.row, p.header, p.message) for p in total_mismatches(table, columns))
    return plan, table, ""


def import_job_check(job: ImportJob) -> ImportJob:
    """The dry run of a stored upload: what would be new, changed, unchanged, and every error by row and column."""
    if job.status != ImportStatus.CHECKING or not job.stored_name:
        return job
    importer = _importer(job)
    try:
        _check(job, importer)
    except Exception:  # never a job left 正在检查 with its file: the user is told, the file removed
        logger.exception("import %s could not be checked", job.pk)
        _set(
            job,
            status=ImportStatus.REFUSED,
            phase="",
            message=_("文件无法读取，请检查文件后重新上传。"),
            finished_at=timezone.now(),
        )
        _remove_file(job)
    return job


def _check(job: ImportJob, importer: Importer) -> None:
    plan, table, refusal = _plan(job, importer, progress=True)
    if plan is None:
        _set(job, status=ImportStatus.REFUSED, phase="", message=refusal, finished_at=timezone.now())
        _remove_file(job)
        return
    result = plan.as_result()
    refused = bool(plan.errors)
    _set(
        job,
        status=ImportStatus.REFUSED if refused else ImportStatus.CHECKED,
        phase="",
        processed=len(plan.rows),
        total=len(plan.rows),
        result=result,
        message=_("有 %(count)d 处错误：请改正后重新上传，本次未写入任何数据。") % {"count": result["error_count"]}
        if refused
        else "",
        finished_at=timezone.now() if refused else None,
    )
    if refused:
        _remove_file(job)
    else:
        _keep_table(job, table)


def import_job_confirm(*, job: ImportJob, by: User, expected_version: int) -> ImportJob:
    """The user confirms a clean dry run: write it (at once when small, else by the worker)."""
    if job.user_id != by.pk:
        raise WorkflowError(_("只有上传者本人可以确认导入。"))
    if job.version != expected_version or job.status != ImportStatus.CHECKED:
        raise StaleTransition(_("该导入已被处理，或页面已过期，请刷新后查看。"))
    if not _set(job, expected=ImportStatus.CHECKED, status=ImportStatus.IMPORTING, phase=_("等待写入")):
        raise StaleTransition(_("该导入已被处理，或页面已过期，请刷新后查看。"))
    from projects.imports.tasks import run_import

    if job.size <= settings.QICAI_IMPORT_INLINE_BYTES:
        import_job_run(job)
    else:
        run_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_job_run(job: ImportJob) -> ImportJob:
    """Plan again and write every row in one transaction: if any row fails now, nothing is written."""
    if job.status != ImportStatus.IMPORTING or not job.stored_name:
        return job
    importer = _importer(job)
    _set(job, phase=_("正在写入"))
    try:
        with transaction.atomic():
            plan, _table, refusal = _plan(job, importer, progress=False)
            if plan is None or plan.errors:
                raise WorkflowError(
                    refusal or _("数据在确认前已有变化，出现了 %(count)d 处错误。") % {"count": len(plan.errors)}
                )
            written = importer.write(plan)
            counts = plan.counts()
            log_action(
                action=AuditAction.IMPORT_RUN,
                actor=job.user,
                obj=job,
                importer=job.importer,
                file=job.original_name,
                new=written.get("new", counts["new"]),
                changed=written.get("changed", counts["changed"]),
                unchanged=counts["unchanged"],
            )
    except WorkflowError as error:
        _set(job, status=ImportStatus.FAILED, phase="", message=error.message, finished_at=timezone.now())
    except Exception:
        logger.exception("import %s failed", job.pk)
        _set(
            job,
            status=ImportStatus.FAILED,
            phase="",
            message=_("写入时出错，已全部撤销，未写入任何数据。请稍后重试或联系系统管理员。"),
            finished_at=timezone.now(),
        )
    else:
        result = {**job.result, "written": {"new": counts["new"], "changed": counts["changed"]}}
        _set(job, status=ImportStatus.DONE, phase="", result=result, finished_at=timezone.now())
    _remove_file(job)
    return job


def import_job_abandon(*, job: ImportJob, by: User) -> ImportJob:
    if job.user_id != by.pk and not by.is_superuser:
        raise WorkflowError(_("只有上传者本人可以放弃导入。"))
    if job.status not in (ImportStatus.CHECKING, ImportStatus.CHECKED):
        raise WorkflowError(_("该导入已在写入或已结束，不能放弃。"))
    _set(job, expected=job.status, status=ImportStatus.ABANDONED, phase="", finished_at=timezone.now())
    _remove_file(job)
    return job


def import_files_cleanup(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of jobs left unfinished longer than ``QICAI_IMPORT_KEEP_HOURS``; return how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.QICAI_IMPORT_KEEP_HOURS)
    stale = ImportJob.objects.filter(status__in=IMPORT_PENDING, updated_at__lt=cutoff).exclude(stored_name="")
    removed = 0
    for job in stale:
        if job.status == ImportStatus.IMPORTING:
            continue  # a worker may be writing it
        _set(job, status=ImportStatus.ABANDONED, phase="", finished_at=timezone.now())
        _remove_file(job)
        removed += 1
    return removed
