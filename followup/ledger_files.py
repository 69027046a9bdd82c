"""Read ledger exports (huvudbok, transaktionslista) row by row, without loading them whole.

Real exports vary: semicolon or comma, Windows-1252 or UTF-8 with BOM, title lines before
the header, columns in any order. A source's mapping names the header of each column we read;
the header row is the first row that holds them all.

Every file gets an answer: what cannot be read is a LedgerFileError with a Swedish message
naming the line, raised before anything is saved. Before the rows are read, the file is
scanned once for what would break the reader or the database: bytes that are no character,
NUL bytes, lines too long to be ledger rows (CSV), and sizes that would take the server's
memory (XLSX, see common.xlsx_read.check_xlsx).
"""

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from common.xlsx_read import XlsxLimits, XlsxRefused, xlsx_rows

HEADER_SEARCH_ROWS = 50
PREVIEW_ROWS = 15
PREVIEW_COLUMNS = 30
SAMPLE_BYTES = 64 * 1024
SCAN_CHUNK = 1 << 20
# No ledger row is near this long; a longer line would only make one enormous row in memory.
MAX_LINE_BYTES = 1 << 20
# Bytes Windows-1252 leaves undefined.
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_NOT_ASCII = re.compile(rb"[\x80-\xff]")
# The names ERP exports give each column the app reads, by field, in order of preference: one
# table, used to suggest a new source's mapping and to read a file whose header spells a
# mapped column another way (a source mapped "Bokföringsdatum" reads Raindance's
# "Bokf.datum"). Compared by header_key: case, spaces, dots and dashes do not count.
# Raindance: Verifikationsnr, Bokf.datum, Konto, Ansvar, Verksamhet, Aktivitet, Objekt, Motpart,
# Text, Belopp. Agresso/Unit4: Period, Konto, Ansvar, Projekt, Aktivitet, Bilagsnr, Transdatum,
# Beskrivning, Belopp. Visma: Ver.nr, Datum, Konto, Kst, Projekt, Text, Belopp. Hogia: Vernr,
# Verdatum, Konto, Kostnadsställe, Projekt, Text, Belopp. SIE files have their own reader.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "cost_object": (
        "Objekt",
        "Objektnr",
        "Objektnummer",
        "Objekt nr",
        "Projekt",
        "Projektnr",
        "Projektnummer",
        "Proj",
    ),
    "amount": (
        "Belopp",
        "Belopp SEK",
        "Belopp (SEK)",
        "Belopp i SEK",
        "Bokfört belopp",
        "Redovisat belopp",
        "Summa",
        "Utfall",
    ),
    "period": (
        "Period",
        "Bokf.period",
        "Bokföringsperiod",
        "Redovisningsperiod",
        "Redov.period",
        "Räkenskapsperiod",
    ),
    "date": (
        "Bokföringsdatum",
        "Bokf.datum",
        "Bokfdatum",
        "Transdatum",
        "Transaktionsdatum",
        "Verifikationsdatum",
        "Ver.datum",
        "Verdatum",
        "Bilagsdatum",
        "Datum",
    ),
    "account": ("Konto", "Kontonr", "Kontonummer", "Konto nr", "Kto"),
    "responsibility": (
        "Ansvar",
        "Ansvarsnr",
        "Ansvarsnummer",
        "Kostnadsställe",
        "Kst",
        "Kst nr",
        "Resultatenhet",
    ),
    "activity_code": ("Aktivitetskod", "Aktivitet", "Akt"),
    "voucher": (
        "Verifikation",
        "Verifikationsnr",
        "Verifikationsnummer",
        "Ver.nr",
        "Vernr",
        "Verifikat",
        "Bilagsnr",
        "Bilagsnummer",
        "Bilag",
    ),
    "text": (
        "Text",
        "Beskrivning",
        "Transaktionstext",
        "Radtext",
        "Verifikationstext",
        "Verifikattext",
        "Vertext",
    ),
}


def header_key(header: str) -> str:
    """A column name as compared with the synonyms: `Ver.nr`, `VER NR` and `Vernr` agree."""
    return "".join(ch for ch in header.replace("\ufeff", "").casefold() if ch.isalnum())


