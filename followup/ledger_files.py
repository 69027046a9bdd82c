"""Read ledger exports (huvudbok, transaktionslista; CSV, XLSX or SIE) row by row, without
loading them whole, and check each row: pure reading, no database.

Real exports vary: semicolon or comma, Windows-1252 or UTF-8 with BOM, title lines before
the header, columns in any order. A source's mapping names the header of each column we read;
the header row is the first row that holds them all.

Every file gets an answer: what cannot be read is a LedgerFileError with a Swedish message
naming the line, raised before anything is saved. Before the rows are read, the file is
scanned once for what would break the reader or the database: bytes that are no character,
NUL bytes, lines too long to be ledger rows (CSV), and sizes that would take the server's
memory (XLSX, see common.xlsx_read.check_xlsx).

The rows a file keeps (those on grant cost objects) are checked and built into tuples in
LEDGER_COLUMNS order, handed on in batches (`read_rows`); every problem goes to `Problems`
and stops the batching, so a refused file writes nothing. The writer is
followup.ledger_writer, the import followup.actions.do_import_ledger_file.
"""

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from common.money import AmountError, ledger_amount, parse_decimal
from common.refusals import Refused
from common.xlsx_read import XlsxLimits, XlsxRefused, xlsx_rows

from .models import CODE_LENGTHS
from .sie import parse_sie

HEADER_SEARCH_ROWS = 50
PREVIEW_ROWS = 15
PREVIEW_COLUMNS = 30
SAMPLE_BYTES = 64 * 1024
SCAN_CHUNK = 1 << 20
# No ledger row is near this long; a longer line would only make one enormous row in memory.
# At least SCAN_CHUNK (scan_text checks only each chunk's first line).
MAX_LINE_BYTES = 1 << 20
# Bytes Windows-1252 leaves undefined.
_NOT_CP1252_BYTES = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
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


class LedgerFileError(Refused):
    """The file cannot be read as a ledger export; `messages` name the line where one does."""


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


def _line_at(binary, offset: int) -> int:
    """The line (from 1) that the file's byte at `offset` is on: the newlines before it,
    counted again. Only a message needs it, so the scan itself counts no lines."""
    binary.seek(0)
    line, left = 1, offset
    while left > 0 and (chunk := binary.read(min(SCAN_CHUNK, left))):
        line += chunk.count(b"\n")
        left -= len(chunk)
    binary.seek(0)
    return line


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
    # Where in the file (bytes) each finding is; turned into a line only for a message.
    utf8_error = None  # (offset, byte)
    utf8_letters = False  # UTF-8 letters (not only ASCII) before any invalid byte
    nul = undefined = None
    offset = 0  # of the chunk's first byte
    current = 0  # bytes of the line the chunk begins in, before the chunk
    chunk = first
    while chunk:
        if utf8_error is None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # exc.object is the decoder's held bytes (a letter begun in the chunk
                # before) followed by this chunk.
                held = len(exc.object) - len(chunk)
                utf8_error = (offset - held + exc.start, exc.object[exc.start])
                utf8_letters = utf8_letters or bool(_NOT_ASCII.search(exc.object, 0, exc.start))
            else:
                utf8_letters = utf8_letters or bool(_NOT_ASCII.search(chunk))
        if nul is None and (at := chunk.find(b"\x00")) >= 0:
            nul = offset + at
        if undefined is None:
            # One find per byte (memchr speed) rather than a regular expression's scan.
            found = [at for at in map(chunk.find, _NOT_CP1252_BYTES) if at >= 0]
            if found:
                at = min(found)
                undefined = (offset + at, chunk[at])
        # Only the chunk's first line (which may have begun in the chunks before) can be too
        # long: any other ends within this chunk, and a chunk is at most MAX_LINE_BYTES.
        first_newline = chunk.find(b"\n")
        first_line = current + (first_newline if first_newline >= 0 else len(chunk))
        if first_line > MAX_LINE_BYTES:
            line = _line_at(binary, offset)
            raise LedgerFileError(
                [
                    f"Rad {line}: raden är längre än "
                    f"{_thousands(MAX_LINE_BYTES // 1024)} kB; det är inte en huvudboksexport."
                ],
                row=line,
            )
        current = len(chunk) - chunk.rfind(b"\n") - 1 if first_newline >= 0 else first_line
        offset += len(chunk)
        chunk = binary.read(SCAN_CHUNK)
    if utf8_error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_error = (offset, 0)
    binary.seek(0)
    if nul is not None:
        line = _line_at(binary, nul)
        raise LedgerFileError(
            [
                f"Rad {line}: filen innehåller ett NUL-tecken (byte 0x00). Det är inte en "
                "textfil (CSV); spara exporten som CSV eller XLSX."
            ],
            row=line,
        )
    if utf8_error and (bom or utf8_letters):
        line = _line_at(binary, utf8_error[0])
        raise LedgerFileError(
            [
                f"Rad {line}: filen är skriven i UTF-8 men byte 0x{utf8_error[1]:02X} "
                "är inte giltig UTF-8; filen är skadad eller blandar teckenkodningar. Spara "
                "exporten på nytt."
            ],
            row=line,
        )
    encoding = "utf-8-sig" if bom else ("utf-8" if utf8_error is None else "cp1252")
    if encoding == "cp1252" and undefined is not None:
        line = _line_at(binary, undefined[0])
        raise LedgerFileError(
            [
                f"Rad {line}: byte 0x{undefined[1]:02X} är varken giltig UTF-8 eller ett "
                "tecken i Windows-1252. Filen är skadad eller sparad med en annan "
                "teckenkodning; spara den som UTF-8 eller Windows-1252."
            ],
            row=line,
        )
    sample = first[:SAMPLE_BYTES].decode(encoding, errors="replace")
    first_lines = sample.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max([";", ",", "\t"], key=lambda d: sum(line.count(d) for line in first_lines))
    return _Scan(encoding, delimiter)


