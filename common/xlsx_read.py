"""Read the first sheet of an XLSX file as rows of text, after checking the package's size
before the reader loads it, so a small file cannot take the server's memory: a far cell
(`XFD1048576`) makes readers allocate the whole range, a huge or much-repeated shared string
is copied into every cell that uses it.

The check streams the package's XML through a few regular expressions (no XML tree), reads
the declared dimension, the cells actually referenced and the shared strings' lengths, and
refuses with a Swedish message that states the limit.
"""

import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .refusals import Refused

# Excel's own limit for the text of a cell.
EXCEL_MAX_TEXT = 32_767
_CHUNK = 1 << 20

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
_CELL_COLUMN = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)[0-9]')
_CELL_ROW = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="[A-Z]+([0-9]+)"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]+)"')
_SHARED_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*\bt="s"[^>]*>\s*<(?:\w+:)?v>\s*([0-9]+)')
_SHARED_ITEM = re.compile(rb"<(?:\w+:)?si[\s>].*?</(?:\w+:)?si>", re.DOTALL)
_TEXT_RUN = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)<")
_LONG_TEXT = re.compile(rb"[^<]{%d,}" % (EXCEL_MAX_TEXT * 4 + 1))


_RANGE = re.compile(r"\$?([A-Z]{1,7})\$?([0-9]{1,10})(?::\$?([A-Z]{1,7})\$?([0-9]{1,10}))?")
BROKEN = "Filen går inte att läsa som en Excel-fil (xlsx): den är skadad."


class XlsxRefused(Refused):
    """The package is refused before loading; the message is Swedish."""


@dataclass(frozen=True)
class XlsxLimits:
    max_cells: int = 10_000_000
    max_uncompressed: int = 1_000_000_000
    max_shared_text: int = 200_000_000  # characters copied into cells from shared strings


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def column_number(letters: bytes | str) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _area_of(ref: str) -> int | None:
    match = re.fullmatch(
        r"\$?([A-Z]{1,7})\$?([0-9]{1,10})(?::\$?([A-Z]{1,7})\$?([0-9]{1,10}))?", ref
    )
    if not match:
        return None
    first_col, first_row = column_number(match.group(1)), int(match.group(2))
    last_col = column_number(match.group(3)) if match.group(3) else first_col
    last_row = int(match.group(4)) if match.group(4) else first_row
    return (abs(last_col - first_col) + 1) * (abs(last_row - first_row) + 1)


def _chunks(package: zipfile.ZipFile, name: str):
    """The member's bytes in chunks that never split a tag: each ends after a '>'."""
    carry = b""
    with package.open(name) as member:
        while True:
            data = member.read(_CHUNK)
            if not data:
                if carry:
                    yield carry
                return
            data = carry + data
            cut = data.rfind(b">") + 1
            if cut == 0:
                if len(data) > 64 * _CHUNK:
                    yield data  # no tag at all in 64 MB: let the checks see it as text
                    carry = b""
                else:
                    carry = data
                continue
            yield data[:cut]
            carry = data[cut:]


def _shared_lengths(package: zipfile.ZipFile, name: str) -> list[int]:
    """The length in characters of each shared string, in order (bytes/UTF-8 estimate)."""
    lengths: list[int] = []
    carry = b""
    for chunk in _chunks(package, name):
        data = carry + chunk
        end = 0
        for item in _SHARED_ITEM.finditer(data):
            runs = _TEXT_RUN.findall(item.group())
            lengths.append(sum(len(run) for run in runs))
            end = item.end()
        carry = data[end:]
        if len(carry) > 8 * _CHUNK + EXCEL_MAX_TEXT * 8:
            # One shared string far longer than a cell can hold.
            raise XlsxRefused(
                "En text i filen är längre än Excel tillåter i en cell "
                f"({_thousands(EXCEL_MAX_TEXT)} tecken)."
            )
    return lengths


def check_xlsx(binary, limits: XlsxLimits = XlsxLimits()) -> None:
    """Raise XlsxRefused when the package is not a readable XLSX or exceeds the limits.

    `binary` is a seekable binary file; it is left at position 0.
    """
    binary.seek(0)
    try:
        package = zipfile.ZipFile(binary)
        members = package.infolist()
    # NotImplementedError: a damaged header that names a zip version Python cannot read.
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise XlsxRefused("Filen går inte att läsa som en Excel-fil (xlsx).") from exc
    try:
        _check_package(package, members, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise XlsxRefused(BROKEN) from exc
    except zlib.error as exc:  # a damaged deflate stream in a member
        raise XlsxRefused(BROKEN) from exc
    finally:
        binary.seek(0)


def _check_package(package, members, limits: XlsxLimits) -> None:
    names = {member.filename for member in members}
    sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n))
    if "xl/workbook.xml" not in names or not sheets:
        raise XlsxRefused("Filen är inte en Excel-fil (xlsx): arbetsboken eller bladen saknas.")
    total = sum(member.file_size for member in members)
    if total > limits.max_uncompressed:
        raise XlsxRefused(
            f"Excel-filen packas upp till {_thousands(total // 1_000_000)} MB; "
            f"gränsen är {_thousands(limits.max_uncompressed // 1_000_000)} MB."
        )
    shared_name = next((n for n in names if n.lower() == "xl/sharedstrings.xml"), None)
    shared = _shared_lengths(package, shared_name) if shared_name else []
    if any(length > EXCEL_MAX_TEXT * 4 for length in shared):
        raise XlsxRefused(
            "En text i filen är längre än Excel tillåter i en cell "
            f"({_thousands(EXCEL_MAX_TEXT)} tecken)."
        )
    for sheet in sheets:
        _check_sheet(package, sheet, shared, limits)


