"""Check the ledger's kept monthly totals against its rows, and make them right with --repair."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from followup.month_totals import differences, refresh_month_totals


class Command(BaseCommand):
    help = (
        "Jämför huvudbokens sparade månadssummor med raderna; --repair räknar om dem "
        "(efter en ändring i databasen utanför appen)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="räkna om alla månadssummor")

    def handle(self, *args, repair=False, **options):
        if repair:
            with transaction.atomic():
                refresh_month_totals(Q())
        wrong = differences()
        if wrong:
            for key, kept, summed in wrong[:20]:
                self.stderr.write(f"{key}: sparad {kept}, raderna {summed}")
            raise CommandError(
                f"{len(wrong)} månadssummor stämmer inte med raderna; kör med --repair."
            )
        self.stdout.write(self.style.SUCCESS("Månadssummorna stämmer med huvudbokens rader."))
