"""Import a ledger export (CSV, XLSX or SIE) into the follow-up, as the upload page does."""

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError

from common.logs import log_refused_import
from filestore.models import Purpose
from filestore.store import upload_kept_with_rows
from followup.actions import LedgerImportError, do_import_ledger_file
from followup.models import LedgerSource


class Command(BaseCommand):
    help = "Läser in utfall från en huvudboksexport (CSV, XLSX eller SIE)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", help="Källans namn (krävs för CSV och XLSX)")

    def handle(self, *args, file, source, **options):
        ledger_source = None
        if source:
            ledger_source = LedgerSource.objects.filter(name=source).first()
            if ledger_source is None:
                names = ", ".join(LedgerSource.objects.values_list("name", flat=True)) or "inga"
                raise CommandError(f"Okänd källa ”{source}”. Källor: {names}.")
        path = Path(file)
        with (
            path.open("rb") as handle,
            upload_kept_with_rows(
                UploadedFile(handle, name=path.name), purpose=Purpose.LEDGER
            ) as kept,
        ):
            try:
                record = do_import_ledger_file(
                    UploadedFile(handle, name=path.name), ledger_source, None
                )
            except LedgerImportError as exc:
                log_refused_import(None, "huvudbok", path.name, exc.problems)
                raise CommandError(
                    f"{path.name} lästes inte in; inget har sparats:\n{exc}"
                ) from exc
            kept.keep(record)
        self.stdout.write(
            self.style.SUCCESS(
                f"{record.file_name}: {record.rows_kept} rader sparade, {record.rows_ignored} på "
                f"andra objekt, {record.rows_replaced} tidigare rader ersatta; "
                f"perioder {', '.join(record.periods)}."
            )
        )
