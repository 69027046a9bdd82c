"""Read tables with one row per county (län) from CSV or XLSX, as the agreements publish them.

The first column is SCB's county code, an optional second column the county's or region's
name, the rest are value columns named in the header row (see fixtures/reference/*.csv).
CSV may be separated by semicolons or commas and encoded as UTF-8 (with or without BOM)
or Windows-1252. Every problem is reported with its row and column, in Swedish, and
nothing is returned unless the whole file is right.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from common.limits import MB, LimitExceeded, TableLimits
from common.money import AmountError, parse_decimal
from common.refusals import Refused
from common.xlsx_read import XlsxLimits, XlsxRefused, xlsx_rows

CODE_HEADERS = {"lanskod", "länskod", "kod", "lan_kod", "county_code"}


class ImportFileError(Refused):
    """The file cannot be used; `messages` lists each problem."""


@dataclass(frozen=True)
class CountyTable:
    columns: tuple[str, ...]
    values: dict[str, dict[str, Decimal]]  # county code -> column -> value


# At most this many problems are listed; the rest are counted.
MAX_LISTED_PROBLEMS = 100
# As KeyDataColumn.code keeps a column's name.
MAX_COLUMN_NAME = 80


def county_limits() -> TableLimits:
    """A county table has 21 rows and a few columns; the settings leave room for notes,
    totals and the municipalities (290 rows)."""
    return TableLimits(
        what="filen",
        max_bytes=settings.KEYDATA_MAX_UPLOAD_MB * MB,
        max_rows=settings.KEYDATA_MAX_ROWS,
        max_columns=settings.KEYDATA_MAX_COLUMNS,
        fixed_columns=2,
        fixed_note=" utöver länskod och namn",
    )


_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _shown(text: str, length: int = 40) -> str:
    """A value as a message quotes it: never the whole of a huge cell."""
    return text if len(text) <= length else text[:length] + "…"


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            ["Filen är sparad som UTF-16. Spara den som UTF-8 eller Windows-1252."]
        )
    if (nul := content.find(b"\x00")) >= 0:
        raise ImportFileError(
            [
                f"Rad {_line_of(content, nul)}: filen innehåller ett NUL-tecken; "
                "det är ingen CSV-fil."
            ]
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if content.startswith(codecs.BOM_UTF8):
            raise ImportFileError(
                [
                    f"Rad {_line_of(content, exc.start)}: filen är märkt som UTF-8 men är "
                    "inte giltig UTF-8."
                ]
            ) from exc
    if found := _NOT_CP1252.search(content):
        raise ImportFileError(
            [
                f"Rad {_line_of(content, found.start())}: byte 0x{content[found.start()]:02X} är "
                "varken giltig UTF-8 eller ett tecken i Windows-1252."
            ]
        )
    return content.decode("cp1252")


def _csv_rows(content: bytes, limits: TableLimits) -> list[list[str]]:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, previous = [], 0
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if previous != line:
                raise ImportFileError(
                    [
                        f'Rad {line}: ett citattecken (") avslutas inte på samma rad, så raderna '
                        f"{line}–{previous} skulle läsas som en enda rad."
                    ]
                )
            limits.check_row(line, len(row))
            rows.append(row)
    except csv.Error as exc:
        raise ImportFileError(
            [
                f"Rad {previous + 1}: raden går inte att läsa som CSV (ett fält är för långt "
                "eller ett citattecken saknar sin avslutning)."
            ]
        ) from exc
    return rows


def _xlsx_rows(content: bytes, limits: TableLimits) -> list[list[str]]:
    xlsx_limits = XlsxLimits(
        max_cells=limits.max_cells,
        max_uncompressed=limits.max_uncompressed,
        max_shared_text=limits.max_uncompressed,
    )
    rows = []
    try:
        for number, row in xlsx_rows(io.BytesIO(content), xlsx_limits):
            limits.check_row(number, len(row))
            rows.append(row)
    except XlsxRefused as exc:
        raise ImportFileError([str(exc)]) from exc
    return rows


def read_rows(content: bytes, filename: str, limits: TableLimits | None = None) -> list[list[str]]:
    """The file's rows as text; refused (ImportFileError) the moment it is over a limit."""
    limits = limits or county_limits()
    try:
        limits.check_size(len(content))
        if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
            return _xlsx_rows(content, limits)
        return _csv_rows(content, limits)
    except LimitExceeded as exc:
        raise ImportFileError([str(exc)]) from exc


def _county_code(text: str) -> str | None:
    text = text.strip()
    if re.fullmatch(r"[0-9]{1,2}", text):
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
    code_header = _shown(header[0])
    # A second column holding names (not numbers) is the county's or region's name.
    has_name = all(
        len(row) > 1 and row[1] and not re.fullmatch(r"[\d\s\u00a0,.\-−]+", row[1])
        for _, row in data
    )
    first_value = 2 if has_name else 1
    columns = tuple(header[first_value:])
    if not columns:
        raise ImportFileError([f"Rad {header_number}: filen saknar värdekolumner."])
    first_seen: dict[str, int] = {}
    for index, name in enumerate(columns):
        if not name:
            problems.append(f"Rad {header_number}: kolumn {first_value + index + 1} saknar rubrik.")
        elif first_seen.setdefault(name, index) != index:
            problems.append(f"Rad {header_number}: kolumnen ”{_shown(name)}” finns två gånger.")
        elif len(name) > MAX_COLUMN_NAME:
            problems.append(
                f"Rad {header_number}: kolumnen ”{_shown(name)}” har en rubrik längre än "
                f"{MAX_COLUMN_NAME} tecken."
            )

    values: dict[str, dict[str, Decimal]] = {}
    seen_on: dict[str, int] = {}
    for number, row in data:
        code = _county_code(row[0]) if row else None
        if code is None:
            problems.append(
                f"Rad {number}, kolumn ”{code_header}”: ”{_shown(row[0])}” är inte en länskod."
            )
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
                # As KeyDataValue keeps it: DecimalField(max_digits=20, decimal_places=6).
                value = parse_decimal(cell, max_digits=20, decimal_places=6)
            except AmountError as exc:
                problems.append(f"Rad {number}, kolumn ”{_shown(name)}”: {exc}")
                continue
            if value < 0:
                problems.append(
                    f"Rad {number}, kolumn ”{_shown(name)}”: värdet får inte vara negativt."
                )
                continue
            row_values[name] = value
        values[code] = row_values
    for code, name in counties.items():
        if code not in seen_on:
            problems.append(f"Länskod {code} ({name}) saknas i filen.")
    if problems:
        listed = problems[:MAX_LISTED_PROBLEMS]
        if len(problems) > MAX_LISTED_PROBLEMS:
            listed.append(
                f"… och {len(problems) - MAX_LISTED_PROBLEMS} fel till (de första "
                f"{MAX_LISTED_PROBLEMS} visas)."
            )
        raise ImportFileError(listed)
    return CountyTable(columns, values)


def amounts_in_column(table: CountyTable, column: str) -> dict[str, Decimal]:
    """County code -> amount of the named column, or of the only one when none is named."""
    column = column or (table.columns[0] if len(table.columns) == 1 else "")
    if column not in table.columns:
        raise ImportFileError(
            [
                "Ange vilken kolumn som innehåller beloppen. Filen har kolumnerna "
                + ", ".join(f"”{c}”" for c in table.columns)
                + "."
            ]
        )
    return {code: row[column] for code, row in table.values.items()}
