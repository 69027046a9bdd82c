"""The register of every year's state grants: reading a year's grants from CSV or XLSX, every
problem named by row and column, and the rows the agreements the app holds would add."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from allocations.importing import ImportFileError, read_rows
from common.limits import MB, TableLimits
from common.money import AmountError, parse_amount

# Accepted header names (lower case) for each column of an import file.
COLUMNS = {
    "name": {"statsbidrag", "namn", "överenskommelse/statsbidrag", "överenskommelse"},
    "authority": {"myndighet", "myndighet eller källa", "källa", "utbetalare"},
    "case_number": {"diarienummer", "dnr", "ärendenummer"},
    "amount": {"belopp", "erhållna medel", "kronor", "erhållna medel (kronor)"},
    "comment": {"kommentar", "vidaresänt", "anmärkning"},
    "temporary": {"tillfälligt", "tillfälligt bidrag"},
}
REQUIRED = ("name", "amount")
HEADER_LABELS = {
    "name": "Statsbidrag",
    "authority": "Myndighet eller källa",
    "case_number": "Diarienummer",
    "amount": "Belopp",
    "comment": "Kommentar",
    "temporary": "Tillfälligt",
}
YES = {"ja", "j", "x", "1", "true", "sant"}
NO = {"", "nej", "n", "0", "false", "falskt"}


def register_limits() -> TableLimits:
    return TableLimits(
        what="registerfilen",
        max_bytes=settings.REGISTER_MAX_UPLOAD_MB * MB,
        max_rows=settings.REGISTER_MAX_ROWS,
        max_columns=settings.REGISTER_MAX_COLUMNS,
    )


@dataclass
class GrantRow:
    """One grant of the file, with its amounts (received, or passed on when negative)."""

    row: int
    name: str
    authority: str = ""
    case_number: str = ""
    temporary: bool = False
    lines: list[tuple[Decimal, str]] = field(default_factory=list)


def _header(cells: list[str]) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(cells):
        key = " ".join(cell.split()).lower()
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = index
    return found


def read_register_file(content: bytes, filename: str) -> list[GrantRow]:
    """The grants of an import file. A row without a name is one more amount of the grant
    above it (as in the published summaries: received, then passed on to SKR). Raises
    ImportFileError with every problem; nothing is returned unless the whole file is right."""
    rows = read_rows(content, filename, register_limits())
    start = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if start is None:
        raise ImportFileError(["Filen är tom."])
    columns = _header(rows[start])
    missing = [HEADER_LABELS[c] for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(
            [
                f"Rad {start + 1}: rubrikraden saknar kolumnen "
                + " och ".join(f"”{m}”" for m in missing)
                + ". Rubrikerna ska vara "
                + ", ".join(HEADER_LABELS.values())
                + " (de två första krävs)."
            ]
        )

    def cell(row, column):
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    problems: list[str] = []
    grants: list[GrantRow] = []
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(c.strip() for c in row):
            continue
        name = " ".join(cell(row, "name").split())
        amount_text = cell(row, "amount")
        if name.lower().startswith(("totalt", "summa")):
            problems.append(
                f"Rad {number}: ”{name}” är en summeringsrad. Ta bort den: totalen räknas "
                "fram av raderna."
            )
            continue
        try:
            amount = parse_amount(amount_text)
        except AmountError as error:
            problems.append(f"Rad {number}, kolumnen ”{HEADER_LABELS['amount']}”: {error}")
            amount = None
        temporary_text = cell(row, "temporary").lower()
        if temporary_text not in YES | NO:
            problems.append(
                f"Rad {number}, kolumnen ”{HEADER_LABELS['temporary']}”: ”{cell(row, 'temporary')}"
                "” ska vara ja eller nej."
            )
        if len(cell(row, "comment")) > 300:
            problems.append(f"Rad {number}, kolumnen ”Kommentar”: högst 300 tecken.")
        if not name:
            if not grants:
                problems.append(
                    f"Rad {number}, kolumnen ”{HEADER_LABELS['name']}”: statsbidragets namn saknas."
                )
            elif amount is not None:
                grants[-1].lines.append((amount, cell(row, "comment")))
            continue
        for column, limit in (
            ("name", 400),
            ("authority", 200),
            ("case_number", 100),
        ):
            if len(cell(row, column)) > limit:
                problems.append(
                    f"Rad {number}, kolumnen ”{HEADER_LABELS[column]}”: högst {limit} tecken."
                )
        grant = GrantRow(
            number,
            name,
            cell(row, "authority"),
            cell(row, "case_number"),
            temporary_text in YES,
        )
        if amount is not None:
            grant.lines.append((amount, cell(row, "comment")))
        grants.append(grant)
    names = {}
    for grant in grants:
        key = (grant.name.lower(), grant.temporary)
        if key in names:
            problems.append(
                f"Rad {grant.row}: ”{grant.name}” står redan på rad {names[key]}; skriv fler "
                "belopp för samma statsbidrag på rader utan namn under det."
            )
        names.setdefault(key, grant.row)
    if problems:
        raise ImportFileError(problems)
    if not grants:
        raise ImportFileError(["Filen har inga statsbidrag under rubrikraden."])
    return grants