class MergedRows(LedgerFileError):
    """Rows were merged by an unclosed quote: the line numbers read so far cannot be
    trusted, so this problem replaces any found in the rows."""


class SkippedLines:
    """What a CSV file's reader skips once the import knows what it keeps (`keep_only`): a
    line that holds none of the kept words (the grant objects' numbers) and no quote
    character can be no kept row, and no check reads a row that is not kept, so it is not
    parsed, only counted (`passed`, unless blank, as its row would be). Parsing is most of a
    whole ledger's import: 98 % of its rows are on other objects.

    A line with a quote is always parsed. A record that spans lines is refused as a reading of
    every line refuses it: the csv reader then asks for more lines than it gives records, or
    fails, and the message is made by reading the file again from the start."""

    def __init__(self):
        self.passed = 0
        self.words: tuple[str, ...] | None = None

    def keep_only(self, words) -> None:
        # Substring tests, one per word: faster in CPython than one regular expression.
        self.words = ('"', *words)


class _Lines:
    """The lines of a CSV file as its csv reader asks for them, but those `skipped` names;
    `line` is the number of the last one handed on (a record's line, as a record is one line
    unless it is refused)."""

    def __init__(self, text, delimiter: str, skipped: SkippedLines):
        self._text = text
        self._delimiter = delimiter
        self._skipped = skipped
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if (words := self._skipped.words) is None:
            line = next(self._text)
            self.line += 1
            return line
        delimiter = self._delimiter
        number, passed = self.line, 0
        try:
            for line in self._text:
                number += 1
                for word in words:
                    if word in line:
                        return line
                # Not blank (the first character says so, nearly always), or blank once the
                # delimiters and spaces are gone, as the row's joined cells would be.
                if line[:1] not in " \t\r\n" and line[:1] != delimiter:
                    passed += 1
                elif line.replace(delimiter, "").strip():
                    passed += 1
            raise StopIteration
        finally:
            self.line = number
            self._skipped.passed += passed


