"""`python manage.py backup [--output FILE_OR_FOLDER]`: database and kept files in one archive,
encrypted for BACKUP_AGE_RECIPIENTS; then archives in BACKUP_DIR older than BACKUP_KEEP_DAYS
are removed (never the newest)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_dir, make_backup, prune_backups


class Command(BaseCommand):
    help = "Säkerhetskopiera databasen och de sparade filerna till en (krypterad) tar-fil."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="fil eller mapp (standard: BACKUP_DIR)")

    def handle(self, *args, output=None, **options):
        try:
            manifest = make_backup(output or backup_dir())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["figures"].values())
        self.stdout.write(
            f"Säkerhetskopia: {manifest['path']} ({manifest['engine']}, "
            f"{'krypterad' if manifest['encrypted'] else 'OKRYPTERAD'}, "
            f"{len(manifest['figures'])} tabeller, {rows} rader, {len(manifest['files'])} filer)"
        )
        if output is None:
            for removed in prune_backups(backup_dir(), settings.BACKUP_KEEP_DAYS):
                self.stdout.write(
                    f"Borttagen (äldre än {settings.BACKUP_KEEP_DAYS} dagar): {removed}"
                )
