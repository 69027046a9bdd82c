"""Read tables with one row per county (län) from CSV or XLSX, as the agreements publish them.

The first column is SCB's county code, an optional second column the county's or region's
name, the rest are value columns named in the header row (see fixtures/reference/*.csv).
CSV may be separated by semicolons or commas and encoded as UTF-8 (with or without BOM)
or Windows-1252. Every problem is reported with its row and column, in Swedish, and
nothing is returned unless the whole file is right.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from common.money import AmountError, parse_decimal

CODE_HEADERS = {"lanskod", "länskod", "kod", "lan_kod", "county_code"}


class ImportFileError(Exception):
    """The file cannot be used; `problems` lists each one."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class CountyTable:
    columns: tuple[str, ...]
    values: dict[str, dict[str, Decimal]]  # county code -> column -> value


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def _csv_rows(content: bytes) -> list[list[str]]:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([";", ",", "\t"], key=first_line.count)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(["Filen går inte att läsa som en Excel-fil (xlsx)."]) from exc
    sheet = workbook.worksheets[0]
    rows = [
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    return rows


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        return _xlsx_rows(content)
    return _csv_rows(content)


def _county_code(text: str) -> str | None:
    text = text.strip()
    if re.fullmatch(r"\d{1,2}", text):
        return text.zfill(2)
    return None


def read_county_table(content: bytes, filename: str, counties: dict[str, str]) -> CountyTable:
    """Parse and check a county table. `counties` maps every valid county code to its name."""
    rows = [
        (number, [cell.strip() for cell in row])
        for number, row in enumerate(read_rows(content, filename), start=1)
        if any(cell.strip() for cell in row)
    ]
    if not rows:
        raise ImportFileError(["Filen är tom."])
    header_number, header = rows[0]
    data = rows[1:]
    if not data:
        raise ImportFileError(["Filen har en rubrikrad men inga datarader."])
    problems = []
    if len(header) < 2:
        raise ImportFileError(
            [f"Rad {header_number}: rubrikraden ska ha länskod och minst en värdekolumn."]
        )
    code_header = header[0]
    # A second column holding names (not numbers) is the county's or region's name.
    has_name = all(
        len(row) > 1 and row[1] and not re.fullmatch(r"[\d\s\u00a0,.\-−]+", row[1])
        for _, row in data
    )
    first_value = 2 if has_name else 1
    columns = tuple(header[first_value:])
    if not columns:
        raise ImportFileError([f"Rad {header_number}: filen saknar värdekolumner."])
    for index, name in enumerate(columns):
        if not name:
            problems.append(f"Rad {header_number}: kolumn {first_value + index + 1} saknar rubrik.")
        elif columns.index(name) != index:
            problems.append(f"Rad {header_number}: kolumnen ”{name}” finns två gånger.")

    values: dict[str, dict[str, Decimal]] = {}
    seen_on: dict[str, int] = {}
    for number, row in data:
        code = _county_code(row[0]) if row else None
        if code is None:
            problems.append(f"Rad {number}, kolumn ”{code_header}”: ”{row[0]}” är inte en länskod.")
            continue
        if code not in counties:
            problems.append(f"Rad {number}, kolumn ”{code_header}”: okänd länskod ”{code}”.")
            continue
        if code in seen_on:
            problems.append(
                f"Rad {number}, kolumn ”{code_header}”: länskod {code} finns redan på rad "
                f"{seen_on[code]}."
            )
            continue
        seen_on[code] = number
        if len(row) - first_value < len(columns):
            problems.append(f"Rad {number}: raden har för få kolumner.")
            continue
        row_values = {}
        for name, cell in zip(columns, row[first_value:], strict=False):
            try:
                value = parse_decimal(cell)
            except AmountError as exc:
                problems.append(f"Rad {number}, kolumn ”{name}”: {exc}")
                continue
            if value < 0:
                problems.append(f"Rad {number}, kolumn ”{name}”: värdet får inte vara negativt.")
                continue
            row_values[name] = value
        values[code] = row_values
    for code, name in counties.items():
        if code not in seen_on:
            problems.append(f"Länskod {code} ({name}) saknas i filen.")
    if problems:
        raise ImportFileError(problems)
    return CountyTable(columns, values)
