"""Background tasks of printed documents (django-tasks; the database worker runs them: `manage.py db_worker`)."""

from django_tasks import task

from qicai.models import GeneratedDocument


@task()
def generate_document(document_id: int) -> None:
    from qicai.documents.generated import document_generate

    document = GeneratedDocument.objects.filter(pk=document_id).first()
    if document is not None:
        document_generate(document)
