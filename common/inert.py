"""Export cells that no spreadsheet will run: the one function every export writes through.

Text from users and imported files (activity names, ledger texts) must reach a workbook as
text. In XLSX a text cell is written as a string, never as a formula or a link, and one that
starts like a formula gets the cell's quote prefix so Excel keeps it text even when someone
edits it. In CSV, where every cell is text, a cell starting with = + - @ tab or CR is
prefixed with an apostrophe, as OWASP recommends for CSV injection. Numbers (amounts) stay
numbers and are never touched: a negative amount is a number, not text starting with `-`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Cell:
    """What an export writes: a number, a date, nothing, or text (with `risky` set when the
    text starts like a formula)."""

    value: object
    is_text: bool = False
    risky: bool = False


def inert_cell(value) -> Cell:
    """Classify one value for an export. Numbers, dates and empty cells pass as they are;
    everything else is text."""
    if value is None or value == "":
        return Cell(None)
    if isinstance(value, bool | int | float | Decimal | datetime.date):
        return Cell(value)
    text = str(value)
    return Cell(text, is_text=True, risky=text.startswith(FORMULA_TRIGGERS))


def csv_text(value) -> str:
    """One CSV cell: numbers plainly (`1234`, `1234.50`, `-5`), risky text neutralised."""
    cell = inert_cell(value)
    if cell.value is None:
        return ""
    if cell.is_text:
        return "'" + cell.value if cell.risky else cell.value
    if isinstance(cell.value, bool):
        return "Ja" if cell.value else "Nej"
    if isinstance(cell.value, Decimal) and cell.value == cell.value.to_integral_value():
        return str(int(cell.value))
    if isinstance(cell.value, datetime.date):
        return cell.value.isoformat()
    return str(cell.value)
