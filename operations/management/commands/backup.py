"""`python manage.py backup [--output FILE_OR_FOLDER]`: database and kept files in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_dir, make_backup


class Command(BaseCommand):
    help = "Säkerhetskopiera databasen och de sparade filerna till en tar-fil."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="fil eller mapp (standard: BACKUP_DIR)")

    def handle(self, *args, output=None, **options):
        try:
            manifest = make_backup(output or backup_dir())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Säkerhetskopia: {manifest['path']} ({manifest['engine']}, "
            f"{len(manifest['files'])} filer)"
        )
