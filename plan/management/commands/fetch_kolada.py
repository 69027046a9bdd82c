"""Fetch the values of the plan's measures and the agreements' indicators from the Kolada API
and import them with the same parser and action as an uploaded file.

    python manage.py fetch_kolada [--plan ID] [--years 2021,2022,2023] [--dry-run]

Needs the server to reach api.kolada.se; where it cannot, save the file from kolada.se and
upload it on the plan's page instead.
"""

import json
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from plan.actions import do_import_kolada
from plan.kolada import parse_kolada
from plan.models import Indicator, Plan

API = "https://api.kolada.se/v2/data/kpi/{kpi}/municipality/{municipalities}/year/{years}"
TIMEOUT_SECONDS = 30


def fetch_url(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        return response.read()


def fetch_all(url: str) -> bytes:
    """Every page of a Kolada answer joined into one ``{"values": [...]}`` document."""
    values = []
    while url:
        data = json.loads(fetch_url(url))
        values.extend(data.get("values", []))
        url = data.get("next_page")
    return json.dumps({"values": values}).encode()


class Command(BaseCommand):
    help = "Hämtar värden för planens nyckeltal från Kolada och läser in dem."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, help="Planens id (utan: den enda planen).")
        parser.add_argument("--years", default="", help="År åtskilda med komma, t.ex. 2022,2023.")
        parser.add_argument("--dry-run", action="store_true", help="Läs men spara inget.")

    def handle(self, *args, plan=None, years="", dry_run=False, **options):
        plans = Plan.objects.filter(pk=plan) if plan else Plan.objects.all()
        if plans.count() != 1:
            raise CommandError("Ange planen med --plan ID.")
        plan = plans.get()
        year_list = [y.strip() for y in years.split(",") if y.strip()]
        if any(not (y.isdigit() and len(y) == 4) for y in year_list):
            raise CommandError(f"--years ska vara år åtskilda med komma, inte ”{years}”.")
        municipalities = ",".join(
            plan.parties.exclude(kolada_id="").values_list("kolada_id", flat=True)
        )
        # Every indicator the import puts values on: the plan's measures and the agreements'.
        kpis = sorted(
            set(Indicator.objects.with_kolada_values(plan).values_list("kolada_kpi", flat=True))
        )
        if not kpis or not municipalities:
            raise CommandError("Inga mått med nyckeltal i Kolada, eller inga parter med Kolada-id.")
        for kpi in kpis:
            url = API.format(
                kpi=kpi,
                municipalities=municipalities,
                years=",".join(year_list) or "2018,2019,2020,2021,2022,2023,2024,2025",
            )
            try:
                content = fetch_all(url)
            except OSError as exc:
                raise CommandError(f"{kpi}: Kolada kunde inte nås ({exc}).") from exc
            parsed = parse_kolada(content)
            if parsed.problems:
                raise CommandError(f"{kpi}: " + " ".join(parsed.problems))
            if dry_run:
                self.stdout.write(f"{kpi}: {len(parsed.values)} värden (sparas inte).")
                continue
            result = do_import_kolada(
                plan, parsed.values, acting_user=None, source=f"Kolada API {kpi}"
            )
            if result.problems:
                raise CommandError(f"{kpi}: " + " ".join(result.problems))
            self.stdout.write(
                self.style.SUCCESS(
                    f"{kpi}: {result.created} nya, {result.updated} ändrade, "
                    f"{result.unchanged} oförändrade värden."
                )
            )