def _csv_rows(binary, skipped: SkippedLines | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each record; the lines `skipped` names once it keeps only some are
    counted there, not parsed. A record spanning several lines (an unclosed quote that would
    merge rows) is found at the end, when the counts of records and of lines differ."""
    scan = scan_text(binary)
    text = io.TextIOWrapper(binary, encoding=scan.encoding, newline="")
    lines = _Lines(text, scan.delimiter, skipped or SkippedLines())
    # strict: a quote that closes and is followed by more text, or never closes, is an error.
    reader = csv.reader(lines, delimiter=scan.delimiter, strict=True)
    records = 0
    try:
        for row in reader:
            records += 1
            yield lines.line, row
    except GeneratorExit:
        # The caller stopped early (a preview, a header search): the wrapper must let go of
        # the caller's file, or its collection would close the upload.
        text.detach()
        raise
    except csv.Error as exc:
        text.detach()
        # Named as a reading of every line names it: lines skipped or not.
        raise _reading_error(binary, scan) from exc
    text.detach()  # the caller's file stays open
    if records != reader.line_num:  # a record over several lines
        raise _reading_error(binary, scan)


def _reading_error(binary, scan: _Scan) -> LedgerFileError:
    """Why a reading of the file failed, as a reading of every line from the start names it
    (read again only then): the first record the csv module refuses, or else the first record
    that spans several lines (MergedRows)."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=scan.encoding, newline="")
    reader = csv.reader(text, delimiter=scan.delimiter, strict=True)
    records = 0
    merged = None  # (first line, last line) of the first record over several lines
    try:
        for _row in reader:
            if merged is None and reader.line_num != records + 1:
                merged = (records + 1, reader.line_num)
            records += 1
    except csv.Error as exc:
        # Named by its record's number, as the import has always named it.
        line, last = records + 1, reader.line_num
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
        return LedgerFileError([message], row=line)
    finally:
        text.detach()
    if merged is None:
        return MergedRows(
            [
                'Ett fält börjar med citattecken (") som aldrig avslutas. Ta bort eller '
                "dubblera citattecknet och läs in filen igen."
            ]
        )
    first, last = merged
    return MergedRows(
        [
            f'Rad {first}: ett fält börjar med citattecken (") som inte avslutas på samma rad, '
            f"så raderna {first}–{last} skulle läsas som en enda rad. Ta bort eller dubblera "
            "citattecknet och läs in filen igen."
        ],
        row=first,
    )


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


def raw_rows(
    binary, file_name: str, skipped: SkippedLines | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each row of a CSV or XLSX file; a CSV file's lines that `skipped`
    names once it keeps only some are counted there, not read (an XLSX file's are all read)."""
    binary.seek(0)
    start = binary.read(4)
    binary.seek(0)
    return _xlsx_rows(binary) if is_xlsx(start, file_name) else _csv_rows(binary, skipped)


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
    skipped: SkippedLines


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
    skipped = SkippedLines()
    rows = raw_rows(binary, file_name, skipped)
    for number, row in rows:
        positions = _find_columns(row, wanted)
        if positions is not None:
            headers = {field: row[index].strip() for field, index in positions.items()}
            return MappedTable(positions, number, rows, headers, skipped)
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


# --- Checking rows --------------------------------------------------------------------------

SIE_SUFFIXES = (".se", ".si", ".sie")
# What the upload limit's message calls a ledger file: "gränsen för huvudboksfiler är 100 MB".
UPLOAD_WHAT = "huvudboksfiler"
# At most this many problems are listed; the rest are counted.
MAX_LISTED_PROBLEMS = 100
# Kept rows go to the server in batches this size while the file is still read: a whole ledger
# keeps about 20 000 rows (2 %), which in one batch at the end would wait for its last line.
BATCH_ROWS = 2_000
_PERIOD = re.compile(r"([0-9]{4})-?([0-9]{2})(?:-?([0-9]{2}))?")
_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})")
# read_mapped_rows' caches of object, period and date cells: a cell not yet read, one refused,
# and how many cells each cache holds at most.
_UNSEEN = object()
_BAD = object()
_CACHED = 20_000


class LedgerImportError(Refused):
    """The file is refused; `messages` lists each bad row with its line and field."""


class Problems:
    """Problems of one file: the first MAX_LISTED_PROBLEMS kept, the rest counted."""

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS):
        self.limit = limit
        self.listed: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(message)

    def extend(self, messages: Iterable[str]) -> None:
        for message in messages:
            self.add(message)

    def clear(self) -> None:
        self.listed, self.count = [], 0

    def __bool__(self) -> bool:
        return self.count > 0

    def messages(self) -> list[str]:
        extra = self.count - len(self.listed)
        if extra > 0:
            return self.listed + [
                f"… och {extra} fel till (de första {self.limit} visas). Rätta dem och läs in "
                "filen igen."
            ]
        return list(self.listed)


