"""Import a ledger export (CSV, XLSX or SIE) into the follow-up, as the upload page does."""

from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError

from common.limits import MB
from common.refusals import Refused
from filestore.models import Purpose
from filestore.store import import_upload
from followup.actions import do_import_ledger_file
from followup.ledger_files import UPLOAD_WHAT
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
        with path.open("rb") as handle:
            upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
            try:
                record = import_upload(
                    upload,
                    partial(do_import_ledger_file, upload, ledger_source, None),
                    purpose=Purpose.LEDGER,
                    kind="huvudbok",
                    max_bytes=settings.LEDGER_MAX_UPLOAD_MB * MB,
                    what=UPLOAD_WHAT,
                )
            except Refused as exc:
                raise CommandError(
                    f"{path.name} lästes inte in; inget har sparats:\n{exc}"
                ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{record.file_name}: {record.rows_kept} rader sparade, {record.rows_ignored} på "
                f"andra objekt, {record.rows_replaced} tidigare rader ersatta; "
                f"perioder {', '.join(record.periods)}."
            )
        )
