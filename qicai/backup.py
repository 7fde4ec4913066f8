"""Backups that restore: the database and the uploaded files in one dated archive, checked by a manifest.

``create_backup`` writes ``var/backups/qicai-YYYYMMDD-HHMMSS.tar.gz`` (and a ``.sha256`` beside it for
``sha256sum -c``) holding:

- ``manifest.json``: the app's version and git commit, the database vendor and server version, the
  applied migrations, and for every table its row count and a SHA-256 over its rows in primary-key
  order; for every media file its size and SHA-256;
- ``database/db.pgdump`` on PostgreSQL: ``pg_dump --format=custom``, taken in the same REPEATABLE READ
  snapshot the table checksums are computed in (``pg_export_snapshot`` / ``--snapshot``), so the
  manifest describes exactly the dump even while the app keeps writing;
- ``database/db.sqlite3`` on SQLite: a copy made by SQLite's online backup API, a consistent snapshot
  of the whole file (schema, indexes, ``sqlite_sequence``, the migrations table) taken page by page
  while the app may be writing. ``dumpdata`` was not chosen: it leaves out what has no model (the
  migrations table, the id sequences), needs the content types and permissions rebuilt to match, and
  loads back through models and signals; the file copy restores byte for byte;
- ``media/…``: every file under ``MEDIA_ROOT`` when the default storage is the file system. Media on
  S3-compatible object storage is not copied: the bucket is protected by the object store's own
  versioning (and replication), and the manifest says the media was skipped.

``restore_backup`` first reads the whole archive into a staging folder and checks every member
against the manifest (a truncated or altered archive is refused before anything is written), then
restores into an empty database only (``force`` drops what is there; on SQLite the old file and on
both the old media folder are kept aside), then recomputes every checksum and compares.

Row checksums are computed the same way on both sides of one vendor: on PostgreSQL each row's text
form (``row::text`` under UTC, ISO dates, hex bytea), ordered by the primary key in byte order; on
SQLite each row's stored values as read without type conversion. Messages are in Chinese.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "qicai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database/db.sqlite3"
PG_FILE = "database/db.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20
# libpq connection parameters that may appear in a Django PostgreSQL ``OPTIONS``.
LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "connect_timeout",
    "application_name",
    "options",
    "service",
    "passfile",
    "target_session_attrs",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; ``message`` (Chinese) says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


Log = Callable[[str], None]


def _silent(message: str) -> None:
    pass


# -- where things are ----------------------------------------------------------------------------


def backups_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def media_root() -> Path | None:
    """The folder of the uploaded files, or None when the default storage is not the file system (S3)."""
    if not isinstance(default_storage, FileSystemStorage):
        return None
    return Path(settings.MEDIA_ROOT)


def storage_name() -> str:
    cls = default_storage.__class__  # the configured class, not the lazy wrapper's
    return f"{cls.__module__}.{cls.__qualname__}"


def app_version() -> dict:
    base = Path(settings.BASE_DIR)
    try:
        version = tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "unknown"
    commit = os.environ.get("QICAI_COMMIT", "")
    if not commit:
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=base, capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = "unknown"
    return {"version": version, "commit": commit, "django": django.get_version()}


# -- checksums -----------------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_checksums(root: Path | None) -> dict[str, dict]:
    """``{relative/posix/path: {"size", "sha256"}}`` of every regular file under ``root``."""
    files = {}
    if root is None or not root.is_dir():
        return files
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            files[relative] = {"size": path.stat().st_size, "sha256": file_digest(path)}
    return files


def _sqlite_value(value):
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, float):
        return {"real": repr(value)}
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_checksums(path_or_uri: str) -> dict[str, dict]:
    """Row counts and row checksums of every table of an SQLite database, read without type conversion."""
    uri = path_or_uri if path_or_uri.startswith("file:") else Path(path_or_uri).resolve().as_uri() + "?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        result = {}
        for table in tables:
            columns = db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
            keys = [c[1] for c in sorted((c for c in columns if c[5]), key=lambda c: c[5])]
            order = ", ".join(_quote(k) for k in keys) or ", ".join(str(i + 1) for i in range(len(columns)))
            digest, rows = hashlib.sha256(), 0
            for row in db.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}"):
                digest.update(json.dumps([_sqlite_value(v) for v in row], ensure_ascii=False).encode() + b"\n")
                rows += 1
            result[table] = {"rows": rows, "sha256": digest.hexdigest()}
        return result
    finally:
        db.close()


PG_CANONICAL_SESSION = [
    "SET LOCAL TimeZone TO 'UTC'",
    "SET LOCAL DateStyle TO 'ISO, YMD'",
    "SET LOCAL IntervalStyle TO 'postgres'",
    "SET LOCAL bytea_output TO 'hex'",
    "SET LOCAL extra_float_digits TO 1",
]
PG_TEXT_TYPES = {"text", "character varying", "character", "citext"}


def pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    return [row[0] for row in cursor.fetchall()]


def pg_checksums(connection) -> dict[str, dict]:
    """Row counts and row checksums of every table of the current schema, through a psycopg2 connection
    already in a transaction (``row::text`` under fixed output settings; ordered by the primary key,
    text keys in byte order so that a server with another default collation orders them the same)."""
    cursor = connection.cursor()
    for statement in PG_CANONICAL_SESSION:
        cursor.execute(statement)
    result = {}
    for number, table in enumerate(pg_tables(cursor)):
        cursor.execute(
            "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            [_quote(table)],
        )
        keys = cursor.fetchall()
        if keys:
            order = ", ".join(
                "t." + _quote(name) + (' COLLATE "C"' if kind in PG_TEXT_TYPES else "") for name, kind in keys
            )
        else:
            order = 't::text COLLATE "C"'
        digest, rows = hashlib.sha256(), 0
        named = connection.cursor(name=f"qicai_checksum_{number}")
        named.itersize = 5000
        named.execute(f"SELECT t::text FROM {_quote(table)} AS t ORDER BY {order}")
        for (text,) in named:
            digest.update(text.encode() + b"\n")
            rows += 1
        named.close()
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    cursor.close()
    return result


def applied_migrations(tables: set[str], read) -> list[str]:
    if "django_migrations" not in tables:
        return []
    return sorted(f"{app}.{name}" for app, name in read("SELECT app, name FROM django_migrations"))


# -- PostgreSQL binaries and connection ----------------------------------------------------------


def pg_server_major(using: str) -> int:
    connection = connections[using]
    connection.ensure_connection()
    return connection.pg_version // 10000


def pg_binary(name: str, server_major: int) -> str:
    """``pg_dump`` / ``pg_restore`` of the server's major version (a newer one will do), from
    /usr/lib/postgresql/*/bin as scripts/with-postgres.sh uses, else from PATH."""
    candidates = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        with contextlib.suppress(ValueError):
            candidates.append((int(folder.parent.name), folder / name))
    usable = sorted((v, p) for v, p in candidates if v >= server_major and p.exists())
    if usable:
        return str(usable[0][1])
    found = shutil.which(name)
    if found:
        output = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
        match = re.search(r"(\d+)(?:\.\d+)?", output)
        if match and int(match.group(1)) >= server_major:
            return found
    raise BackupError(
        _("找不到与数据库服务器（PostgreSQL %(major)d）版本相符的 %(name)s。请安装 postgresql-client-%(major)d。")
        % {"major": server_major, "name": name}
    )


def _conninfo_value(value) -> str:
    text = str(value)
    if text and not re.search(r"[\s'\\]", text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pg_conninfo(settings_dict: dict) -> tuple[str, dict]:
    """A libpq connection string for the database alias and the environment carrying its password."""
    parts = {"dbname": settings_dict["NAME"]}
    for key, option in (("USER", "user"), ("HOST", "host"), ("PORT", "port")):
        if settings_dict.get(key):
            parts[option] = settings_dict[key]
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key in LIBPQ_OPTIONS and isinstance(value, str | int):
            parts[key] = value
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return " ".join(f"{key}={_conninfo_value(value)}" for key, value in parts.items()), env


def _run(command: list[str], env: dict, what: str) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BackupError(
            _("%(what)s失败（退出码 %(code)d）：%(error)s")
            % {"what": what, "code": completed.returncode, "error": completed.stderr.strip()[-2000:]}
        )


# -- backup --------------------------------------------------------------------------------------


def _archive_path(output_dir: Path) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = output_dir / f"qicai-{stamp}.tar.gz"
    counter = 2
    while path.exists():
        path = output_dir / f"qicai-{stamp}-{counter}.tar.gz"
        counter += 1
    return path


def _dump_sqlite(using: str, target: Path) -> dict:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("不能在事务中备份数据库。"))
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    tables = sqlite_checksums(str(target))
    db = sqlite3.connect(target)
    try:
        migrations = applied_migrations(set(tables), lambda sql: db.execute(sql).fetchall())
    finally:
        db.close()
    return {
        "format": "sqlite-online-backup",
        "server_version": sqlite3.sqlite_version,
        "tables": tables,
        "migrations": migrations,
    }


def _dump_postgresql(using: str, target: Path) -> dict:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("不能在事务中备份数据库。"))
    major = pg_server_major(using)
    pg_dump = pg_binary("pg_dump", major)
    conninfo, env = pg_conninfo(connection.settings_dict)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        # pg_dump reads the very snapshot this transaction holds, so the checksums below describe it.
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={conninfo}"],
            env,
            _("pg_dump 备份数据库"),
        )
        tables = pg_checksums(connection.connection)
        migrations = applied_migrations(set(tables), lambda sql: (cursor.execute(sql), cursor.fetchall())[1])
    return {
        "format": "pg_dump-custom",
        "server_version": server_version,
        "tables": tables,
        "migrations": migrations,
    }


def create_backup(*, using: str = "default", output_dir: Path | None = None, log: Log = _silent) -> Path:
    """Write one dated archive of the database and the media files; return its path."""
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("不支持备份 %(vendor)s 数据库。") % {"vendor": vendor})
    output_dir = Path(output_dir or backups_dir())
    output_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        output_dir.chmod(0o700)  # the archives hold personal data
    archive = _archive_path(output_dir)
    partial = archive.with_name(archive.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".staging-") as staging:
        staging = Path(staging)
        member = SQLITE_FILE if vendor == "sqlite" else PG_FILE
        dump = staging / Path(member).name
        log(_("正在备份数据库（%(vendor)s）……") % {"vendor": vendor})
        database = _dump_sqlite(using, dump) if vendor == "sqlite" else _dump_postgresql(using, dump)
        root = media_root()
        if root is None:
            media = {
                "storage": storage_name(),
                "skipped": _("附件存放在对象存储中，由对象存储的版本控制负责备份，本备份不含附件。"),
                "files": {},
            }
            log(media["skipped"])
        else:
            log(_("正在备份附件（%(root)s）……") % {"root": root})
            media = {"storage": storage_name(), "files": media_checksums(root)}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "app": app_version(),
            "database": {
                "vendor": vendor,
                "file": member,
                "size": dump.stat().st_size,
                "sha256": file_digest(dump),
                **database,
            },
            "media": media,
        }
        old_umask = os.umask(0o077)
        try:
            with tarfile.open(partial, "w:gz") as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, arcname=member, recursive=False)
                for relative in media["files"]:
                    tar.add(root / relative, arcname=MEDIA_PREFIX + relative, recursive=False)
            digest = file_digest(partial)
            os.replace(partial, archive)
            archive.with_name(archive.name + ".sha256").write_text(f"{digest}  {archive.name}\n")
        finally:
            os.umask(old_umask)
            partial.unlink(missing_ok=True)
    tables = manifest["database"]["tables"]
    log(
        _("备份完成：%(path)s（%(tables)d 张表，%(rows)d 行；%(files)d 个附件）")
        % {
            "path": archive,
            "tables": len(tables),
            "rows": sum(t["rows"] for t in tables.values()),
            "files": len(media["files"]),
        }
    )
    return archive


# -- reading an archive --------------------------------------------------------------------------


@dataclass
class Staged:
    manifest: dict
    folder: Path

    @property
    def database_file(self) -> Path:
        return self.folder / self.manifest["database"]["file"]

    @property
    def media_folder(self) -> Path:
        return self.folder / MEDIA_PREFIX.rstrip("/")


def _damaged(reason: str) -> BackupError:
    return BackupError(
        _("备份文件已损坏或不完整（%(reason)s），未恢复任何数据。请换用另一份备份，或重新备份。") % {"reason": reason}
    )


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


@contextlib.contextmanager
def staged_archive(archive: Path, *, staging_parent: Path | None = None) -> Iterator[Staged]:
    """Unpack ``archive`` into a temporary folder and check every member against the manifest.

    Raises BackupError (nothing restored) for a file that is not a backup, is truncated or altered,
    or holds anything the manifest does not list. The folder is removed afterwards.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": archive})
    sidecar = archive.with_name(archive.name + ".sha256")
    if sidecar.is_file() and sidecar.read_text().split()[:1] != [file_digest(archive)]:
        raise _damaged(_("与 %(name)s 中记录的校验和不符") % {"name": sidecar.name})
    parent = staging_parent or archive.parent
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=parent, prefix=".qicai-restore-"))
    try:
        try:
            # The whole compressed stream first: its CRC catches damage anywhere, even after the last member.
            with gzip.open(archive, "rb") as stream:
                while stream.read(CHUNK):
                    pass
            with tarfile.open(archive, "r:gz") as tar:
                members = tar.getmembers()
                names = [m.name for m in members]
                if MANIFEST not in names:
                    raise _damaged(_("缺少 manifest.json"))
                for member in members:
                    if not _safe_member(member.name) or not (member.isfile() or member.isdir()):
                        raise _damaged(_("含有不安全的条目 %(name)s") % {"name": member.name})
                tar.extractall(folder, filter="data")
        except BackupError:
            raise
        except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
            raise _damaged(str(error) or type(error).__name__) from None
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
            if manifest.get("format") != FORMAT:
                raise ValueError(_("不是七彩工程的备份"))
            if manifest.get("format_version") != FORMAT_VERSION:
                raise ValueError(_("备份格式版本 %(v)s 不受支持") % {"v": manifest.get("format_version")})
            database = manifest["database"]
            expected = {database["file"]: database["sha256"]}
            expected.update(
                {MEDIA_PREFIX + name: entry["sha256"] for name, entry in manifest["media"]["files"].items()}
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise _damaged(_("manifest.json 无法读取：%(error)s") % {"error": error}) from None
        present = {name for name in names if name != MANIFEST and (folder / name).is_file()}
        if present - set(expected):
            raise _damaged(_("含有清单之外的文件 %(name)s") % {"name": sorted(present - set(expected))[0]})
        for name, digest in expected.items():
            path = folder / name
            if not path.is_file():
                raise _damaged(_("缺少 %(name)s") % {"name": name})
            if file_digest(path) != digest:
                raise _damaged(_("%(name)s 的校验和不符") % {"name": name})
        yield Staged(manifest=manifest, folder=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- restore -------------------------------------------------------------------------------------


@dataclass
class Report:
    manifest: dict
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sqlite_path(using: str) -> Path:
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("不能恢复到内存数据库。"))
    return Path(name)


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return [
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
    finally:
        db.close()


def database_tables(using: str) -> list[str]:
    """The tables the target database already has (an empty database has none)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        return _sqlite_tables(_sqlite_path(using))
    with connection.cursor() as cursor:
        return pg_tables(cursor)


def _not_empty(tables: list[str]) -> BackupError:
    return BackupError(
        _(
            "目标数据库不是空的（已有 %(count)d 张表），没有恢复。请恢复到新建的空数据库；"
            "确需覆盖现有数据时加 FORCE=1（manage.py restore --force），覆盖前请先备份现有数据。"
        )
        % {"count": len(tables)}
    )


def _aside(path: Path) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.before-restore-{stamp}")


def _restore_sqlite(using: str, staged: Staged, force: bool, report: Report) -> None:
    target = _sqlite_path(using)
    connections[using].close()
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    shutil.copyfile(staged.database_file, incoming)
    if _sqlite_tables(target):
        if not force:
            incoming.unlink()
            raise _not_empty(_sqlite_tables(target))
        kept = _aside(target)
        old, copy = sqlite3.connect(target), sqlite3.connect(kept)
        try:
            old.backup(copy)  # a consistent copy, write-ahead log included
        finally:
            old.close()
            copy.close()
        report.notes.append(_("原数据库已另存为 %(path)s。") % {"path": kept})
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(incoming, target)


def _restore_postgresql(using: str, staged: Staged, force: bool, report: Report) -> None:
    connection = connections[using]
    tables = database_tables(using)
    if tables:
        if not force:
            raise _not_empty(tables)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(_quote(t) for t in tables) + " CASCADE")
            cursor.execute(
                "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('S', 'v', 'm')"
            )
            kinds = {"S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
            for name, kind in cursor.fetchall():
                cursor.execute(f"DROP {kinds[kind]} IF EXISTS {_quote(name)} CASCADE")
        report.notes.append(_("已删除目标数据库中原有的 %(count)d 张表。") % {"count": len(tables)})
    pg_restore = pg_binary("pg_restore", pg_server_major(using))
    conninfo, env = pg_conninfo(connection.settings_dict)
    connection.close()
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(staged.database_file),
        ],
        env,
        _("pg_restore 恢复数据库"),
    )


def _restore_media(staged: Staged, force: bool, report: Report) -> None:
    media = staged.manifest["media"]
    root = media_root()
    if media.get("skipped"):
        report.notes.append(_("备份不含附件（附件存放在对象存储中），附件未恢复。"))
        return
    if root is None:
        report.problems.append(_("当前配置的附件存储不是本地文件夹，备份中的附件未恢复。"))
        return
    if root.exists() and any(root.iterdir()):
        kept = _aside(root)
        os.replace(root, kept)
        report.notes.append(_("原附件文件夹已另存为 %(path)s。") % {"path": kept})
    elif root.exists():
        root.rmdir()
    root.parent.mkdir(parents=True, exist_ok=True)
    source = staged.media_folder
    if source.is_dir():
        try:
            os.replace(source, root)
        except OSError:  # another file system: copy instead of moving
            shutil.copytree(source, root)
    else:
        root.mkdir()


def _media_busy(force: bool) -> None:
    root = media_root()
    if root is not None and root.exists() and any(root.iterdir()) and not force:
        raise BackupError(
            _(
                "附件文件夹 %(root)s 不是空的，没有恢复。请恢复到空的附件文件夹；"
                "确需覆盖时加 FORCE=1（原文件夹会另存）。"
            )
            % {"root": root}
        )


def verify(manifest: dict, *, using: str = "default") -> list[str]:
    """Compare the database and media files with the manifest; return the differences (none: equal)."""
    problems = []
    vendor = connections[using].vendor
    if vendor == "sqlite":
        actual = sqlite_checksums(str(_sqlite_path(using)))
    else:
        connection = connections[using]
        with transaction.atomic(using=using):
            actual = pg_checksums(connection.connection)
    expected = manifest["database"]["tables"]
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table), actual.get(table)
        if have is None:
            problems.append(_("缺少数据表 %(table)s。") % {"table": table})
        elif want is None:
            problems.append(_("多出数据表 %(table)s。") % {"table": table})
        elif want["rows"] != have["rows"]:
            problems.append(
                _("数据表 %(table)s 应有 %(want)d 行，实有 %(have)d 行。")
                % {"table": table, "want": want["rows"], "have": have["rows"]}
            )
        elif want["sha256"] != have["sha256"]:
            problems.append(_("数据表 %(table)s 的内容校验和不符。") % {"table": table})
    media = manifest["media"]
    root = media_root()
    if not media.get("skipped") and root is not None:
        actual_files = media_checksums(root)
        for name in sorted(set(media["files"]) | set(actual_files)):
            want, have = media["files"].get(name), actual_files.get(name)
            if have is None:
                problems.append(_("缺少附件 %(name)s。") % {"name": name})
            elif want is None:
                problems.append(_("多出附件 %(name)s。") % {"name": name})
            elif want["sha256"] != have["sha256"]:
                problems.append(_("附件 %(name)s 的校验和不符。") % {"name": name})
    return problems


def check_archive(archive: Path) -> dict:
    """Read and check an archive without restoring anything; return its manifest."""
    with staged_archive(archive, staging_parent=Path(tempfile.gettempdir())) as staged:
        return staged.manifest


def restore_backup(archive: Path, *, using: str = "default", force: bool = False, log: Log = _silent) -> Report:
    """Restore ``archive`` into the (empty) database and media folder, then verify against its manifest."""
    vendor = connections[using].vendor
    root = media_root()
    staging_parent = root.parent if root is not None else Path(settings.VAR_DIR)
    with staged_archive(Path(archive), staging_parent=staging_parent) as staged:
        manifest = staged.manifest
        report = Report(manifest=manifest)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                _("这是 %(source)s 数据库的备份，不能恢复到 %(target)s 数据库。")
                % {"source": manifest["database"]["vendor"], "target": vendor}
            )
        tables = database_tables(using)
        if tables and not force:
            raise _not_empty(tables)
        _media_busy(force)
        log(_("备份 %(path)s 完整无误，正在恢复数据库……") % {"path": archive})
        if vendor == "sqlite":
            _restore_sqlite(using, staged, force, report)
        else:
            _restore_postgresql(using, staged, force, report)
        log(_("正在恢复附件……"))
        _restore_media(staged, force, report)
    log(_("正在核对恢复结果……"))
    report.problems.extend(verify(manifest, using=using))
    if manifest["app"].get("commit") != app_version()["commit"]:
        report.notes.append(
            _("备份来自另一版本（%(commit)s）；如代码更新，请接着运行 manage.py migrate。")
            % {"commit": manifest["app"].get("commit", "?")[:12]}
        )
    return report
