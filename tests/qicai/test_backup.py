"""Backups restore: every table and every media file comes back identical, and bad archives are refused.

The round trips restore with ``manage.py restore`` in a process of its own (the deployed command, its
own settings) into an empty database: a new SQLite file, or a second database created on the same
PostgreSQL cluster. The comparison is independent of the archive's manifest: row counts and row
checksums of every table read from the source and from the restored database, and the SHA-256 of every
media file on both sides.
"""

import datetime
import gzip
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from projects.models import Project, Round
from projects.services import instalment_release, project_sign
from qicai.backup import (
    BackupError,
    create_backup,
    media_checksums,
    pg_checksums,
    restore_backup,
    sqlite_checksums,
)
from tests.casework_factories import enroll, live_project, make_id
from tests.factories import RoundFactory, project_in_state
from tests.helpers import image_bytes

BASE_DIR = Path(settings.BASE_DIR)
ON_SQLITE = connection.vendor == "sqlite"
ON_POSTGRES = connection.vendor == "postgresql"
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def some_records(cast, unit_org) -> None:
    """Money, history, audit rows (JSON), a case with its person key: a bit of every kind of column."""
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=Decimal("100000.00"))
    project = project_in_state(
        Project.Status.APPROVED, round=round_, implementing_unit=unit_org, title="长者关爱「七彩」"
    )
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    instalment_release(
        instalment=project.instalments.get(sequence=1),
        by=cast["civil"],
        released_on=datetime.date(2014, 3, 20),
        voucher_number="JCMZ-2014-007",
    )
    enroll(live_project(unit_org, round=round_), cast["unit"], name="王秀英", id_number=make_id())


def some_files() -> None:
    default_storage.save("agreements/2014/协议 扫描件.pdf", ContentFile(b"%PDF-1.4\n" + bytes(range(256)) * 40))
    default_storage.save("activities/photos/a.png", ContentFile(image_bytes("PNG")))
    default_storage.save("top.txt", ContentFile("七彩工程\n".encode()))


