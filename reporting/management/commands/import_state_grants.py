"""Read a year's state grants into the register from CSV or XLSX, as the register page does."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from allocations.importing import ImportFileError
from reporting.actions import RegisterError, do_import_state_grants
from reporting.register import read_register_file


class Command(BaseCommand):
    help = "Läser in ett års statsbidrag till registret från en CSV- eller XLSX-fil."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, file, year, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Filen {file} finns inte.")
        try:
            grants = read_register_file(path.read_bytes(), path.name)
            created = do_import_state_grants(year, grants, acting_user=None)
        except (ImportFileError, RegisterError) as refused:
            raise CommandError("Filen lästes inte in:\n" + "\n".join(refused.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{len(created)} statsbidrag inlästa för {year}."))