_FIELD_OF_KEY = {
    header_key(name): field for field, names in FIELD_SYNONYMS.items() for name in names
}
# Header names ledger exports use, so the header row can be told from title lines.
KNOWN_HEADERS = set(_FIELD_OF_KEY) | {
    header_key(name)
    for name in (
        "Verksamhet",
        "Motpart",
        "Debet",
        "Kredit",
        "År",
        "Månad",
        "Kontonamn",
        "Kontotext",
        "Objektnamn",
        "Valuta",
    )
}


def synonym_keys(field: str) -> list[str]:
    return [header_key(name) for name in FIELD_SYNONYMS.get(field, ())]


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """For each field the app reads, the header of the file that names it (the most specific
    synonym first), each header used once; fields with no such header are left out."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    used: set[str] = set()
    suggested = {}
    for field in FIELD_SYNONYMS:
        for key in synonym_keys(field):
            header = by_key.get(key)
            if header is not None and header not in used:
                suggested[field] = header
                used.add(header)
                break
    return suggested


class LedgerFileError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def is_xlsx(content_start: bytes, file_name: str) -> bool:
    return file_name.lower().endswith(".xlsx") or content_start[:2] == b"PK"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


# --- CSV ------------------------------------------------------------------------------------


@dataclass
class _Scan:
    encoding: str
    delimiter: str


def scan_text(binary) -> _Scan:
    """Read the file once in chunks: its encoding, and refuse what no text export holds."""
    binary.seek(0)
    first = binary.read(SCAN_CHUNK)
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LedgerFileError(
            ["Filen är sparad som UTF-16. Spara den som CSV i UTF-8 eller Windows-1252."]
        )
    bom = first.startswith(codecs.BOM_UTF8)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_error = None  # (line, byte)
    utf8_letters = False  # UTF-8 letters (not only ASCII) before any invalid byte
    nul = undefined = None
    line = 1
    current = 0
    chunk = first
    while chunk:
        if utf8_error is None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                utf8_error = (line + chunk.count(b"\n", 0, exc.start), chunk[exc.start])
                utf8_letters = utf8_letters or bool(_NOT_ASCII.search(chunk, 0, exc.start))
            else:
                utf8_letters = utf8_letters or bool(_NOT_ASCII.search(chunk))
        if nul is None and (at := chunk.find(b"\x00")) >= 0:
            nul = line + chunk.count(b"\n", 0, at)
        if undefined is None and (found := _NOT_CP1252.search(chunk)):
            undefined = (line + chunk.count(b"\n", 0, found.start()), chunk[found.start()])
        lengths = list(map(len, chunk.split(b"\n")))
        lengths[0] += current  # the line that began in the chunk before
        if max(lengths) > MAX_LINE_BYTES:
            too_long = line + lengths.index(max(lengths))
            raise LedgerFileError(
                [
                    f"Rad {too_long}: raden är längre än "
                    f"{_thousands(MAX_LINE_BYTES // 1024)} kB; det är inte en huvudboksexport."
                ]
            )
        current = lengths[-1]
        line += len(lengths) - 1
        chunk = binary.read(SCAN_CHUNK)
    if utf8_error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_error = (line, 0)
    binary.seek(0)
    if nul is not None:
        raise LedgerFileError(
            [
                f"Rad {nul}: filen innehåller ett NUL-tecken (byte 0x00). Det är inte en "
                "textfil (CSV); spara exporten som CSV eller XLSX."
            ]
        )
    if utf8_error and (bom or utf8_letters):
        raise LedgerFileError(
            [
                f"Rad {utf8_error[0]}: filen är skriven i UTF-8 men byte 0x{utf8_error[1]:02X} "
                "är inte giltig UTF-8; filen är skadad eller blandar teckenkodningar. Spara "
                "exporten på nytt."
            ]
        )
    encoding = "utf-8-sig" if bom else ("utf-8" if utf8_error is None else "cp1252")
    if encoding == "cp1252" and undefined is not None:
        raise LedgerFileError(
            [
                f"Rad {undefined[0]}: byte 0x{undefined[1]:02X} är varken giltig UTF-8 eller ett "
                "tecken i Windows-1252. Filen är skadad eller sparad med en annan "
                "teckenkodning; spara den som UTF-8 eller Windows-1252."
            ]
        )
    sample = first[:SAMPLE_BYTES].decode(encoding, errors="replace")
    first_lines = sample.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max([";", ",", "\t"], key=lambda d: sum(line.count(d) for line in first_lines))
    return _Scan(encoding, delimiter)


def _merged_rows_error(binary, scan: _Scan) -> LedgerFileError:
    """Find the first record that spans several lines (a quote that never closed on its
    line): read only when the fast pass saw that records and lines differ."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=scan.encoding, newline="")
    reader = csv.reader(text, delimiter=scan.delimiter)
    previous = 0
    try:
        for _row in reader:
            line, previous = previous + 1, reader.line_num
            if previous != line:
                return LedgerFileError(
                    [
                        f'Rad {line}: ett fält börjar med citattecken (") som inte avslutas på '
                        f"samma rad, så raderna {line}–{previous} skulle läsas som en enda rad. "
                        "Ta bort eller dubblera citattecknet och läs in filen igen."
                    ]
                )
    finally:
        text.detach()
    return LedgerFileError(
        [
            'Ett fält börjar med citattecken (") som aldrig avslutas. Ta bort eller dubblera '
            "citattecknet och läs in filen igen."
        ]
    )


