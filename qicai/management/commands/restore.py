from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qicai.backup import BackupError, check_archive, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into an empty database and media folder, then "
        "verify every table and file against the archive's manifest. --check only verifies the archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?", type=Path, help="var/backups/qicai-YYYYMMDD-HHMMSS.tar.gz")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore over a database that is not empty (its tables are dropped; an SQLite file and the "
            "media folder are kept aside).",
        )
        parser.add_argument("--check", action="store_true", help="Only check the archive; restore nothing.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args, archive=None, force=False, check=False, database="default", verbosity=1, **options):
        if archive is None:
            raise CommandError(_("请指定备份文件：make restore FILE=var/backups/qicai-YYYYMMDD-HHMMSS.tar.gz"))
        log = self.stdout.write if verbosity else (lambda message: None)
        try:
            if check:
                manifest = check_archive(archive)
                tables = manifest["database"]["tables"]
                self.stdout.write(
                    _(
                        "备份 %(path)s 完整无误：%(vendor)s 数据库 %(tables)d 张表 %(rows)d 行，%(files)d 个附件，"
                        "版本 %(commit)s，备份于 %(at)s。"
                    )
                    % {
                        "path": archive,
                        "vendor": manifest["database"]["vendor"],
                        "tables": len(tables),
                        "rows": sum(t["rows"] for t in tables.values()),
                        "files": len(manifest["media"]["files"]),
                        "commit": manifest["app"].get("commit", "?")[:12],
                        "at": manifest["created_at"],
                    }
                )
                return
            report = restore_backup(archive, using=database, force=force, log=log)
        except BackupError as error:
            raise CommandError(error.message) from None
        for note in report.notes:
            self.stdout.write(note)
        if not report.ok:
            raise CommandError(
                _("恢复后的数据与备份清单不一致：\n%(problems)s") % {"problems": "\n".join(report.problems)}
            )
        tables = report.manifest["database"]["tables"]
        self.stdout.write(
            self.style.SUCCESS(
                _("恢复完成并已核对：%(tables)d 张表 %(rows)d 行、%(files)d 个附件与备份清单一致。")
                % {
                    "tables": len(tables),
                    "rows": sum(t["rows"] for t in tables.values()),
                    "files": len(report.manifest["media"]["files"]),
                }
            )
        )
