from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qicai.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, SQLite's online backup on SQLite) and the media files "
        "into one dated archive under var/backups/ with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Folder for the archive (default: var/backups/).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args, output=None, database="default", verbosity=1, **options):
        log = self.stdout.write if verbosity else (lambda message: None)
        try:
            archive = create_backup(using=database, output_dir=output, log=log)
        except BackupError as error:
            raise CommandError(error.message) from None
        if not verbosity:
            self.stdout.write(str(archive))
