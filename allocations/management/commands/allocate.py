"""Print or write an agreement's allocation table: computed, decided and difference."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from allocations.exports import allocation_table_csv, allocation_table_xlsx
from allocations.reads import TABLE_GROUPS, build_allocation_table
from common.money import format_amount
from grants.commands import find_agreement


class Command(BaseCommand):
    help = "Skriver ut fördelningen av en överenskommelse: beräknat, beslutat och skillnad."

    def add_arguments(self, parser):
        parser.add_argument("agreement", help="Kortkod (t.ex. god-och-nara-vard-2023) eller id")
        parser.add_argument("--recipients", choices=sorted(TABLE_GROUPS), default="regioner")
        parser.add_argument("--format", choices=["table", "csv", "xlsx"], default="table")
        parser.add_argument("--output", "-o", help="Fil att skriva till (krävs inte för table/csv)")

    def handle(self, *args, agreement, recipients, format, output, **options):
        table = build_allocation_table(find_agreement(agreement), recipients)
        if format == "table":
            self.stdout.write(render_text(table))
            return
        content = (allocation_table_csv if format == "csv" else allocation_table_xlsx)(table)
        if output is None and format == "xlsx":
            output = f"fordelning-{table.agreement.slug}-{recipients}.xlsx"
        if output is None:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        Path(output).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Skrev {output}"))


def render_text(table) -> str:
    def amount(value):
        return format_amount(value, unit="").replace("\u00a0", " ").replace("\u2212", "-")

    lines = [f"{table.agreement} – {table.group_label}", ""]
    for column in table.columns:
        lines.append(column.label + (f"  [{column.error}]" if column.error else ""))
        header = f"  {'Kod':<4}{'Mottagare':<36}{'Beräknat':>16}{'Beslutat':>16}{'Skillnad':>12}"
        lines.append(header)
        for recipient in table.recipients:
            cell = column.cells[recipient.code]
            mark = " *" if cell.flagged else ""
            own = " (egen)" if recipient.is_own else ""
            lines.append(
                f"  {recipient.code:<4}{(recipient.name + own)[:35]:<36}"
                f"{amount(cell.computed):>16}{amount(cell.decided):>16}"
                f"{amount(cell.difference):>12}{mark}"
            )
        total = column.total
        lines.append(
            f"  {'':<4}{'Totalt':<36}{amount(total.computed):>16}{amount(total.decided):>16}"
            f"{amount(total.difference):>12}"
        )
        lines.append("")
    lines.extend(table.notes)
    if any(c.flagged for column in table.columns for c in column.cells.values()):
        lines.append(f"* skiljer sig mer än {table.tolerance} kr")
    return "\n".join(lines)
