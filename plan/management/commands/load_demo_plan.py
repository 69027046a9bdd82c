"""Load the demo joint plan (fixtures/plan/): Bilaga 1 of seed 002 whole, the agreement's
indicators, example values for three indicators and links to the 2023 distribution."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plan.actions import PlanError
from plan.demo import load_plan_setup
from plan.models import Plan

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "plan"


class Command(BaseCommand):
    help = "Läser in demons gemensamma plan för primärvårdsnivå med handlingsplan och indikatorer."

    def handle(self, *args, **options):
        for path in sorted(DEMO_DIR.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if Plan.objects.filter(name=data["plan"]["name"]).exists():
                self.stdout.write(f"{path.name}: planen finns redan, lämnas orörd.")
                continue
            try:
                plan = load_plan_setup(data)
            except PlanError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"{plan}: inläst."))