def shown(text: str, length: int = 40) -> str:
    """A value as a message quotes it: never the whole of a huge cell."""
    return text if len(text) <= length else text[:length] + "…"


class GrantObjects:
    """The grant cost objects by number and year, from (number, year, pk) rows read once."""

    def __init__(self, rows: Iterable[tuple[str, int, int]]):
        self.by_number: dict[str, dict[int, int]] = {}
        for number, year, pk in rows:
            self.by_number.setdefault(number, {})[year] = pk

    def get(self, number: str, year: int) -> int | None:
        return self.by_number.get(number, {}).get(year)


class KeptRows:
    """The rows a file keeps, as tuples in LEDGER_COLUMNS order, batched for the writer; and
    what the import records of them: how many, the outcome's total, the (object, year, month,
    budget) combinations it replaces. After the first problem nothing more is batched: the
    file will be refused.

    `by_code` ((object, activity code) → activity) and `by_link` ((object, ansvar) →
    activity) tie a row to its activity; they are read by followup.ledger_writer.kept_rows.
    """

    def __init__(self, import_pk: int, objects: GrantObjects, by_code: dict, by_link: dict):
        self.import_pk = import_pk
        self.objects = objects
        self.by_code = by_code
        self.by_link = by_link
        self.batch: list[tuple] = []
        self.kept = 0
        self.total = Decimal(0)
        self.combos: set[tuple[int, int, int, bool]] = set()
        self.writing = True
        self.rows_total = 0
        self.ignored = 0

    def add(
        self,
        line: int,
        cost_object: int,
        year: int,
        month: int,
        date,
        amount: Decimal,
        account: str = "",
        responsibility: str = "",
        activity_code: str = "",
        voucher: str = "",
        text: str = "",
        is_budget: bool = False,
    ) -> None:
        self.kept += 1
        if not is_budget:
            self.total += amount
        self.combos.add((cost_object, year, month, is_budget))
        if not self.writing:
            return
        activity = None
        if activity_code:
            activity = self.by_code.get((cost_object, activity_code))
        if activity is None:
            activity = self.by_link.get((cost_object, responsibility))
        self.batch.append(  # LEDGER_COLUMNS order, as read_mapped_rows builds it too
            (
                self.import_pk,
                cost_object,
                activity,
                year,
                month,
                date,
                account,
                responsibility,
                activity_code,
                voucher,
                text,
                amount,
                is_budget,
                line,
            )
        )

    def stop(self) -> None:
        """A problem was found: the file will be refused, so batch nothing more."""
        self.writing = False
        self.batch.clear()

    def months(self) -> list[tuple[int, int]]:
        return sorted({(year, month) for _, year, month, _ in self.combos})


def _object_number(text: str) -> str:
    text = text.strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _parse_period(text: str):
    match = _PERIOD.fullmatch(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1990 <= year <= 2100):
        return None
    if match.group(3) is not None:
        try:  # a date as the period must be a real day: 2023-02-30 is not February
            datetime.date(year, month, int(match.group(3)))
        except ValueError:
            return None
    return year, month


def _parse_date(text: str):
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day if 1990 <= day.year <= 2100 else None


def is_sie_file(binary, file_name: str) -> bool:
    binary.seek(0)
    start = binary.read(16)
    binary.seek(0)
    return file_name.lower().endswith(SIE_SUFFIXES) or start.lstrip().startswith(b"#FLAGGA")


