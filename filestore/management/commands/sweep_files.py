"""Remove kept files that no row names: an import whose worker died before its rows committed
leaves its upload behind (the database rolled the rows back). Run before each backup by
statsbidrag-backup.service; files younger than SWEEP_FILES_AFTER_HOURS are left alone (an
import may be running)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from filestore.store import sweep_unnamed_files


class Command(BaseCommand):
    help = "Tar bort sparade filer som ingen rad i databasen pekar på (efter avbrutna inläsningar)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=None,
            help="Bara filer äldre än så här många timmar (standard SWEEP_FILES_AFTER_HOURS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Visa bara vad som skulle tas bort."
        )

    def handle(self, *args, hours, dry_run, **options):
        hours = settings.SWEEP_FILES_AFTER_HOURS if hours is None else hours
        removed = sweep_unnamed_files(older_than=datetime.timedelta(hours=hours), dry_run=dry_run)
        verb = "skulle tas bort" if dry_run else "borttagna"
        for name in removed:
            self.stdout.write(f"{verb}: {name}")
        self.stdout.write(f"{len(removed)} filer utan rad {verb} (äldre än {hours:g} timmar).")
