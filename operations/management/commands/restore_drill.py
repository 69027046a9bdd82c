"""`python manage.py restore_drill FILE [--identity KEY] [--database NAME]`: the restore drill.
Restores the archive into a scratch database (PostgreSQL: <name>_ovning, made if the role may,
else made empty by postgres first), never the app's own, and prints its tables, rows, sums and
files, each checked against the archive. Exit status 1 when anything differs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, restore_drill


class Command(BaseCommand):
    help = "Återställningsövning: återställ en kopia i en övningsdatabas och visa vad den har."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--identity", type=Path, help="regionens privata age-nyckel")
        parser.add_argument("--database", help="övningsdatabasens namn (standard: <namn>_ovning)")

    def handle(self, *args, file, identity=None, database=None, **options):
        try:
            result = restore_drill(file, identity=identity, database=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        figures = result["figures"]
        self.stdout.write(f"Övning: {file} (tagen {result['created']}) i {result['database']}")
        for table, figure in figures.items():
            if figure["rows"]:
                sums = ", ".join(f"{k}={v}" for k, v in figure["sums"].items() if v != "0")
                self.stdout.write(
                    f"  {table}: {figure['rows']} rader" + (f"; {sums}" if sums else "")
                )
        self.stdout.write(
            f"Tabeller: {len(figures)}, rader: {sum(f['rows'] for f in figures.values())}, "
            f"filer: {result['files']} ({result['file_bytes']} byte)"
        )
        if result["problems"]:
            raise CommandError("Övningen hittade skillnader: " + "; ".join(result["problems"]))
        self.stdout.write("Allt stämmer med säkerhetskopian.")
