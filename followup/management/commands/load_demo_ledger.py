"""Import a generated year of ledger outcome for the 2023 demo agreement."""

from django.core.management.base import BaseCommand, CommandError

from followup.actions import LedgerImportError
from followup.demo import load_demo_ledger
from followup.models import LedgerTransaction
from grants.models import Agreement


class Command(BaseCommand):
    help = "Läser in en genererad huvudbok för 2023 på objekten 9916, 9917, 9942 och 9943."

    def handle(self, *args, **options):
        agreement = Agreement.objects.filter(slug="god-och-nara-vard-2023").first()
        if agreement is None:
            raise CommandError("Demoöverenskommelsen 2023 saknas; kör load_demo först.")
        if LedgerTransaction.objects.filter(year=agreement.year).exists():
            self.stdout.write("Utfall för 2023 finns redan, lämnas orört.")
            return
        try:
            record = load_demo_ledger(agreement)
        except LedgerImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Huvudbok 2023: {record.rows_kept} rader på statsbidragsobjekt, "
                f"{record.rows_ignored} på andra objekt."
            )
        )
