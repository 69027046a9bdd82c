"""Load the demo key data, allocation rules and decided amounts (fixtures/allocations/)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from allocations.demo import load_allocation_setup, rules_exist
from allocations.importing import ImportFileError

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "allocations"


class Command(BaseCommand):
    help = "Läser in demons nyckeldata, fördelningsregler och beslutade belopp."

    def handle(self, *args, **options):
        for path in sorted(DEMO_DIR.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if rules_exist(data["agreement"]):
                self.stdout.write(f"{path.name}: regler finns redan, lämnas orörda.")
                continue
            try:
                agreement = load_allocation_setup(data, path.parent)
            except ImportFileError as exc:
                raise CommandError(f"{path.name}:\n{exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"{agreement}: fördelning inläst."))
