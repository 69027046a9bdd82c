"""Load the demo distributions inside the region (fixtures/distribution/)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from allocations.models import DecidedAmount
from distribution.actions import DistributionError
from distribution.demo import load_distribution_setup
from distribution.models import Activity

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "distribution"


class Command(BaseCommand):
    help = "Läser in demons fördelning inom regionen (2020 och 2023)."

    def handle(self, *args, **options):
        for path in sorted(DEMO_DIR.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            already = Activity.objects.filter(area__agreement__slug=data["agreement"]).exists() or (
                not data.get("areas")
                and DecidedAmount.objects.filter(
                    component__agreement__slug=data["agreement"],
                    region__county_code=settings.OWN_REGION_CODE,
                ).exists()
            )
            if already:
                self.stdout.write(f"{path.name}: aktiviteter finns redan, lämnas orörda.")
                continue
            try:
                agreement = load_distribution_setup(data)
            except DistributionError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"{agreement}: fördelning inom regionen inläst."))