# A text longer than a cell holds is a run of this many bytes without a '<'; such a run
# holds a whole aligned block of half its length, so a chunk whose every block has a '<' is
# found clear with a few `find` calls instead of a regular-expression scan.
_HALF_TEXT = (EXCEL_MAX_TEXT * 4 + 1) // 2


def _may_hold_long_text(chunk: bytes) -> bool:
    return any(
        chunk.find(b"<", start, start + _HALF_TEXT) < 0
        for start in range(0, len(chunk) - _HALF_TEXT + 1, _HALF_TEXT)
    )


def _count_tags(chunk: bytes, name: bytes) -> int:
    """How many elements `name` open in the chunk, with or without a namespace prefix, counted
    in C (`bytes.count`). Other names that start alike (`<cols>`, `<rowBreaks>`) and text that
    looks like a prefixed tag are counted too: the count errs high, which only makes the
    checks stricter or slower, never blind."""
    return chunk.count(b"<" + name) + chunk.count(b":" + name)


def _refuse_cells(cells: int, limits: XlsxLimits, what: str) -> None:
    raise XlsxRefused(
        f"Excel-filens blad {what} {_thousands(cells)} celler; gränsen är "
        f"{_thousands(limits.max_cells)} celler. Spara bara raderna och kolumnerna med data."
    )


def _check_sheet(package, name: str, shared: list[int], limits: XlsxLimits) -> None:
    max_row = max_col = rows = 0
    shared_text = 0
    first = True
    for chunk in _chunks(package, name):
        if first:
            first = False
            declared = _DIMENSION.search(chunk[:65536])
            if declared:
                area = _area_of(declared.group(1).decode("ascii", "replace"))
                if area is not None and area > limits.max_cells:
                    _refuse_cells(
                        area, limits, f"anger området {declared.group(1).decode()}, alltså"
                    )
        if _may_hold_long_text(chunk) and _LONG_TEXT.search(chunk):
            raise XlsxRefused(
                "En text i filen är längre än Excel tillåter i en cell "
                f"({_thousands(EXCEL_MAX_TEXT)} tecken)."
            )
        columns = _CELL_COLUMN.findall(chunk)
        if columns:
            widest = max(set(columns), key=lambda text: (len(text), text))
            max_col = max(max_col, column_number(widest) if len(widest) <= 4 else 10**9)
            max_row = max(max_row, max(map(int, set(_CELL_ROW.findall(chunk))), default=0))
        row_numbers = _ROW_NUMBER.findall(chunk)
        if row_numbers:
            max_row = max(max_row, max(map(int, row_numbers)))
        rows += _count_tags(chunk, b"row")
        cells = _count_tags(chunk, b"c")
        if cells > len(columns):
            # Cells without a reference sit one after another: count them per row.
            for segment in _ROW.split(chunk):
                max_col = max(max_col, len(_CELL.findall(segment)))
        if max(max_row, rows) * max(max_col, 1) > limits.max_cells:
            _refuse_cells(max(max_row, rows) * max(max_col, 1), limits, "spänner över")
        if shared:
            indexes = _SHARED_CELL.findall(chunk)
            if indexes:
                size = len(shared)
                shared_text += sum(
                    shared[index] if index < size else 0 for index in map(int, indexes)
                )
                if shared_text > limits.max_shared_text:
                    raise XlsxRefused(
                        "Excel-filens celler upprepar delade texter till mer än "
                        f"{_thousands(limits.max_shared_text)} tecken sammanlagt; "
                        "filen är inte en rimlig export."
                    )


def cell_text(cell) -> str:
    """A cell as text: numbers exactly as the file stores them, never rounded."""
    if isinstance(cell, str):
        return cell
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "SANT" if cell else "FALSKT"
    if isinstance(cell, float):
        if not math.isfinite(cell):
            return "NaN" if math.isnan(cell) else ("−" if cell < 0 else "") + "oändligt"
        if cell.is_integer() and abs(cell) < 1e16:
            return str(int(cell))
        # The shortest text that reads back as the same float: what the file holds, so
        # 100.005 stays 100.005 (and is refused as an amount) instead of becoming 100.00.
        return format(Decimal(repr(cell)), "f")
    if hasattr(cell, "isoformat"):
        return cell.isoformat()[:10]
    return str(cell)


def xlsx_rows(binary, limits: XlsxLimits = XlsxLimits()) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of the first sheet; XlsxRefused before anything is loaded
    when the package is broken or too large."""
    from python_calamine import CalamineWorkbook

    check_xlsx(binary, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(binary)
        rows = workbook.get_sheet_by_index(0).iter_rows()
    except Exception as exc:  # calamine raises its own kinds for a broken file
        raise XlsxRefused("Filen går inte att läsa som en Excel-fil (xlsx).") from exc
    for number, row in enumerate(rows, start=1):
        if row.count("") + row.count(None) == len(row):
            yield number, []  # an empty row, told in C: a million of them cost no cell loop
        else:
            yield number, [cell_text(cell) for cell in row]
