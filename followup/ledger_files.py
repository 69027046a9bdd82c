"""Read ledger exports (huvudbok, transaktionslista) row by row, without loading them whole.

Real exports vary: semicolon or comma, Windows-1252 or UTF-8 with BOM, header rows before
the data, columns in any order. A source's mapping names the header of each column we read;
the header row is the first row that holds them all.
"""

import codecs
import csv
import io
from collections.abc import Iterator

HEADER_SEARCH_ROWS = 50
SAMPLE_BYTES = 64 * 1024


class LedgerFileError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample may end inside a character; only a break before the end means not UTF-8.
        if exc.start < len(sample) - 3:
            return "cp1252"
    return "utf-8"


def _normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def is_xlsx(content_start: bytes, file_name: str) -> bool:
    return file_name.lower().endswith(".xlsx") or content_start[:2] == b"PK"


def _csv_rows(binary) -> Iterator[tuple[int, list[str]]]:
    sample = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=_encoding(sample), newline="")
    first_lines = sample.decode("latin-1").splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max([";", ",", "\t"], key=lambda d: sum(line.count(d) for line in first_lines))
    yield from enumerate(csv.reader(text, delimiter=delimiter), start=1)


def _xlsx_rows(binary) -> Iterator[tuple[int, list[str]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(binary)
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own kinds for a broken file
        raise LedgerFileError(["Filen går inte att läsa som en Excel-fil (xlsx)."]) from exc
    for number, row in enumerate(sheet.iter_rows(), start=1):
        yield number, [_cell_text(cell) for cell in row]


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        # Amounts in spreadsheets come as binary floats: write them with at most two
        # decimals, as the ledger means them, before they become Decimal.
        return f"{cell:.2f}" if cell != int(cell) else str(int(cell))
    if hasattr(cell, "isoformat"):
        return cell.isoformat()[:10]
    return str(cell)


def raw_rows(binary, file_name: str) -> Iterator[tuple[int, list[str]]]:
    start = binary.read(4)
    binary.seek(0)
    return _xlsx_rows(binary) if is_xlsx(start, file_name) else _csv_rows(binary)


def headers_of(binary, file_name: str) -> list[str]:
    """The likely header row: the first row with at least three named, non-numeric cells."""
    for number, row in raw_rows(binary, file_name):
        named = [cell.strip() for cell in row if cell.strip() and not _looks_numeric(cell)]
        if len(named) >= 3:
            return [cell.strip() for cell in row if cell.strip()]
        if number > HEADER_SEARCH_ROWS:
            break
    raise LedgerFileError(["Hittar ingen rubrikrad i filens första 50 rader."])


def _looks_numeric(text: str) -> bool:
    stripped = text.strip().replace(" ", "").replace(",", "").replace(".", "").replace("-", "")
    return stripped.isdigit()


def mapped_rows(binary, file_name: str, mapping: dict[str, str]) -> Iterator[tuple[int, dict]]:
    """Yield (line number, {field: text}) for each data row below the header row."""
    wanted = {field: _normalise(header) for field, header in mapping.items() if header}
    rows = raw_rows(binary, file_name)
    positions = None
    for number, row in rows:
        normalised = [_normalise(cell) for cell in row]
        if all(header in normalised for header in wanted.values()):
            positions = {field: normalised.index(header) for field, header in wanted.items()}
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        names = ", ".join(f"”{mapping[f]}”" for f in wanted)
        raise LedgerFileError(
            [f"Hittar ingen rubrikrad med kolumnerna {names} bland filens första 50 rader."]
        )
    width = max(positions.values()) + 1
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield number, {field: row[index].strip() for field, index in positions.items()}