def file_format(binary, file_name: str, size: int | None, source) -> str:
    """ "sie", "xlsx" or "csv"; refused (LedgerImportError) when the file cannot be read as
    that: an SIE file over its own size limit, a CSV or XLSX file without a source's columns."""
    if is_sie_file(binary, file_name):
        sie_limit = settings.LEDGER_SIE_MAX_UPLOAD_MB * 1024 * 1024
        if size is not None and size > sie_limit:
            # The SIE reader tokenises every line: a larger file would hold a worker past 10 s.
            raise LedgerImportError(
                [
                    f"SIE-filen är {size / 1024 / 1024:.0f} MB; gränsen för SIE-filer är "
                    f"{settings.LEDGER_SIE_MAX_UPLOAD_MB} MB. Exportera färre perioder eller "
                    "bara statsbidragsobjekten, eller en CSV-fil."
                ]
            )
        return "sie"
    if source is None:
        raise LedgerImportError(["Välj källa: filen är inte en SIE-fil."])
    if not source.mapping:
        raise LedgerImportError(
            [f"Källan ”{source}” har inga kolumner; den används bara för SIE-filer."]
        )
    binary.seek(0)
    start = binary.read(4)
    binary.seek(0)
    return "xlsx" if is_xlsx(start, file_name) else "csv"


def read_rows(
    binary, file_name: str, file_format: str, source, kept: KeptRows, problems: Problems
) -> Iterator[list[tuple]]:
    """The kept rows of a file in batches (the last one shorter), checked as they are read;
    problems go to `problems`. The writer must take each batch before asking for the next."""
    if file_format == "sie":
        dims = SieDimensions.of(source)
        binary.seek(0)
        sie = parse_sie(binary, keep=sie_keep(kept.objects, dims.cost_object))
        yield from read_sie_rows(sie, kept, problems, dims)
    else:
        try:
            table = mapped_table(binary, file_name, source.mapping)
            yield from read_mapped_rows(
                table.rows,
                table.positions,
                table.headers,
                kept,
                problems,
                # A CSV file with a NUL byte is refused before its rows are read.
                check_nul=file_format == "xlsx",
                skipped=table.skipped,
            )
        except LedgerFileError as exc:
            if isinstance(exc, MergedRows):
                problems.clear()  # line numbers read after the merge cannot be trusted
            problems.extend(exc.messages)
            kept.stop()
    if kept.batch:
        yield kept.batch


