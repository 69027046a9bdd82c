"""Fetch the population per county on a date from SCB's statistics API and keep it as key data.

    python manage.py fetch_scb --date 2023-11-01 [--name "Befolkning 2023-11-01"] [--dry-run]
        [--per-kommun]

With --per-kommun SCB is asked for the 290 municipalities (vs:RegionKommun07): each one's
population is kept with the set, and the set's county values are their sums per county.

Needs the server to reach api.scb.se (or SCB_API_URL); where it cannot, download the table
from SCB's Statistikdatabasen and read it in on the key data page instead.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from allocations import scb
from allocations.actions import KeyDataExists, counties, do_fetch_population


class Command(BaseCommand):
    help = "Hämtar folkmängden per län från SCB (tabell BE0101A/BefolkManad) som nyckeldata."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="Referensdatum, t.ex. 2023-11-01.")
        parser.add_argument("--name", default="", help="Namn (standard: ”Befolkning DATUM”).")
        parser.add_argument("--dry-run", action="store_true", help="Hämta och visa, spara inget.")
        parser.add_argument(
            "--per-kommun",
            action="store_true",
            dest="per_municipality",
            help="Hämta folkmängden per kommun (summeras per län).",
        )

    def handle(self, *args, date, name="", dry_run=False, per_municipality=False, **options):
        try:
            reference_date = datetime.date.fromisoformat(date)
        except ValueError as exc:
            raise CommandError(f"--date ska vara ett datum ÅÅÅÅ-MM-DD, inte ”{date}”.") from exc
        try:
            if dry_run:
                population, url = scb.fetch_population(reference_date, list(counties()))
                for code, value in population.values.items():
                    self.stdout.write(f"{code};{value}")
                total = sum(population.values.values())
                self.stdout.write(f"Summa {total} ({population.period}, {url}); inget sparat.")
                return
            dataset = do_fetch_population(
                reference_date, name=name, per_municipality=per_municipality
            )
        except (scb.ScbError, KeyDataExists) as exc:
            raise CommandError(str(exc)) from exc
        values = [v.value for v in dataset.columns.get().values.all()]
        kommuner = dataset.municipality_values.count()
        self.stdout.write(
            f"Nyckeldata ”{dataset}” har sparats: {len(values)} län, summa {sum(values)}"
            + (f", {kommuner} kommuner." if kommuner else ".")
        )
