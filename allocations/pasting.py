"""A table pasted from an agreement's PDF or from Excel: amounts per county, read exactly.

Pure: no database. The caller gives the places a row may name (county code, county name,
region name); every row is matched by the names agreements use ("Jämtland", "Jämtland
Härjedalen", "Region Jämtland Härjedalen", "Sörmland", "Västra Götalandsregionen", "Kalmar
län", "Stockholms läns kommuner", ...). Nothing is guessed: a line that is neither a header
above the table, a row, the total nor a note below it is named in a Swedish message.

Columns are split on tabs (Excel) or on runs of two or more spaces (PDF). A line with
single spaces only has one amount: `Västra Götaland 37 716 485`, since single spaces also
group thousands. Amounts: `1 234 567`, with space, no-break (U+00A0) or narrow no-break
(U+202F) thousands, `1 234 567 kr`, `1 234,5 tkr`, `300 mnkr`; footnote marks on names or
amounts (`Stockholm¹`, `Gotland*`, `1 234 567 2)`) are dropped. Each amount must come out
in whole kronor, else it is refused, never rounded.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from common.refusals import Refused

MAX_LINES = 2000
# The money columns hold DecimalField(max_digits=15, decimal_places=2): below 10^13 kr.
MAX_AMOUNT = Decimal(10) ** 13
MAX_LINE = 1000

# Footnote marks: superscript digits and letters, asterisks, daggers; `2)` or `(2)` at the end.
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁾⁽ᵃᵇᶜ"
_MARKS = re.compile(rf"[{_SUPERSCRIPTS}*†‡§]+")
_TRAILING_NOTE = re.compile(r"\s*\(?[0-9]{1,2}\)$")
# On an amount a footnote is `2)` or `(2)` after a space, or `(2)` right after it.
_AMOUNT_NOTE = re.compile(r"(?:\s+\(?[0-9]{1,2}\)|\([0-9]{1,2}\))$")
_GROUP = "[ \u00a0\u202f]"
_NUMBER = re.compile(
    rf"(?P<number>[0-9]{{1,3}}(?:{_GROUP}[0-9]{{3}})+|[0-9]+)(?:,(?P<fraction>[0-9]+))?"
    rf"(?:{_GROUP}*(?P<unit>kr|tkr|mnkr|mkr|kronor|sek))?",
    re.IGNORECASE,
)
_FACTOR = {"": 1, "kr": 1, "kronor": 1, "sek": 1, "tkr": 1000, "mnkr": 10**6, "mkr": 10**6}
_SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007]+")
_COLUMNS = re.compile(r"\t|[ \u00a0\u202f]{2,}")
_TOTAL_NAMES = {"totalt", "summa", "total", "riket", "helariket", "summatotalt", "totaltriket"}
# Names agreements use that the county's and region's own names do not give.
_EXTRA_NAMES = {
    "jämtlandhärjedalen": ["jämtland"],
    "södermanland": ["sörmland"],
    "västragötaland": ["vgr"],
}


class PasteError(Refused, ValueError):
    """A value in the pasted text is wrong; the message is Swedish."""


def digest(text: str) -> str:
    """The fingerprint of a pasted text: a confirmation saves only the text it previewed."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def name_key(name: str) -> str:
    """The comparable form of a county's or region's name: lower case, no spaces, without
    "Region", "län", "-regionen", "kommun(er)" and footnote marks."""
    key = _MARKS.sub("", name).strip().lower()
    key = _TRAILING_NOTE.sub("", key)
    key = re.sub(r"[0-9]+$", "", key).strip(" .:;-–")
    key = _SPACES.sub("", key)
    for prefix in ("kommunernai", "region"):
        if key.startswith(prefix) and len(key) > len(prefix) and key != "regionen":
            key = key[len(prefix) :]
    for suffix in ("kommuner", "kommun", "landsting", "regionen"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            if key.endswith("läns"):
                key = key[:-1]
            if suffix == "regionen" and key.endswith("s"):
                key = key[:-1]
            break
    if key.endswith("län") and len(key) > 3:
        key = key[:-3]
        if key.endswith("s"):
            key = key[:-1]
    return key


@dataclass(frozen=True)
class Place:
    """A county (code `23`) or a municipality (code `2313`, with its county's code)."""

    code: str
    names: tuple[str, ...]
    county: str = ""


def place_index(places: Iterable[Place]) -> dict[str, str]:
    """Name key -> county code, with the names agreements use beside the official ones."""
    index = {}
    for place in places:
        for name in place.names:
            key = name_key(name)
            index[key] = place.code
            for extra in _EXTRA_NAMES.get(key, []):
                index[extra] = place.code
    return index


def lookup(index: dict[str, str], key: str) -> str | None:
    """The county code of a name key; a genitive s is dropped (`Gotlands kommun`)."""
    code = index.get(key)
    if code is None and key.endswith("s"):
        code = index.get(key[:-1])
    return code


def parse_amount_cell(text: str, default_unit: str = "") -> Decimal:
    """An amount cell in whole kronor; `default_unit` (kr, tkr, mnkr) for a cell without one,
    as when a table's heading says "mnkr". Raises PasteError (Swedish)."""
    raw = text.strip()
    cell = _MARKS.sub("", raw).strip()
    cell = _AMOUNT_NOTE.sub("", cell).strip()
    if cell.startswith(("-", "\u2212", "–")):
        raise PasteError(f"”{raw}” är negativt; beloppen ska vara positiva.")
    match = _NUMBER.fullmatch(cell)
    if not match:
        if "." in cell and re.fullmatch(r"[0-9.,\s]+", cell):
            raise PasteError(
                f"”{raw}” är inte skrivet på svenska (decimalkomma, mellanslag mellan tusental)."
            )
        raise PasteError(f"”{raw}” är inte ett belopp.")
    whole = _SPACES.sub("", match["number"])
    if len(whole) > 15:
        raise PasteError(f"”{raw}” är för stort.")
    fraction = match["fraction"] or ""
    unit = (match["unit"] or default_unit).lower()
    amount = Decimal(f"{whole}.{fraction or '0'}") * _FACTOR[unit]
    if amount >= MAX_AMOUNT:
        raise PasteError(f"”{raw}” är för stort.")
    if amount != amount.to_integral_value():
        raise PasteError(
            f"”{raw}” blir inte hela kronor ({amount.normalize():f} kr); "
            "beslutade belopp anges i hela kronor."
        )
    return Decimal(int(amount))


def _cells(line: str) -> tuple[str, list[str]]:
    """(name, amount cells) of a line; a line of single spaces has one amount cell."""
    if _COLUMNS.search(line.strip()):
        cells = [c.strip() for c in _COLUMNS.split(line.strip())]
        cells = [c for c in cells if c]
        return cells[0], cells[1:]
    match = re.match(
        r"^(?P<name>.*?[^\s0-9](?:\s+\(?[0-9]{1,2}\))?)\s+(?P<rest>[0-9].*)$", line.strip()
    )
    if not match:
        return line.strip(), []
    return match["name"], [match["rest"]]


@dataclass
class PastedRow:
    line: int
    name: str
    code: str | None
    amounts: list[Decimal]


@dataclass
class PastedTable:
    columns: int = 0
    labels: list[str] = field(default_factory=list)
    rows: list[PastedRow] = field(default_factory=list)
    totals: list[Decimal] | None = None
    total_line: int | None = None
    ignored: list[tuple[int, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # Municipality code -> county code, when the rows are municipalities: the amounts are
    # then kept per county, summed exactly.
    counties: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return not self.messages and bool(self.rows)

    def sums(self) -> list[Decimal]:
        return [sum((r.amounts[i] for r in self.rows), Decimal(0)) for i in range(self.columns)]

    def amounts(self, column: int = 0) -> dict[str, Decimal]:
        """County code -> amount of one column, for the matched rows; a municipality table's
        rows summed per county."""
        if self.counties is None:
            return {r.code: r.amounts[column] for r in self.rows if r.code is not None}
        sums: dict[str, Decimal] = {}
        for row in self.rows:
            if row.code is not None:
                county = self.counties[row.code]
                sums[county] = sums.get(county, Decimal(0)) + row.amounts[column]
        return sums

    @property
    def matched(self) -> int:
        return sum(1 for row in self.rows if row.code is not None)


def _is_first_row(line: str, index: dict[str, str]) -> bool:
    """A row naming a county with amounts: the table starts here (above it: headings)."""
    name, cells = _cells(line)
    if not cells or lookup(index, name_key(name)) is None:
        return False
    try:
        for cell in cells:
            parse_amount_cell(cell)
    except PasteError:
        return False
    return True


def parse_pasted_table(
    text: str, places: Iterable[Place], columns: int | None = None
) -> PastedTable:
    """Read a pasted table. Lines before the first row that names a county and after the
    total row are headings and notes (listed as not read); every line between must be a row.
    `columns`, when given, is the number of amount columns expected; else the first row
    decides. Places with a county are municipalities: the table's amounts are then summed
    per county (`PastedTable.amounts`)."""
    places = list(places)
    index = place_index(places)
    table = PastedTable()
    municipal = any(p.county for p in places)
    if municipal:
        table.counties = {p.code: p.county for p in places}
    place_word = "kommun" if municipal else "region eller län"
    example = "Strömsunds kommun 1 234 567" if municipal else "Jämtland Härjedalen 14 897 341"
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > MAX_LINES:
        table.messages.append(f"Texten har fler än {MAX_LINES} rader.")
        return table
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    first = next((i for i, (_, line) in enumerate(numbered) if _is_first_row(line, index)), None)
    if first is None:
        table.messages.append(
            "Ingen rad med ett namn och ett belopp hittades. Klistra in tabellen med en rad per "
            f"{place_word}, t.ex. ”{example}”."
        )
        return table
    header = [line for _, line in numbered[:first]]
    table.ignored = list(numbered[:first])
    seen: dict[str, int] = {}
    for number, line in numbered[first:]:
        where = f"Rad {number}"
        if table.total_line is not None:
            table.ignored.append((number, line))
            continue
        if len(line) > MAX_LINE:
            table.messages.append(f"{where}: raden är för lång.")
            continue
        name, cells = _cells(line)
        key = name_key(name)
        if key in _TOTAL_NAMES:
            try:
                table.totals = [parse_amount_cell(c) for c in cells]
            except PasteError as exc:
                table.messages.append(f"{where} (”{name}”): {exc}")
            table.total_line = number
            continue
        if not cells:
            table.messages.append(f"{where}: ”{line.strip()}” har inget belopp.")
            continue
        amounts = []
        for cell in cells:
            try:
                amounts.append(parse_amount_cell(cell))
            except PasteError as exc:
                table.messages.append(f"{where} (”{name}”): {exc}")
        if len(amounts) != len(cells):
            continue
        if not table.columns:
            table.columns = columns or len(amounts)
        if len(amounts) != table.columns:
            table.messages.append(
                f"{where} (”{name}”): {len(amounts)} belopp, men tabellen har "
                f"{table.columns} beloppskolumn{'er' if table.columns != 1 else ''}."
            )
            continue
        code = lookup(index, key)
        if code is None:
            table.messages.append(
                f"{where}: ”{name}” motsvarar ingen kommun."
                if municipal
                else f"{where}: ”{name}” motsvarar ingen region eller inget län."
            )
        elif code in seen:
            table.messages.append(
                f"{where}: ”{name}” finns redan på rad {seen[code]}; varje {place_word} "
                "får bara förekomma en gång."
            )
            code = None
        else:
            seen[code] = number
        table.rows.append(PastedRow(number, name, code, amounts))
    if table.totals is not None and table.columns and len(table.totals) != table.columns:
        table.messages.append(
            f"Rad {table.total_line}: summaraden har {len(table.totals)} belopp, men tabellen "
            f"har {table.columns} beloppskolumner."
        )
        table.totals = None
    table.labels = _labels(header, table.columns)
    names = {p.code: p.names[0] for p in places}
    table.missing = [names[code] for code in names if code not in seen]
    return table


def _labels(header: list[str], columns: int) -> list[str]:
    """The amount columns' headings when the last header line has one per column (tabs)."""
    for line in reversed(header):
        cells = [c.strip() for c in _COLUMNS.split(line.strip()) if c.strip()]
        if len(cells) == columns + 1:
            return cells[1:]
        if len(cells) == columns:
            return cells
    return [f"Kolumn {i}" for i in range(1, columns + 1)]


@dataclass
class NamedAmounts:
    """Amounts per name (e.g. the agreement's components), read from a pasted table."""

    amounts: dict[object, tuple[int, Decimal]] = field(default_factory=dict)  # id -> (line, kr)
    total: Decimal | None = None
    total_line: int | None = None
    ignored: list[tuple[int, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def plain_key(name: str) -> str:
    """A name compared as written, without case, spacing and footnote marks."""
    key = _MARKS.sub("", name).strip().lower()
    key = _TRAILING_NOTE.sub("", key).strip(" .:;-–")
    return " ".join(key.split())


def parse_named_amounts(text: str, names: dict[str, object], default_unit="") -> NamedAmounts:
    """Rows `name<TAB>amount` whose name is one of `names` (plain_key -> id), exactly; lines
    above the first such row are headings; a total row ("Totalt", "Totalt – ...") ends the
    table. Between them a line that names nothing known is named, not guessed."""
    result = NamedAmounts()
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")[:MAX_LINES]
    started = False
    seen = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if result.total_line is not None:
            result.ignored.append((number, line))
            continue
        name, cells = _cells(line)
        key = plain_key(name)
        is_total = key.split(" ")[0] in _TOTAL_NAMES
        if not started and (key not in names or not cells) and not (is_total and cells):
            result.ignored.append((number, line))
            continue
        started = True
        where = f"Rad {number}"
        if len(cells) != 1:
            result.messages.append(
                f"{where}: ”{line.strip()}” ska ha ett namn och ett belopp"
                + (" (tabb eller minst två mellanslag mellan dem)." if cells else ".")
            )
            continue
        try:
            amount = parse_amount_cell(cells[0], default_unit)
        except PasteError as exc:
            result.messages.append(f"{where} (”{name}”): {exc}")
            continue
        if is_total:
            result.total, result.total_line = amount, number
        elif key not in names:
            result.messages.append(f"{where}: ”{name}” är inget av överenskommelsens delområden.")
        elif names[key] in seen:
            result.messages.append(f"{where}: ”{name}” finns redan på rad {seen[names[key]]}.")
        else:
            seen[names[key]] = number
            result.amounts[names[key]] = (number, amount)
    if not result.amounts and not result.messages:
        result.messages.append("Ingen rad med ett delområdes namn och ett belopp hittades.")
    return result