def read_mapped_rows(
    rows: Iterator[tuple[int, list[str]]],
    positions: dict[str, int],
    headers: dict[str, str],
    kept: KeptRows,
    problems: Problems,
    *,
    check_nul: bool = True,
    skipped: SkippedLines | None = None,
) -> Iterator[list[tuple]]:
    """Check rows from a mapped CSV or XLSX file; rows on other objects are only counted.
    Yields each full batch of kept rows (the caller writes it before the next is made).

    Only the object cell is looked at before a row is known to be on a grant object, so the
    98 % of a ledger on other objects cost almost nothing; kept rows go straight into the
    batch. This loop is the import's hot path: keep it flat.
    """
    numbers = kept.objects.by_number
    total = ignored = 0
    object_at, amount_at = positions["cost_object"], positions["amount"]
    period_at, date_at = positions.get("period"), positions.get("date")
    account_at = positions.get("account")
    responsibility_at = positions.get("responsibility")
    code_at = positions.get("activity_code")
    voucher_at = positions.get("voucher")
    text_at = positions.get("text")
    width = max(positions.values()) + 1
    # Each period and date cell as written → its reading (None: empty; _BAD: refused): the same
    # few hundred cells repeat down a ledger. At most _CACHED of each, so memory stays bounded.
    # Object cells seen not to be a grant object, as written.
    others: set[str] = set()
    periods: dict[str, tuple[int, int] | object | None] = {}
    dates: dict[str, datetime.date | object | None] = {}
    record_pk = kept.import_pk
    by_code, by_link = kept.by_code, kept.by_link
    combos = kept.combos
    batch = kept.batch
    count = 0
    outcome = Decimal(0)
    # The column limits as locals: this loop runs once per kept row, a million times.
    account_max, responsibility_max, code_max, voucher_max = (
        CODE_LENGTHS[name] for name in ("account", "responsibility", "activity_code", "voucher")
    )

    def refuse(message: str) -> None:
        problems.add(message)
        kept.stop()

    passed = 0  # rows on an object cell already seen to be no grant object
    if skipped is not None:
        skipped.keep_only(numbers)  # a CSV file's lines without them are counted, not read
    for line, row in rows:
        # The 98 % of a whole ledger first, in as few steps as can be.
        try:
            if row[object_at] in others:
                passed += 1
                continue
        except IndexError:
            pass
        if len(row) < width:
            if not "".join(row).strip():
                continue  # a blank line
            row = row + [""] * (width - len(row))
        number = row[object_at]
        if number not in numbers:
            if not number:
                if not "".join(row).strip():
                    continue
            else:
                cell, number = number, _object_number(number)
                if number not in numbers and len(others) < _CACHED:
                    others.add(cell)
            if number not in numbers:
                total += 1
                ignored += 1
                continue
        total += 1
        date = period = None
        if period_at is not None:
            cell = row[period_at]
            if (period := periods.get(cell, _UNSEEN)) is _UNSEEN:
                text = cell.strip()
                period = (_parse_period(text) or _BAD) if text else None
                if len(periods) < _CACHED:
                    periods[cell] = period
            if period is _BAD:
                refuse(
                    f"Rad {line}, kolumn ”{headers['period']}”: ”{shown(cell.strip())}” är ingen "
                    "period (ÅÅÅÅMM, ÅÅÅÅ-MM eller ett datum som finns)."
                )
                continue
        if date_at is not None:
            cell = row[date_at]
            if (date := dates.get(cell, _UNSEEN)) is _UNSEEN:
                text = cell.strip()
                date = (_parse_date(text) or _BAD) if text else None
                if len(dates) < _CACHED:
                    dates[cell] = date
            if date is _BAD:
                refuse(
                    f"Rad {line}, kolumn ”{headers['date']}”: ”{shown(cell.strip())}” är inget "
                    "datum som finns (ÅÅÅÅ-MM-DD)."
                )
                continue
            if period is None and date is not None:
                period = (date.year, date.month)
        if period is None:
            name = headers.get("period") or headers.get("date") or "Period"
            refuse(f"Rad {line}, kolumn ”{name}”: perioden saknas.")
            continue
        # The common shapes in one step; anything else is read (or refused) by parse_decimal.
        if (amount := ledger_amount(row[amount_at])) is None:
            try:
                amount = parse_decimal(row[amount_at], max_digits=15, decimal_places=2)
            except AmountError as exc:
                refuse(f"Rad {line}, kolumn ”{headers['amount']}”: {exc}")
                continue
        year, month = period
        cost_object = numbers[number].get(year)
        if cost_object is None:
            ignored += 1  # the number is a grant object in another year only
            continue
        account = row[account_at].strip() if account_at is not None else ""
        responsibility = row[responsibility_at].strip() if responsibility_at is not None else ""
        code = row[code_at].strip() if code_at is not None else ""
        voucher = row[voucher_at].strip() if voucher_at is not None else ""
        text = row[text_at].strip() if text_at is not None else ""
        if (
            len(account) > account_max
            or len(responsibility) > responsibility_max
            or len(code) > code_max
            or len(voucher) > voucher_max
            or (check_nul and "\x00" in account + responsibility + code + voucher + text)
        ):
            for name, value in (
                ("account", account),
                ("responsibility", responsibility),
                ("activity_code", code),
                ("voucher", voucher),
                ("text", text),
            ):
                if "\x00" in value:
                    refuse(
                        f"Rad {line}, kolumn ”{headers[name]}”: texten innehåller ett NUL-tecken."
                    )
                elif name in CODE_LENGTHS and len(value) > CODE_LENGTHS[name]:
                    refuse(
                        f"Rad {line}, kolumn ”{headers[name]}”: ”{shown(value)}” är längre än "
                        f"{CODE_LENGTHS[name]} tecken."
                    )
            continue
        count += 1
        outcome += amount
        combos.add((cost_object, year, month, False))
        if kept.writing:
            activity = by_code.get((cost_object, code)) if code else None
            if activity is None:
                activity = by_link.get((cost_object, responsibility))
            batch.append(  # LEDGER_COLUMNS order, as KeptRows.add builds it too
                (
                    record_pk,
                    cost_object,
                    activity,
                    year,
                    month,
                    date,
                    account,
                    responsibility,
                    code,
                    voucher,
                    text,
                    amount,
                    False,
                    line,
                )
            )
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch.clear()  # in place: the writer has taken it
    if skipped is not None:
        passed += skipped.passed
    kept.kept += count
    kept.total += outcome
    kept.rows_total += total + passed
    kept.ignored += ignored + passed


