"""Load the demo agreements from fixtures/agreements/; agreements already there are kept."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grants.actions import AgreementImportError, do_import_agreement
from grants.models import Agreement

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "agreements"


class Command(BaseCommand):
    help = "Läser in demoöverenskommelserna (God och nära vård 2020, 2021 och 2023)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="JSON-filer; standard: fixtures/agreements/")

    def handle(self, *args, files, **options):
        paths = [Path(f) for f in files] or sorted(DEMO_DIR.glob("*.json"))
        for path in paths:
            data = json.loads(path.read_text(encoding="utf-8"))
            if Agreement.objects.filter(slug=data.get("slug")).exists():
                self.stdout.write(f"{data.get('short_name')}: finns redan, lämnas orörd.")
                continue
            try:
                agreement = do_import_agreement(data)
            except AgreementImportError as exc:
                raise CommandError(f"{path.name}:\n{exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"{agreement}: inläst."))
