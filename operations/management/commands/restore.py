"""`python manage.py restore FILE [--identity KEY]`: the database and kept files back as in
the archive, checked against the archive's figures."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Återställ databasen och de sparade filerna från en säkerhetskopia (ersätter allt)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--identity", type=Path, help="regionens privata age-nyckel")
        parser.add_argument("--no-input", action="store_false", dest="interactive")

    def handle(self, *args, file, identity=None, interactive=True, **options):
        if interactive:
            answer = input(
                f"Allt i databasen ersätts med innehållet i {file}. Skriv 'ja' för att fortsätta: "
            )
            if answer.strip().lower() != "ja":
                raise CommandError("Avbrutet; inget har ändrats.")
        try:
            manifest = restore_backup(file, identity=identity)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        figures = manifest.get("figures")
        checked = (
            f", {len(figures)} tabeller och {sum(t['rows'] for t in figures.values())} rader "
            "som i kopian"
            if figures is not None
            else ""
        )
        self.stdout.write(
            f"Återställt från {file}: databasen ({manifest['engine']}, säkerhetskopia "
            f"{manifest['created']}{checked}) och {len(manifest['files'])} filer."
        )
