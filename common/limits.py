"""Limits on uploaded files, checked while a file is read, with the Swedish message that names
the limit: one mechanism for every upload kind (ledger, key data, decided amounts, the
state-grant register, Kolada files, signed copies, SCB's answers).

The numbers themselves are settings (config/settings.py, documented in the README's table
and .env.example); the readers ask for them here, so the check, the message and the
benchmark (scripts/bench_uploads.py) read one truth.
"""

import re
from dataclasses import dataclass
from itertools import accumulate

from .refusals import Refused

MB = 1024 * 1024


class LimitExceeded(Refused):
    """A file is over one of its limits; the message is Swedish and names the limit."""


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def mb_text(limit_bytes: int) -> str:
    return f"{thousands(limit_bytes // MB)} MB" if limit_bytes >= MB else f"{limit_bytes} byte"


@dataclass(frozen=True)
class TableLimits:
    """The most a table file (CSV or XLSX) of one kind may hold: `max_rows` rows besides the
    header row, `max_columns` columns besides `fixed_columns` (e.g. county code and name)."""

    what: str  # e.g. "nyckeldatafilen", for messages
    max_bytes: int
    max_rows: int
    max_columns: int
    fixed_columns: int = 0
    fixed_note: str = ""  # e.g. " utöver länskod och namn"
    max_uncompressed: int = 50 * MB  # an XLSX package unpacked

    @property
    def max_cells(self) -> int:
        return (self.max_rows + 1) * (self.max_columns + self.fixed_columns)

    def check_size(self, size: int) -> None:
        check_size(size, self.max_bytes, self.what)

    def check_row(self, number: int, row_length: int) -> None:
        """Called for each row read, with its number (1 is the header row)."""
        if number > self.max_rows + 1:
            raise LimitExceeded(
                f"{self.what[:1].upper()}{self.what[1:]} har fler än "
                f"{thousands(self.max_rows)} rader under rubrikraden; gränsen är "
                f"{thousands(self.max_rows)} rader."
            )
        if row_length > self.max_columns + self.fixed_columns:
            raise LimitExceeded(
                f"Rad {number} har {thousands(row_length)} kolumner; gränsen för {self.what} är "
                f"{thousands(self.max_columns)} kolumner{self.fixed_note}."
            )


def size_message(size: int, max_bytes: int, what: str) -> str:
    return (
        f"{what[:1].upper()}{what[1:]} är större än {mb_text(max_bytes)} "
        f"({thousands(size // 1024)} kB); gränsen är {mb_text(max_bytes)}."
    )


def check_size(size: int, max_bytes: int, what: str) -> None:
    if size > max_bytes:
        raise LimitExceeded(size_message(size, max_bytes, what))


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deeply a JSON text nests its arrays and objects, found without parsing it (so a
    file nested a million deep costs a linear scan, never a recursion)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def check_json_depth(text: str, max_depth: int, what: str) -> None:
    depth = json_depth(text)
    if depth > max_depth:
        raise LimitExceeded(
            f"{what[:1].upper()}{what[1:]} är nästlad {thousands(depth)} nivåer djupt; "
            f"gränsen är {max_depth} nivåer."
        )
