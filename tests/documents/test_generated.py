"""Documents generated in the background and kept (qicai.documents.generated), through all of a round's
certificates: made once per version of the data, progress while made, the download scoped to those who
may have it, the old file gone once a new version is ready, the worker's path."""

import datetime
from dataclasses import replace

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from awards.models import AwardRecord
from projects.states import DocumentStatus
from qicai.documents import generated
from qicai.documents.certificates import ROUND_CERTIFICATES
from qicai.documents.generated import document_generate, document_request
from qicai.documents.kinds import KINDS
from qicai.models import GeneratedDocument
from tests.documents import pdfs

pytestmark = pytest.mark.django_db


def page_url(round_) -> str:
    return reverse("documents:round_document", args=[round_.year, "certificates"])


def ask(client, user, round_) -> GeneratedDocument:
    client.force_login(user)
    response = client.post(page_url(round_))
    assert response.status_code == 302, response
    document = GeneratedDocument.objects.latest("pk")
    assert response["Location"] == reverse("documents:generated", args=[document.pk])
    return document


def test_all_certificates_of_a_round_in_one_pdf(client, cast, round_2014, award, other_award):
    client.force_login(cast["civil"])
    page = client.get(page_url(round_2014)).content.decode()
    assert "预计 2 页" in page and "生成 PDF" in page
    document = ask(client, cast["civil"], round_2014)  # two pages: made within the request
    assert document.status == DocumentStatus.READY and document.pages == document.done == document.total == 2
    status = client.get(reverse("documents:generated", args=[document.pk])).content.decode()
    assert "已生成" in status and 'http-equiv="refresh"' not in status
    response = client.get(reverse("documents:generated_download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''2014%E5%B9%B4%E5%BA%A6" in response["Content-Disposition"]  # 2014年度七彩工程荣誉证书.pdf
    data = b"".join(response.streaming_content)
    assert pdfs.pages(data) == 2
    text = pdfs.text(data)
    assert "阳光社工（测试）：" in text and "心桥社工（测试）：" in text and text.count("特发此证，以资鼓励。") == 2
    assert all(font["emb"] == "yes" and font["sub"] == "yes" for font in pdfs.fonts(data))


def test_the_same_data_are_not_made_twice(client, cast, round_2014, award, no_layout):
    first = ask(client, cast["civil"], round_2014)
    second = ask(client, cast["committee"], round_2014)  # same scope (the whole programme): the same file
    assert first.pk == second.pk and len(no_layout.rendered) == 1
    assert client.get(reverse("documents:generated_download", args=[first.pk])).status_code == 200


def test_changed_data_make_a_new_version_and_the_old_file_goes(client, cast, round_2014, award, no_layout):
    old = ask(client, cast["civil"], round_2014)
    AwardRecord.objects.filter(pk=award.pk).update(citation="表彰词改过了。")
    status = client.get(reverse("documents:generated", args=[old.pk])).content.decode()
    assert "不是最新的" in status and "生成 PDF" in status
    new = ask(client, cast["civil"], round_2014)
    assert new.pk != old.pk and new.version != old.version and new.status == DocumentStatus.READY
    assert "表彰词改过了。" in no_layout.rendered[-1]
    old_file = old.stored_name
    old.refresh_from_db()
    assert old.status == DocumentStatus.OUTDATED and not old.stored_name
    assert not default_storage.exists(old_file) and default_storage.exists(new.stored_name)
    assert client.get(reverse("documents:generated_download", args=[old.pk])).status_code == 404


def test_a_new_layout_is_a_new_version(round_2014, award, monkeypatch):
    before = ROUND_CERTIFICATES.version(round_2014, "")
    monkeypatch.setattr(generated, "layout_fingerprint", lambda *names, **options: "another layout")
    monkeypatch.setattr("qicai.documents.certificates.layout_fingerprint", lambda *names, **options: "another layout")
    assert ROUND_CERTIFICATES.version(round_2014, "") != before


def test_a_long_document_goes_to_the_worker_and_shows_its_progress(
    client, cast, round_2014, award, other_award, settings, monkeypatch, no_layout
):
    settings.QICAI_DOCUMENT_INLINE_PAGES = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    document = ask(client, cast["civil"], round_2014)
    assert document.status == DocumentStatus.PENDING and document.total == 2 and not no_layout.rendered
    status = client.get(reverse("documents:generated", args=[document.pk])).content.decode()
    assert 'http-equiv="refresh"' in status and "等待生成" in status and "已排版 0 / 2 页" in status
    assert reverse("documents:generated_download", args=[document.pk]) not in status
    assert client.get(reverse("documents:generated_download", args=[document.pk])).status_code == 404

    seen = []
    render = ROUND_CERTIFICATES.render

    def render_slowly(round_, scope, progress):
        progress(1)
        seen.append(GeneratedDocument.objects.values_list("status", "done").get(pk=document.pk))
        return render(round_, scope, progress)

    monkeypatch.setattr(generated, "PROGRESS_EVERY_SECONDS", 0)
    monkeypatch.setitem(KINDS, "certificates", replace(ROUND_CERTIFICATES, render=render_slowly))
    document_generate(document)  # what the worker's task runs
    assert seen == [(DocumentStatus.RUNNING, 1)]
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.done == 2
    assert document_generate(document).status == DocumentStatus.READY  # a second worker finds nothing to do


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_makes_it(client, cast, round_2014, award, other_award, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.QICAI_DOCUMENT_INLINE_PAGES = 0
    document = ask(client, cast["civil"], round_2014)
    assert document.status == DocumentStatus.PENDING
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.pages == 2
    assert client.get(reverse("documents:generated_download", args=[document.pk])).status_code == 200


def test_only_those_who_may_have_it_follow_it(client, cast, round_2014, award, no_layout):
    document = ask(client, cast["civil"], round_2014)
    for role in ("unit", "unit2", "evaluator"):
        client.force_login(cast[role])
        for name in ("documents:generated", "documents:generated_download"):
            refused = client.get(reverse(name, args=[document.pk]))
            made_up = client.get(reverse(name, args=[document.pk + 999]))
            assert refused.status_code == made_up.status_code == 404
            assert refused.content == made_up.content
        assert client.get(page_url(round_2014)).status_code == 404
        assert client.post(page_url(round_2014)).status_code == 404
    assert GeneratedDocument.objects.count() == 1


def test_a_round_without_awards_has_nothing_to_print(client, cast, round_2014):
    client.force_login(cast["civil"])
    response = client.post(page_url(round_2014), follow=True)
    assert "该年度批次还没有表彰记录。" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_a_stalled_document_is_made_again(cast, round_2014, award, no_layout, settings):
    stalled = GeneratedDocument.objects.create(
        kind="certificates",
        round=round_2014,
        language="zh-hans",
        version=ROUND_CERTIFICATES.version(round_2014, ""),
        status=DocumentStatus.RUNNING,
        requested_by=cast["civil"],
    )
    GeneratedDocument.objects.filter(pk=stalled.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=settings.QICAI_DOCUMENT_STALLED_MINUTES + 1)
    )
    document = document_request(kind="certificates", round_=round_2014, by=cast["civil"])
    assert document.pk != stalled.pk and document.status == DocumentStatus.READY
    stalled.refresh_from_db()
    assert stalled.status == DocumentStatus.FAILED


def test_two_requests_at_once_make_one_document(cast, round_2014, award, no_layout, monkeypatch):
    first = document_request(kind="certificates", round_=round_2014, by=cast["civil"])
    live = generated._live
    calls = []

    def not_seen_the_first_time(*args):
        calls.append(args)
        return None if len(calls) == 1 else live(*args)

    monkeypatch.setattr(generated, "_live", not_seen_the_first_time)
    second = document_request(kind="certificates", round_=round_2014, by=cast["committee"])
    assert second.pk == first.pk and GeneratedDocument.objects.count() == 1 and len(no_layout.rendered) == 1


def test_a_failure_is_said_and_the_next_request_tries_again(client, cast, round_2014, award, monkeypatch):
    def broken(round_, scope, progress):
        raise RuntimeError("layout failed")

    monkeypatch.setitem(KINDS, "certificates", replace(ROUND_CERTIFICATES, render=broken))
    failed = ask(client, cast["civil"], round_2014)
    assert failed.status == DocumentStatus.FAILED and failed.message and not failed.stored_name
    status = client.get(reverse("documents:generated", args=[failed.pk])).content.decode()
    assert "生成失败" in status and "生成 PDF" in status
    monkeypatch.undo()
    retried = ask(client, cast["civil"], round_2014)
    assert retried.pk != failed.pk and retried.status == DocumentStatus.READY


def test_a_kept_file_gone_missing_is_made_again(client, cast, round_2014, award, no_layout):
    document = ask(client, cast["civil"], round_2014)
    default_storage.delete(document.stored_name)
    page = client.get(page_url(round_2014)).content.decode()
    assert "生成 PDF" in page and reverse("documents:generated_download", args=[document.pk]) not in page
    again = ask(client, cast["civil"], round_2014)
    assert again.pk != document.pk and again.status == DocumentStatus.READY
    assert default_storage.exists(again.stored_name)
