"""Read SIE 4 transactions and SIE 3 period figures (the Swedish accounting export format)."""

import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from common.refusals import Refused

# The SIE standard's "PC8" character set.
ENCODING = "cp437"
# At most this many problems are listed; the rest are only counted.
MAX_PROBLEMS = 100
# Amounts are kept as DecimalField(max_digits=15, decimal_places=2).
MAX_AMOUNT = Decimal(10) ** 13

NOT_SIE = "Filen är inte en SIE-fil."

Objects = dict[str, str]
Token = str | tuple[str, ...]


@dataclass(frozen=True)
class SieTransaction:
    """One #TRANS row of a #VER voucher."""

    line: int
    voucher: str
    date: datetime.date
    account: str
    objects: Objects
    amount: Decimal
    text: str
    quantity: Decimal | None = None


@dataclass(frozen=True)
class SiePeriodFigure:
    """One #PSALDO (kind "saldo") or #PBUDGET (kind "budget") row."""

    line: int
    kind: str
    year_index: int
    year: int
    month: int
    account: str
    objects: Objects
    amount: Decimal
    quantity: Decimal | None = None


@dataclass
class SieFile:
    """What parse_sie read; the caller should refuse the file if problems is not empty."""

    sie_type: int | None = None
    fiscal_years: dict[int, tuple[datetime.date, datetime.date]] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)
    object_names: dict[tuple[str, str], str] = field(default_factory=dict)
    transactions: list[SieTransaction] = field(default_factory=list)
    period_figures: list[SiePeriodFigure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows_total: int = 0
    ignored: int = 0
    company_name: str = ""
    accounts: dict[str, str] = field(default_factory=dict)


class SieSyntaxError(Refused):
    """A line that cannot be split into fields; the message is Swedish."""


# --- Tokenising -----------------------------------------------------------------------------

_BLANKS = re.compile(r"[ \t]*")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_UNESCAPE = re.compile(r'\\(["\\])')
_BARE = re.compile(r"[^ \t]+")
_BARE_IN_LIST = re.compile(r"[^ \t}]+")


def _read_value(line: str, pos: int, bare: re.Pattern[str]) -> tuple[str, int]:
    if line[pos] == '"':
        match = _QUOTED.match(line, pos)
        if match is None:
            raise SieSyntaxError("en text saknar avslutande citattecken.")
        return _UNESCAPE.sub(r"\1", match.group(1)), match.end()
    match = bare.match(line, pos)
    return match.group(), match.end()


def tokenize(line: str) -> list[Token]:
    """Split one SIE line into fields: strings, and tuples of strings for {object lists}.

    Fields are separated by spaces or tabs. A quoted field may contain blanks; inside it
    \\" is a quote and \\\\ a backslash (any other backslash is kept as it is).
    """
    tokens: list[Token] = []
    pos = 0
    end = len(line)
    while True:
        pos = _BLANKS.match(line, pos).end()
        if pos >= end:
            return tokens
        if line[pos] != "{":
            value, pos = _read_value(line, pos, _BARE)
            tokens.append(value)
            continue
        items: list[str] = []
        pos += 1
        while True:
            pos = _BLANKS.match(line, pos).end()
            if pos >= end:
                raise SieSyntaxError("objektlistan saknar avslutande ”}”.")
            if line[pos] == "}":
                pos += 1
                break
            if line[pos] == "{":
                raise SieSyntaxError("objektlistan innehåller ett ”{” för mycket.")
            value, pos = _read_value(line, pos, _BARE_IN_LIST)
            items.append(value)
        tokens.append(tuple(items))


def quote(text: str) -> str:
    """Write text as a quoted SIE field, the inverse of tokenize for one field."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- Fields ---------------------------------------------------------------------------------


class _RowProblem(Refused):
    """A problem with one line; the message is Swedish and completes "Rad N, #LABEL: "."""


_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{8}")
_PERIOD = re.compile(r"[0-9]{6}")
_INTEGER = re.compile(r"-?[0-9]+")
_ACCOUNT = re.compile(r"[0-9]+")


def _field(tokens: list[Token], index: int, name: str) -> str:
    if index >= len(tokens):
        raise _RowProblem(f"{name} saknas.")
    value = tokens[index]
    if isinstance(value, tuple):
        raise _RowProblem(f"{name} ska vara ett värde, inte en objektlista.")
    return value


def _optional(tokens: list[Token], index: int, name: str) -> str:
    return _field(tokens, index, name) if index < len(tokens) else ""


def _amount(text: str, name: str = "beloppet", *, money: bool = True) -> Decimal:
    """A number; for money exactly as the database keeps it (öre, below 10^13 kr) or refused."""
    if text == "":
        raise _RowProblem(f"{name} saknas.")
    if len(text) > 40:
        raise _RowProblem(f"{name} ”{text[:20]}…” är för långt för att vara ett tal.")
    if not _AMOUNT.fullmatch(text):
        raise _RowProblem(f"{name} ”{text}” är inte ett tal.")
    value = Decimal(text)
    if money:
        if value != value.quantize(Decimal("0.01")):
            raise _RowProblem(f"{name} ”{text}” har fler än två decimaler (öre).")
        if abs(value) >= MAX_AMOUNT:
            raise _RowProblem(f"{name} ”{text}” är för stort (högst 13 siffror i kronor).")
    return value


def _date(text: str, name: str = "datumet") -> datetime.date:
    if _DATE.fullmatch(text):
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise _RowProblem(f"{name} ”{text}” är inte ett datum (ÅÅÅÅMMDD).")


def _period(text: str) -> tuple[int, int]:
    if _PERIOD.fullmatch(text) and 1 <= int(text[4:]) <= 12:
        return int(text[:4]), int(text[4:])
    raise _RowProblem(f"perioden ”{text}” är inte en period (ÅÅÅÅMM).")


def _integer(text: str, name: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise _RowProblem(f"{name} ”{text}” är inte ett heltal.")
    return int(text)


def _account(text: str) -> str:
    if not _ACCOUNT.fullmatch(text):
        raise _RowProblem(f"kontot ”{text}” är inte ett kontonummer.")
    return text


def _dimension(text: str) -> str:
    if not _ACCOUNT.fullmatch(text):
        raise _RowProblem(f"dimensionen ”{text}” är inte ett nummer.")
    return str(int(text))


def _objects(tokens: list[Token], index: int) -> Objects:
    if index >= len(tokens):
        raise _RowProblem("objektlistan saknas.")
    items = tokens[index]
    if not isinstance(items, tuple):
        raise _RowProblem(f"objektlistan saknas (”{items}” står där ”{{…}}” ska stå).")
    if len(items) % 2:
        raise _RowProblem(
            "objektlistan har ett udda antal värden (den ska ha par av dimension och objekt)."
        )
    objects: Objects = {}
    for i in range(0, len(items), 2):
        dimension = _dimension(items[i])
        if dimension in objects:
            raise _RowProblem(f"dimensionen {dimension} står två gånger i objektlistan.")
        if items[i + 1] == "":
            raise _RowProblem(f"objektet för dimension {dimension} är tomt.")
        objects[dimension] = items[i + 1]
    return objects


def _quantity(tokens: list[Token], index: int) -> Decimal | None:
    text = _optional(tokens, index, "kvantiteten")
    return _amount(text, "kvantiteten", money=False) if text else None


# --- Parsing --------------------------------------------------------------------------------


@dataclass
class _Voucher:
    line: int
    name: str
    date: datetime.date | None
    text: str
    block_line: int = 0
    rows: list[SieTransaction] = field(default_factory=list)
    total: Decimal = Decimal(0)
    row_problems: bool = False


_TRANS_LABELS = {"#TRANS", "#RTRANS", "#BTRANS"}
_UTF8_BOM = b"\xef\xbb\xbf"


class _Parser:
    def __init__(self, keep: Callable[[Objects], bool] | None):
        self.result = SieFile()
        self.keep = keep
        self.voucher: _Voucher | None = None
        self.is_sie = False
        self.suppressed = 0

    def problem(self, message: str) -> None:
        if len(self.result.problems) < MAX_PROBLEMS:
            self.result.problems.append(message)
        else:
            self.suppressed += 1

    def kept(self, objects: Objects) -> bool:
        if self.keep is None or self.keep(objects):
            return True
        self.result.ignored += 1
        return False

    def run(self, lines: Iterator[tuple[int, str]]) -> SieFile:
        started = False
        for number, text in lines:
            stripped = text.strip(" \t\r\n\x1a")
            if not stripped:
                continue
            if not started:
                started = True
                if not stripped.startswith("#"):
                    break
            self.line(number, stripped)
        self.close_voucher_at_end()
        if not self.is_sie:
            self.result.problems.insert(0, NOT_SIE)
        if self.suppressed:
            self.result.problems.append(f"Ytterligare {self.suppressed} problem visas inte.")
        return self.result

    def line(self, number: int, stripped: str) -> None:
        voucher = self.voucher
        if stripped == "{":
            if voucher is None:
                self.problem(f"Rad {number}: ”{{” utan #VER före.")
            elif voucher.block_line:
                self.problem(f"Rad {number}: ”{{” inuti ett block som redan är öppet.")
            else:
                voucher.block_line = number
            return
        if stripped == "}":
            if voucher is None or not voucher.block_line:
                self.problem(f"Rad {number}: ”}}” utan något öppet block.")
            else:
                self.finish_voucher()
            return
        if not stripped.startswith("#"):
            self.problem(f"Rad {number}: raden är ingen SIE-post (den ska börja med ”#”).")
            return
        label = stripped.split(None, 1)[0].upper()
        if voucher is not None and not (voucher.block_line and label in _TRANS_LABELS):
            self.abandon_voucher()
        handler = _HANDLERS.get(label)
        if handler is None:
            return
        try:
            handler(self, number, tokenize(stripped))
        except (SieSyntaxError, _RowProblem) as error:
            self.problem(f"Rad {number}, {label}: {error}")
            if label in ("#TRANS", "#PSALDO", "#PBUDGET"):
                self.result.rows_total += 1
            if label == "#TRANS" and self.voucher is not None:
                self.voucher.row_problems = True
            if label == "#VER" and self.voucher is None:
                # A #VER that could not even be split still opens a block of its own.
                self.voucher = _Voucher(line=number, name="", date=None, text="")

    def abandon_voucher(self) -> None:
        voucher = self.voucher
        self.voucher = None
        if voucher.block_line:
            self.problem(f"Rad {voucher.block_line}, #VER: blocket ”{{” avslutas aldrig med ”}}”.")
        else:
            self.problem(
                f"Rad {voucher.line}, #VER: verifikationen saknar block med #TRANS-rader "
                "(”{” … ”}”)."
            )

    def close_voucher_at_end(self) -> None:
        if self.voucher is not None:
            self.abandon_voucher()

    def finish_voucher(self) -> None:
        voucher = self.voucher
        self.voucher = None
        if voucher.date is None:
            return
        if not voucher.row_problems and voucher.total != 0:
            self.problem(
                f"Rad {voucher.line}, #VER: verifikationen ”{voucher.name}” balanserar inte "
                f"(summan av beloppen är {voucher.total})."
            )
            return
        self.result.transactions.extend(voucher.rows)

    # Records

    def flag(self, number: int, tokens: list[Token]) -> None:
        self.is_sie = True

    def sie_type(self, number: int, tokens: list[Token]) -> None:
        self.is_sie = True
        text = _field(tokens, 1, "typen")
        if text not in ("1", "2", "3", "4"):
            raise _RowProblem(f"typen ”{text}” är inte 1, 2, 3 eller 4.")
        self.result.sie_type = int(text)

    def company(self, number: int, tokens: list[Token]) -> None:
        self.result.company_name = _field(tokens, 1, "namnet")

    def fiscal_year(self, number: int, tokens: list[Token]) -> None:
        index = _integer(_field(tokens, 1, "årsnumret"), "årsnumret")
        start = _date(_field(tokens, 2, "startdatumet"), "startdatumet")
        end = _date(_field(tokens, 3, "slutdatumet"), "slutdatumet")
        if start > end:
            raise _RowProblem("startdatumet är senare än slutdatumet.")
        self.result.fiscal_years[index] = (start, end)

    def dimension(self, number: int, tokens: list[Token]) -> None:
        dimension = _dimension(_field(tokens, 1, "dimensionen"))
        self.result.dimensions[dimension] = _field(tokens, 2, "namnet")

    def object_name(self, number: int, tokens: list[Token]) -> None:
        dimension = _dimension(_field(tokens, 1, "dimensionen"))
        object_id = _field(tokens, 2, "objektet")
        self.result.object_names[(dimension, object_id)] = _field(tokens, 3, "namnet")

    def account(self, number: int, tokens: list[Token]) -> None:
        account = _account(_field(tokens, 1, "kontot"))
        self.result.accounts[account] = _optional(tokens, 2, "namnet")

    def voucher_start(self, number: int, tokens: list[Token]) -> None:
        # A broken #VER still opens a block, so its rows are consumed but never stored.
        self.voucher = _Voucher(line=number, name="", date=None, text="")
        series = _field(tokens, 1, "serien")
        voucher_number = _field(tokens, 2, "verifikationsnumret")
        self.voucher.name = f"{series} {voucher_number}".strip()
        self.voucher.text = _optional(tokens, 4, "texten")
        self.voucher.date = _date(_field(tokens, 3, "datumet"))

    def transaction(self, number: int, tokens: list[Token]) -> None:
        voucher = self.voucher
        if voucher is None or not voucher.block_line:
            raise _RowProblem("raden står utanför ett #VER-block.")
        account = _account(_field(tokens, 1, "kontot"))
        objects = _objects(tokens, 2)
        amount = _amount(_field(tokens, 3, "beloppet"))
        date_text = _optional(tokens, 4, "datumet")
        date = _date(date_text) if date_text else voucher.date
        text = _optional(tokens, 5, "texten") or voucher.text
        quantity = _quantity(tokens, 6)
        self.result.rows_total += 1
        voucher.total += amount
        if voucher.date is None or not self.kept(objects):
            return
        voucher.rows.append(
            SieTransaction(number, voucher.name, date, account, objects, amount, text, quantity)
        )

    def ignore(self, number: int, tokens: list[Token]) -> None:
        """#RTRANS and #BTRANS: added rows are repeated as #TRANS, removed rows are gone."""

    def period_figure(self, number: int, tokens: list[Token], kind: str) -> None:
        year_index = _integer(_field(tokens, 1, "årsnumret"), "årsnumret")
        if year_index not in self.result.fiscal_years:
            raise _RowProblem(f"årsnumret {year_index} finns inte i någon #RAR-rad.")
        year, month = _period(_field(tokens, 2, "perioden"))
        account = _account(_field(tokens, 3, "kontot"))
        objects = _objects(tokens, 4)
        amount = _amount(_field(tokens, 5, "beloppet"))
        quantity = _quantity(tokens, 6)
        self.result.rows_total += 1
        if self.kept(objects):
            self.result.period_figures.append(
                SiePeriodFigure(
                    number, kind, year_index, year, month, account, objects, amount, quantity
                )
            )

    def balance(self, number: int, tokens: list[Token]) -> None:
        self.period_figure(number, tokens, "saldo")

    def budget(self, number: int, tokens: list[Token]) -> None:
        self.period_figure(number, tokens, "budget")


_HANDLERS: dict[str, Callable[[_Parser, int, list[Token]], None]] = {
    "#FLAGGA": _Parser.flag,
    "#SIETYP": _Parser.sie_type,
    "#FNAMN": _Parser.company,
    "#RAR": _Parser.fiscal_year,
    "#DIM": _Parser.dimension,
    "#UNDERDIM": _Parser.dimension,
    "#OBJEKT": _Parser.object_name,
    "#KONTO": _Parser.account,
    "#VER": _Parser.voucher_start,
    "#TRANS": _Parser.transaction,
    "#RTRANS": _Parser.ignore,
    "#BTRANS": _Parser.ignore,
    "#PSALDO": _Parser.balance,
    "#PBUDGET": _Parser.budget,
}


# No SIE record is near this long; a longer line is refused without being held whole.
MAX_LINE_BYTES = 1 << 20


def _file_lines(binary) -> Iterator[bytes | None]:
    """Lines of a binary file, each read at most MAX_LINE_BYTES at a time; None for a line
    that is longer (the rest of it is skipped)."""
    while raw := binary.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (more := binary.readline(MAX_LINE_BYTES + 1)) and not more.endswith(b"\n"):
                pass
            yield None
        else:
            yield raw


def _lines(
    source: bytes | bytearray | BinaryIO | Iterable[bytes], problem: Callable[[str], None]
) -> Iterator[tuple[int, str]]:
    if isinstance(source, str):
        raise TypeError("parse_sie needs bytes or a binary file object, not str")
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    raw_lines = _file_lines(source) if hasattr(source, "readline") else source
    for number, raw in enumerate(raw_lines, start=1):
        if raw is None:
            problem(f"Rad {number}: raden är längre än 1 MB; det är ingen SIE-post.")
            continue
        if not isinstance(raw, bytes | bytearray):
            raise TypeError("parse_sie needs a file opened in binary mode")
        if number == 1 and raw.startswith(_UTF8_BOM):
            raw = raw[len(_UTF8_BOM) :]
            problem("Filen är sparad som UTF-8, men en SIE-fil ska vara kodad som PC8 (CP437).")
        if b"\x00" in raw:
            # No SIE record holds a NUL byte, and the database cannot keep one in a text.
            problem(f"Rad {number}: raden innehåller ett NUL-tecken (byte 0x00).")
            continue
        yield number, raw.decode(ENCODING)


def parse_sie(
    source: bytes | bytearray | BinaryIO | Iterable[bytes],
    *,
    keep: Callable[[Objects], bool] | None = None,
) -> SieFile:
    """Parse an SIE file given as bytes or a binary file object read line by line.

    keep(objects) decides which #TRANS, #PSALDO and #PBUDGET rows are stored; the others
    are only counted in SieFile.ignored. Problems are collected, never raised.
    """
    parser = _Parser(keep)
    return parser.run(_lines(source, parser.problem))
