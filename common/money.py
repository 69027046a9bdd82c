"""Swedish money amounts: parsing, formatting and rounding to whole kronor.

Amounts are Decimal, never float. Users type and paste amounts the Swedish way:
`1 234 567`, `1 234,50`, a no-break or narrow no-break space between thousands, a
minus sign (U+2212), an optional `kr`, or millions as `6 394,5 mnkr`.
"""

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import TypeVar

from .refusals import Refused

K = TypeVar("K")

MILLION = Decimal(1_000_000)
ORE = Decimal("0.01")

# Space, no-break space, narrow no-break space, thin space, figure space.
_GROUP_SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007]")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})
# ASCII digits only: `\d` would also take Arabic-Indic or full-width digits as numbers.
_NUMBER = re.compile(r"-?[0-9]+(?:,[0-9]+)?")
_DOT_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]{1,2}")
_ANY_DOT_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_SIMPLE = re.compile(r"(-?)([0-9]+)(?:,([0-9]+))?(-?)")
# The shapes ledger exports write a million times (ledger_amount), once spaces and no-break
# spaces are gone (as parse_decimal's first step removes them): `1234,56`, `-1234.5`,
# `1234,56-`; at most 13 digits before and two after a comma or a dot, one minus sign.
_LEDGER_AMOUNT = re.compile(r"(-?)([0-9]{1,13})(?:[,.]([0-9]{1,2}))?(-?)")
_UNIT = re.compile(r"(?i)\s*(mnkr|mkr|msek|kr|sek|:-)\s*$")
# No amount or key figure a person or a ledger writes is longer; longer texts are refused
# before any arithmetic, so Decimal never meets a number beyond its precision.
MAX_NUMBER_TEXT = 60
# Database columns hold money as max_digits=15, decimal_places=2 (below 10^13 kr).
AMOUNT_DIGITS = 15
AMOUNT_PLACES = 2


class AmountError(Refused, ValueError):
    """The text is not an amount; the message is Swedish and shown to the user."""


def _foreign_digits(text: str) -> bool:
    return any(char.isdigit() and not ("0" <= char <= "9") for char in text)


def _too_long(raw: str) -> AmountError:
    return AmountError(f"”{raw[:20]}…” är för långt för att vara ett tal.")


def _not_a_number(raw: str, example: str = "") -> AmountError:
    if _foreign_digits(raw):
        return AmountError(f"”{raw}” innehåller andra siffror än 0–9.")
    if example:
        return AmountError(f"”{raw}” är inte ett belopp. {example}")
    return AmountError(f"”{raw}” är inte ett tal.")


def _check_digits(number: str, raw: str, max_digits, decimal_places, unit="") -> None:
    """Refuse a plain number text (`-123.4500`) that a DecimalField(max_digits,
    decimal_places) cannot hold exactly; counted on the text, so no arithmetic can fail."""
    whole, _, fraction = number.lstrip("-").partition(".")
    places = len(fraction.rstrip("0"))
    if decimal_places is not None and places > decimal_places:
        if decimal_places == 2:
            raise AmountError(f"”{raw}” har fler än två decimaler (öre).")
        raise AmountError(f"”{raw}” har fler än {decimal_places} decimaler.")
    if max_digits is not None:
        whole_digits = max_digits - (decimal_places or 0)
        if len(whole.lstrip("0")) > whole_digits:
            largest = Decimal(10) ** whole_digits - Decimal(1).scaleb(-(decimal_places or 0))
            limit = format_number(largest) + (f" {unit}" if unit else "")
            raise AmountError(f"”{raw}” är för stort: högst {limit}.")


def parse_decimal(text, *, max_digits=None, decimal_places=None) -> Decimal:
    """A number as Swedish files and users write it: `1 234,5`, `−12`, `0,232`, `12,50-`.

    Only the digits 0–9. With max_digits and decimal_places (as on the DecimalField it goes
    to) a number that would not fit exactly is refused, never rounded.
    """
    raw = "" if text is None else str(text).strip()
    # The common case first (ledger imports read a million of these): `-1 234,50`, `12,5-`.
    simple = _SIMPLE.fullmatch(raw.replace(" ", "").replace("\u00a0", ""))
    if simple and len(raw) <= MAX_NUMBER_TEXT and not (simple[1] and simple[4]):
        whole, fraction = simple[2], simple[3] or "0"
        if (decimal_places is None or len(fraction) <= decimal_places) and (
            max_digits is None or len(whole) <= max_digits - (decimal_places or 0)
        ):
            sign = "-" if simple[1] or simple[4] else ""
            return Decimal(f"{sign}{whole}.{fraction}")
    if not raw:
        raise AmountError("Värdet saknas.")
    if len(raw) > MAX_NUMBER_TEXT:
        raise _too_long(raw)
    body = _GROUP_SPACES.sub("", raw.translate(_MINUS_SIGNS))
    if body and body[-1] == "-" and body[0] != "-":
        body = "-" + body[:-1]  # ledger exports often put the sign last
    if _NUMBER.fullmatch(body):
        body = body.replace(",", ".")
    elif not _ANY_DOT_DECIMAL.fullmatch(body):
        raise _not_a_number(raw)
    if max_digits is not None or decimal_places is not None:
        _check_digits(body, raw, max_digits, decimal_places)
    return Decimal(body)  # exact: a Decimal made from text is never rounded