def sie_keep(objects: GrantObjects, object_dimension: int | None = None):
    """A filter for parse_sie: keep rows whose object list names a grant cost object."""
    numbers = objects.by_number
    if object_dimension:
        key = str(object_dimension)
        return lambda row_objects: row_objects.get(key) in numbers
    return lambda row_objects: any(value in numbers for value in row_objects.values())


@dataclass(frozen=True)
class SieDimensions:
    """Which SIE dimension holds the cost object, the ansvar and the activity code."""

    cost_object: int | None = None  # None: the grant object number in any dimension
    responsibility: int | None = 1
    activity_code: int | None = None

    @classmethod
    def of(cls, source) -> "SieDimensions":
        if source is None:
            return cls()
        return cls(
            source.sie_object_dimension,
            source.sie_responsibility_dimension,
            source.sie_activity_dimension,
        )


def read_sie_rows(
    sie, kept: KeptRows, problems: Problems, dims: SieDimensions
) -> Iterator[list[tuple]]:
    """Rows from a parsed SIE file: #TRANS (type 4) and #PSALDO (type 3) as outcome,
    #PBUDGET as budget, with the object, ansvar and activity code from their dimensions.
    Yields each full batch of kept rows."""
    problems.extend(sie.problems)
    if problems:
        kept.stop()
    kept.rows_total += sie.rows_total
    kept.ignored += sie.ignored
    objects = kept.objects
    object_key = str(dims.cost_object) if dims.cost_object else None
    responsibility_key = str(dims.responsibility) if dims.responsibility else None
    activity_key = str(dims.activity_code) if dims.activity_code else None
    for item in [*sie.transactions, *sie.period_figures]:
        if hasattr(item, "kind"):
            year, month, date = item.year, item.month, None
            voucher, text, is_budget = f"#P{item.kind.upper()}", "", item.kind == "budget"
        else:
            year, month, date = item.date.year, item.date.month, item.date
            voucher, text, is_budget = item.voucher, item.text, False
        found_in = object_key
        if object_key:
            cost_object = objects.get(item.objects.get(object_key, ""), year)
        else:
            cost_object = None
            for dimension, value in item.objects.items():
                if (cost_object := objects.get(value, year)) is not None:
                    found_in = dimension
                    break
        if cost_object is None:
            kept.ignored += 1
            continue
        # The dimension that held the object is not also the ansvar.
        responsibility = ""
        if responsibility_key and responsibility_key != found_in:
            responsibility = item.objects.get(responsibility_key, "")
        values = {
            "account": item.account,
            "responsibility": responsibility,
            "activity_code": item.objects.get(activity_key, "") if activity_key else "",
            "voucher": voucher,
        }
        bad = False
        for name, value in values.items():
            if len(value) > CODE_LENGTHS[name] or "\x00" in value:
                problems.add(
                    f"Rad {item.line}: {name.replace('_', ' ')} ”{shown(value)}” är längre än "
                    f"{CODE_LENGTHS[name]} tecken eller innehåller ett NUL-tecken."
                )
                bad = True
        if bad:
            kept.stop()
            continue
        kept.add(
            item.line,
            cost_object,
            year,
            month,
            date,
            item.amount,
            text=text,
            is_budget=is_budget,
            **values,
        )
        if len(kept.batch) >= BATCH_ROWS:
            yield kept.batch
            kept.batch.clear()
