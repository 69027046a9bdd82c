"""Read key data (values per county) from a CSV or XLSX file."""

import datetime
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from allocations.actions import do_import_key_data_file
from allocations.models import KeyDataSet, Measure
from common.refusals import Refused
from filestore.models import Purpose
from filestore.store import import_upload


class Command(BaseCommand):
    help = "Läser in nyckeldata per län från en CSV- eller XLSX-fil."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", required=True, help="T.ex. ”Befolkning 2023-11-01”")
        parser.add_argument("--measure", required=True, choices=Measure.values)
        parser.add_argument("--date", required=True, help="Referensdatum, ÅÅÅÅ-MM-DD")
        parser.add_argument("--source", default="")

    def handle(self, *args, file, name, measure, date, source, **options):
        try:
            reference_date = datetime.date.fromisoformat(date)
        except ValueError as exc:
            raise CommandError(f"”{date}” är inte ett datum (ÅÅÅÅ-MM-DD).") from exc
        if KeyDataSet.objects.filter(name=name).exists():
            raise CommandError(f"Det finns redan nyckeldata med namnet ”{name}”.")
        path = Path(file)
        with path.open("rb") as handle:
            try:
                dataset = import_upload(
                    File(handle, name=path.name),
                    lambda checksum: do_import_key_data_file(
                        handle,
                        path.name,
                        name=name,
                        measure=measure,
                        reference_date=reference_date,
                        source=source,
                    ),
                    purpose=Purpose.KEY_DATA,
                    kind="nyckeldata",
                )
            except Refused as exc:
                raise CommandError(
                    f"{path.name} lästes inte in; inget har sparats:\n{exc}"
                ) from exc
        columns = dataset.columns.order_by("position").values_list("code", flat=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"{dataset}: {dataset.columns.first().values.count()} län, "
                f"kolumner {', '.join(columns)}"
            )
        )