def ledger_amount(text: str) -> Decimal | None:
    """The ledger column's amount (DecimalField(15, 2)) of a cell in one of the common shapes,
    or None: then parse_decimal(text, max_digits=15, decimal_places=2) decides, and its answer
    (value or refusal) is the same for every text this one reads (tests/common, hypothesis).
    The ledger import's fast path: one regular expression, nothing else to call."""
    if len(text) > MAX_NUMBER_TEXT:
        return None
    match = _LEDGER_AMOUNT.fullmatch(text.replace(" ", "").replace("\u00a0", ""))
    if match is None:
        return None
    first, whole, fraction, last = match.groups()
    if first and last:
        return None
    return Decimal(f"{first or last}{whole}.{fraction or '0'}")


def parse_amount(
    text: str, *, max_digits: int = AMOUNT_DIGITS, decimal_places: int = AMOUNT_PLACES
) -> Decimal:
    """Read an amount in kronor from Swedish text. Raises AmountError.

    Refused, never rounded: fractions of öre, and amounts that do not fit the database's
    money columns (DecimalField(max_digits, decimal_places)).
    """
    if text is None:
        raise AmountError("Ange ett belopp.")
    raw = str(text).strip()
    if not raw:
        raise AmountError("Ange ett belopp.")
    if len(raw) > MAX_NUMBER_TEXT:
        raise _too_long(raw)
    unit_match = _UNIT.search(raw)
    unit = unit_match.group(1).lower() if unit_match else ""
    body = raw[: unit_match.start()] if unit_match else raw
    body = _GROUP_SPACES.sub("", body.translate(_MINUS_SIGNS))
    if not (_NUMBER.fullmatch(body) or _DOT_DECIMAL.fullmatch(body)):
        raise _not_a_number(raw, "Skriv till exempel 1 234 567, 1 234,50 eller 6 394,5 mnkr.")
    # The text is at most MAX_NUMBER_TEXT long, so this precision keeps every step exact.
    with localcontext(prec=MAX_NUMBER_TEXT + 10):
        amount = Decimal(body.replace(",", "."))
        if unit in ("mnkr", "mkr", "msek"):
            amount = amount * MILLION
        _check_digits(format(amount, "f"), raw, max_digits, decimal_places, unit="kr")
        return amount.quantize(Decimal(1).scaleb(-decimal_places))


def format_amount(amount: Decimal | int | None, *, unit: str = "kr") -> str:
    """`75 422 690 kr`, `1 234,50 kr`, `−5 kr`; no-break spaces so it never wraps."""
    if amount is None:
        return ""
    value = Decimal(amount)
    negative = value < 0
    value = abs(value)
    whole = int(value)
    ore = (value - whole).quantize(ORE)
    text = f"{whole:,}".replace(",", "\u00a0")
    if ore:
        text += "," + f"{ore:.2f}"[2:]
    if negative:
        text = "\u2212" + text
    return f"{text}\u00a0{unit}" if unit else text


def format_number(value: Decimal | int | None) -> str:
    """A number as Swedes write it, every decimal kept: `1 234`, `0,2325`, `−4,5`."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    sign = "\u2212" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return sign + grouped + ("," + fraction if fraction else "")


def format_percent(value: Decimal | int | None, *, decimals: int = 1) -> str:
    """`28,6 %`, `−28,6 %`: a share or deviation in percent, rounded half up for display."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _, fraction = format_number(abs(rounded)).partition(",")
    fraction = (fraction + "0" * decimals)[:decimals]
    sign = "\u2212" if rounded < 0 else ""
    return sign + whole + ("," + fraction if decimals else "") + "\u00a0%"


def format_millions(amount: Decimal | int | None) -> str:
    """`6 394,5 mnkr`: the form agreements state their amounts in."""
    if amount is None:
        return ""
    millions = (Decimal(amount) / MILLION).normalize()
    sign = "\u2212" if millions < 0 else ""
    millions = abs(millions)
    whole = int(millions)
    fraction = millions - whole
    text = f"{whole:,}".replace(",", "\u00a0")
    if fraction:
        text += "," + format(fraction, "f")[2:]
    return f"{sign}{text}\u00a0mnkr"


def round_to_total(total: int, exact: Mapping[K, Fraction]) -> dict[K, int]:
    """Whole kronor that add up to `total` exactly, each within 1 kr of its exact amount.

    Each amount is first rounded down; the kronor left over go one each to the largest
    fractional remainders (largest remainder method). Ties go to the smaller key, so
    the result does not depend on the order of the input. The exact amounts must sum
    to `total`.
    """
    if sum(exact.values(), Fraction(0)) != total:
        raise ValueError("The exact amounts do not add up to the total.")
    floors = {key: math.floor(value) for key, value in exact.items()}
    left_over = total - sum(floors.values())
    by_remainder = sorted(exact, key=lambda key: (floors[key] - exact[key], key))
    for key in by_remainder[:left_over]:
        floors[key] += 1
    return floors
