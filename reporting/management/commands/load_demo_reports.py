"""Load the demo state grants of 2021 and the region's details (fixtures/reporting/), and the
agreements' decisions and reporting requirements (fixtures/reporting/agreements/)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from reporting.demo import load_agreement_texts, load_report_details, load_state_grants
from reporting.models import StateGrantYear

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "reporting"


class Command(BaseCommand):
    help = (
        "Läser in regionens uppgifter, överenskommelsernas diarienummer och demons "
        "statsbidrag för 2021."
    )

    def handle(self, *args, **options):
        details = json.loads((DEMO_DIR / "report-details.json").read_text(encoding="utf-8"))
        for what in load_report_details(details):
            self.stdout.write(f"{what}: rapportuppgifter ifyllda (exempelvärden markerade).")
        for path in sorted(DEMO_DIR.glob("statsbidrag-*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if StateGrantYear.objects.filter(year=data["year"]).exists():
                self.stdout.write(f"Statsbidrag {data['year']} finns redan, lämnas orörda.")
                continue
            grant_year = load_state_grants(data)
            self.stdout.write(self.style.SUCCESS(f"{grant_year}: inläst."))
        # Per agreement: the region's decision (metadata, conditions) and what it asks to be
        # reported on.
        for path in sorted((DEMO_DIR / "agreements").glob("*.json")):
            agreement = load_agreement_texts(json.loads(path.read_text(encoding="utf-8")))
            if agreement is not None:
                self.stdout.write(self.style.SUCCESS(f"Beslut och återrapportering: {agreement}"))