class MergedRows(LedgerFileError):
    """Rows were merged by an unclosed quote: the line numbers read so far cannot be
    trusted, so this problem replaces any found in the rows."""


def _csv_rows(binary) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each record. A record spanning several lines (an unclosed quote
    that would merge rows) is found at the end, when the counts of records and of lines
    differ; the loop itself stays in C."""
    scan = scan_text(binary)
    text = io.TextIOWrapper(binary, encoding=scan.encoding, newline="")
    # strict: a quote that closes and is followed by more text, or never closes, is an error.
    reader = csv.reader(text, delimiter=scan.delimiter, strict=True)
    counter = itertools.count(1)
    try:
        yield from zip(counter, reader, strict=False)
    except GeneratorExit:
        # The caller stopped early (a preview, a header search): the wrapper must let go of
        # the caller's file, or its collection would close the upload.
        text.detach()
        raise
    except csv.Error as exc:
        # zip drew the failing record's number before the reader failed on it.
        line, last = next(counter) - 1, reader.line_num
        if "field larger" in str(exc):
            message = (
                f"Rad {line}: ett fält är längre än {_thousands(csv.field_size_limit())} tecken;"
                ' troligen saknas ett avslutande citattecken (").'
            )
        elif last > line:
            message = (
                f'Rad {line}: ett fält börjar med citattecken (") som inte avslutas på samma '
                f"rad, så raderna {line}–{last} skulle läsas som en enda rad. Ta bort eller "
                "dubblera citattecknet och läs in filen igen."
            )
        else:
            message = (
                f'Rad {line}: raden går inte att läsa som CSV: ett citattecken (") står fel '
                "eller avslutas aldrig. Ta bort eller dubblera citattecknet."
            )
        text.detach()
        raise LedgerFileError([message]) from exc
    # zip drew one number more before the reader ran out.
    records = next(counter) - 2
    lines = reader.line_num
    text.detach()  # the caller's file stays open
    if records != lines:
        raise MergedRows(_merged_rows_error(binary, scan).problems)


# --- XLSX -----------------------------------------------------------------------------------


def xlsx_limits() -> XlsxLimits:
    return XlsxLimits(
        max_cells=getattr(settings, "LEDGER_XLSX_MAX_CELLS", XlsxLimits.max_cells),
        max_uncompressed=getattr(
            settings, "LEDGER_XLSX_MAX_UNCOMPRESSED", XlsxLimits.max_uncompressed
        ),
    )


def _xlsx_rows(binary) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from xlsx_rows(binary, xlsx_limits())
    except XlsxRefused as exc:
        raise LedgerFileError([str(exc)]) from exc


# --- Rows -----------------------------------------------------------------------------------


def raw_rows(binary, file_name: str) -> Iterator[tuple[int, list[str]]]:
    binary.seek(0)
    start = binary.read(4)
    binary.seek(0)
    return _xlsx_rows(binary) if is_xlsx(start, file_name) else _csv_rows(binary)


def _width(row: list[str]) -> int:
    for index in range(len(row) - 1, -1, -1):
        if row[index].strip():
            return index + 1
    return 0


def _looks_numeric(text: str) -> bool:
    stripped = text.strip().replace(" ", "").replace(",", "").replace(".", "").replace("-", "")
    return stripped.isdigit()


def _header_cells(row: list[str]) -> list[str]:
    """Cells that can be column names: text without digits."""
    return [
        cell.strip()
        for cell in row
        if cell.strip() and not any(char.isdigit() for char in cell) and len(cell) <= 80
    ]


def guess_header_row(rows: list[tuple[int, list[str]]]) -> int | None:
    """The line number of the likely header row among the first rows of a file.

    The row whose cells best match the column names exports use, followed by rows of the
    same width; title lines (`Period: 202305;Utskriven: …`) hold values, not names.
    """
    best = None
    for index, (number, row) in enumerate(rows):
        names = _header_cells(row)
        if len(names) < 2:
            continue
        known = sum(1 for name in names if header_key(name) in KNOWN_HEADERS)
        width = _width(row)
        following = [r for _, r in rows[index + 1 : index + 6] if _width(r)]
        same_width = sum(1 for r in following if width // 2 < _width(r) <= width)
        score = (known, same_width, len(names))
        if best is None or score > best[0]:
            best = (score, number)
    return best[1] if best else None


def preview_of(binary, file_name: str) -> list[tuple[int, list[str]]]:
    """The first non-empty rows of a file, as the mapping page shows them (cells shortened)."""
    preview = []
    for number, row in raw_rows(binary, file_name):
        if _width(row):
            preview.append(
                (number, [cell.strip()[:60] for cell in row[: min(_width(row), PREVIEW_COLUMNS)]])
            )
        if len(preview) >= PREVIEW_ROWS or number >= HEADER_SEARCH_ROWS:
            break
    binary.seek(0)
    if not preview:
        raise LedgerFileError(["Filen är tom."])
    return preview


def headers_in(row: list[str]) -> list[str]:
    """The column names of a header row, each once."""
    seen, headers = set(), []
    for cell in row:
        name = cell.strip()
        if name and name not in seen:
            seen.add(name)
            headers.append(name)
    return headers


def headers_of(binary, file_name: str) -> list[str]:
    """The likely header row's column names."""
    preview = preview_of(binary, file_name)
    number = guess_header_row(preview)
    if number is None:
        raise LedgerFileError(["Hittar ingen rubrikrad i filens första 50 rader."])
    return headers_in(dict(preview)[number])


