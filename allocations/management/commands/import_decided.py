"""Read the decided amounts of a component from a column of a CSV or XLSX file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from allocations.actions import counties, do_set_decided_amounts
from allocations.importing import ImportFileError, read_county_table
from grants.commands import find_agreement


class Command(BaseCommand):
    help = "Läser in beslutade belopp per region eller län för ett delområde."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--agreement", required=True, help="Kortkod eller id")
        parser.add_argument("--component", required=True, help="Delområdets namn")
        parser.add_argument("--column", help="Kolumnen med beloppen (behövs om filen har flera)")
        parser.add_argument("--source", default="")
        parser.add_argument(
            "--reason", default="", help="Skälet, när redan beslutade belopp ändras"
        )

    def handle(self, *args, file, agreement, component, column, source, reason, **options):
        target = find_agreement(agreement).components.filter(name=component).first()
        if target is None:
            raise CommandError(f"Överenskommelsen har inget delområde ”{component}”.")
        path = Path(file)
        try:
            table = read_county_table(path.read_bytes(), path.name, counties())
            column = column or (table.columns[0] if len(table.columns) == 1 else None)
            if column not in table.columns:
                raise ImportFileError(
                    [f"Ange --column; filen har kolumnerna {', '.join(table.columns)}."]
                )
            count = do_set_decided_amounts(
                target,
                {code: row[column] for code, row in table.values.items()},
                source=source or path.name,
                reason=reason,
            )
        except ImportFileError as exc:
            raise CommandError(f"{path.name} lästes inte in; inget har sparats:\n{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"{target}: {count} beslutade belopp inlästa."))
