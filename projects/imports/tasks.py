"""Background tasks of imports (django-tasks; the database backend's worker runs them: `manage.py db_worker`)."""

from django_tasks import task

from projects.models import ImportJob


@task()
def check_import(job_id: int) -> None:
    from projects.imports.jobs import import_job_check

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_check(job)


@task()
def run_import(job_id: int) -> None:
    from projects.imports.jobs import import_job_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_run(job)


@task()
def clean_import_files() -> int:
    from projects.imports.jobs import import_files_cleanup

    return import_files_cleanup()