@dataclass
class MappedTable:
    """Where each mapped field sits, the file's own name of each, and the data rows below the
    header row."""

    positions: dict[str, int]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]
    headers: dict[str, str]


def _find_columns(row: list[str], mapping: dict[str, str]) -> dict[str, int] | None:
    """The column of each mapped field in a row, or None when the row is not the header.

    A field's mapped header is looked for first; a file that names the field another way (a
    known synonym of the same field, see FIELD_SYNONYMS) is read by that name, so one source
    reads both spellings. A synonym is only taken when one column of the row has it and no
    other field took that column.
    """
    normalised = [_normalise(cell) for cell in row]
    keys = [header_key(cell) for cell in row]
    positions: dict[str, int] = {}
    missing = []
    for field, header in mapping.items():
        if _normalise(header) in normalised:
            positions[field] = normalised.index(_normalise(header))
        else:
            missing.append(field)
    taken = set(positions.values())
    for field in missing:
        wanted = set(synonym_keys(field)) | {header_key(mapping[field])}
        found = [i for i, key in enumerate(keys) if key in wanted and i not in taken]
        if len(found) != 1:
            return None
        positions[field] = found[0]
        taken.add(found[0])
    return positions


def mapped_table(binary, file_name: str, mapping: dict[str, str]) -> MappedTable:
    wanted = {field: header for field, header in mapping.items() if header}
    rows = raw_rows(binary, file_name)
    for number, row in rows:
        positions = _find_columns(row, wanted)
        if positions is not None:
            headers = {field: row[index].strip() for field, index in positions.items()}
            return MappedTable(positions, number, rows, headers)
        if number >= HEADER_SEARCH_ROWS:
            break
    names = ", ".join(f"”{mapping[f]}”" for f in wanted)
    raise LedgerFileError(
        [f"Hittar ingen rubrikrad med kolumnerna {names} bland filens första 50 rader."]
    )


def mapped_rows(binary, file_name: str, mapping: dict[str, str]) -> Iterator[tuple[int, dict]]:
    """Yield (line number, {field: text}) for each data row below the header row."""
    table = mapped_table(binary, file_name, mapping)
    positions = table.positions
    width = max(positions.values()) + 1
    for number, row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield number, {field: row[index].strip() for field, index in positions.items()}