def restore_command(archive: Path, target: Path, *, database_url: str = "", force: bool = False):
    """``manage.py restore`` as an operator runs it, in a fresh process with its own var/ and media folders."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qicai.settings",
        DEBUG="1",
        QICAI_VAR_DIR=str(target),
        MEDIA_ROOT=str(target / "media"),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "manage.py", "restore", str(archive), *(["--force"] if force else [])]
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def bare_archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """A backup of the test database as migrations left it, with three media files (nothing written to it)."""
    folder = tmp_path_factory.mktemp("bare")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(folder / "media")):
        some_files()
        return create_backup(output_dir=folder / "backups")


# -- round trips ---------------------------------------------------------------------------------


@TRANSACTIONAL
@pytest.mark.skipif(not ON_SQLITE, reason="the SQLite round trip")
def test_sqlite_backup_restores_every_table_and_file(cast, unit_org, tmp_path, media_root):
    some_records(cast, unit_org)
    some_files()
    archive = create_backup(output_dir=tmp_path / "backups")
    assert archive.name.startswith("qicai-") and archive.name.endswith(".tar.gz")

    target = tmp_path / "restored"
    done = restore_command(archive, target)
    assert done.returncode == 0, done.stderr
    assert "恢复完成并已核对" in done.stdout

    source = sqlite_checksums(connection.settings_dict["NAME"])
    restored = sqlite_checksums(str(target / "db.sqlite3"))
    assert source == restored
    assert source["projects_project"]["rows"] == 2 and source["projects_enrollment"]["rows"] == 1
    assert source["django_migrations"]["rows"] > 50
    files = media_checksums(Path(media_root))
    assert len(files) == 3 and media_checksums(target / "media") == files

    # The comparison can fail: one changed value in one row, one changed byte in one file.
    Path(target / "media" / "top.txt").write_bytes("七彩工程!\n".encode())
    assert media_checksums(target / "media") != files
    db = sqlite3.connect(target / "db.sqlite3")
    db.execute("UPDATE projects_instalment SET voucher_number = 'JCMZ-2014-008' WHERE voucher_number != ''")
    db.commit()
    db.close()
    changed = sqlite_checksums(str(target / "db.sqlite3"))
    assert [t for t in source if source[t] != changed[t]] == ["projects_instalment"]

    # A second restore into the now non-empty database is refused, and changes nothing.
    before = (target / "db.sqlite3").read_bytes()
    refused = restore_command(archive, target)
    assert refused.returncode != 0
    assert "目标数据库不是空的" in refused.stderr
    assert (target / "db.sqlite3").read_bytes() == before


@TRANSACTIONAL
@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL round trip")
def test_postgres_backup_restores_every_table_and_file(cast, unit_org, tmp_path, media_root):
    import psycopg2

    some_records(cast, unit_org)
    some_files()
    archive = create_backup(output_dir=tmp_path / "backups")
    with transaction.atomic():
        source = pg_checksums(connection.connection)

    params = connection.settings_dict
    name = f"{params['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    url = f"postgres://{credentials}@{params['HOST']}:{params['PORT']}/{name}"
    try:
        done = restore_command(archive, tmp_path / "restored", database_url=url)
        assert done.returncode == 0, done.stderr
        assert "恢复完成并已核对" in done.stdout

        restored_db = psycopg2.connect(url)
        try:
            restored = pg_checksums(restored_db)
            assert restored == source
            assert source["projects_project"]["rows"] == 2 and source["projects_enrollment"]["rows"] == 1
            # The comparison can fail: one changed value in one row.
            restored_db.rollback()
            restored_db.cursor().execute("UPDATE projects_project SET title = title || '.' WHERE sequence = 1")
            changed = pg_checksums(restored_db)
            assert [t for t in source if source[t] != changed[t]] == ["projects_project"]
        finally:
            restored_db.close()
        files = media_checksums(Path(media_root))
        assert len(files) == 3 and media_checksums(tmp_path / "restored" / "media") == files

        refused = restore_command(archive, tmp_path / "again", database_url=url)
        assert refused.returncode != 0 and "目标数据库不是空的" in refused.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- refusals ------------------------------------------------------------------------------------


def rewritten(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` with its members passed through ``change(name, data) -> [(name, data)]``."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers() if m.isfile()]
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members:
            for new_name, new_data in change(name, data):
                info = tarfile.TarInfo(new_name)
                info.size = len(new_data)
                tar.addfile(info, io.BytesIO(new_data))
    return out


def truncated(archive, out):
    out.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return out


def flipped(archive, out):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    return out


def altered_file(archive, out):
    return rewritten(archive, out, lambda n, d: [(n, d + b"!" if n == "media/top.txt" else d)])


def altered_database(archive, out):
    return rewritten(archive, out, lambda n, d: [(n, d[:-1] + bytes([d[-1] ^ 1]) if n.startswith("database/") else d)])


def added(name: str, data: bytes):
    """A member added after the manifest."""
    return lambda n, d: [(n, d), *([(name, data)] if n == "manifest.json" else [])]


def extra_member(archive, out):
    return rewritten(archive, out, added("media/planted.html", b"<script>"))


def escaping_member(archive, out):
    return rewritten(archive, out, added("../outside.txt", b"x"))


def manifest_missing(archive, out):
    return rewritten(archive, out, lambda n, d: [] if n == "manifest.json" else [(n, d)])


def not_a_backup(archive, out):
    out.write_bytes(gzip.compress(b"just some text"))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "damage",
    [truncated, flipped, altered_file, altered_database, extra_member, escaping_member, manifest_missing, not_a_backup],
)
def test_a_damaged_archive_is_refused_before_anything_is_written(bare_archive, tmp_path, media_root, damage):
    """Even with --force: the archive is checked whole before the database or the media folder is touched."""
    bad = damage(bare_archive, tmp_path / "bad.tar.gz")
    Path(media_root).mkdir(parents=True, exist_ok=True)
    (Path(media_root) / "mine.txt").write_text("现有附件")
    tables_before = media_before = None
    if ON_POSTGRES:
        with transaction.atomic():
            tables_before = pg_checksums(connection.connection)
    media_before = media_checksums(Path(media_root))
    siblings = set(Path(media_root).parent.iterdir())

    with pytest.raises(BackupError) as refusal:
        restore_backup(bad, force=True)
    assert "未恢复任何数据" in refusal.value.message

    assert media_checksums(Path(media_root)) == media_before
    assert set(Path(media_root).parent.iterdir()) == siblings  # no staging folder left behind
    assert not (tmp_path.parent / "outside.txt").exists()
    if ON_POSTGRES:
        with transaction.atomic():
            assert pg_checksums(connection.connection) == tables_before
    assert Round.objects.count() == 0 and Project.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRES, reason="on SQLite: in the round trip (the test database is in memory)")
def test_restore_into_a_non_empty_database_is_refused(bare_archive, media_root):
    with pytest.raises(BackupError) as refusal:
        restore_backup(bare_archive)
    assert "目标数据库不是空的" in refusal.value.message
    assert connection.introspection.table_names()  # still there


@pytest.mark.django_db
def test_an_archive_of_the_other_database_is_refused(bare_archive, tmp_path, media_root):
    other = "postgresql" if ON_SQLITE else "sqlite"

    def relabel(name, data):
        if name != "manifest.json":
            return [(name, data)]
        manifest = json.loads(data)
        manifest["database"]["vendor"] = other
        return [(name, json.dumps(manifest).encode())]

    with pytest.raises(BackupError) as refusal:
        restore_backup(rewritten(bare_archive, tmp_path / "other.tar.gz", relabel))
    assert f"这是 {other} 数据库的备份" in refusal.value.message


@pytest.mark.django_db
def test_check_reads_an_archive_without_restoring(bare_archive):
    out = io.StringIO()
    call_command("restore", str(bare_archive), check=True, stdout=out)
    assert "完整无误" in out.getvalue() and "3 个附件" in out.getvalue()


def test_the_manifest_describes_the_archive(bare_archive):
    with tarfile.open(bare_archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["file"] in names
    assert "projects.0001_initial" in manifest["database"]["migrations"]
    tables = manifest["database"]["tables"]
    assert tables["django_migrations"]["rows"] == len(manifest["database"]["migrations"]) > 50
    assert "projects_project" in tables and all(len(t["sha256"]) == 64 for t in tables.values())
    assert sorted(manifest["media"]["files"]) == [
        "activities/photos/a.png",
        "agreements/2014/协议 扫描件.pdf",
        "top.txt",
    ]
    assert {"version", "commit", "django"} <= set(manifest["app"])
    sidecar = bare_archive.with_name(bare_archive.name + ".sha256").read_text()
    assert sidecar.endswith(f"  {bare_archive.name}\n")
    assert oct(bare_archive.stat().st_mode & 0o777) == "0o600"


def test_media_on_object_storage_is_left_to_its_versioning(django_db_setup, django_db_blocker, tmp_path):
    """With S3-compatible media (here any storage that is not the file system) the archive holds no media."""
    object_storage = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with django_db_blocker.unblock(), override_settings(STORAGES=object_storage):
        default_storage.save("scans/a.pdf", ContentFile(b"%PDF-1.4"))
        archive = create_backup(output_dir=tmp_path)
    with tarfile.open(archive, "r:gz") as tar:
        assert not [name for name in tar.getnames() if name.startswith("media/")]
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["media"]["files"] == {}
    assert "对象存储的版本控制" in manifest["media"]["skipped"]
    assert manifest["media"]["storage"].endswith("InMemoryStorage")
