"""Swedish money amounts: parsing, formatting and rounding to whole kronor.

Amounts are Decimal, never float. Users type and paste amounts the Swedish way:
`1 234 567`, `1 234,50`, a no-break or narrow no-break space between thousands, a
minus sign (U+2212), an optional `kr`, or millions as `6 394,5 mnkr`.
"""

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K")

MILLION = Decimal(1_000_000)
ORE = Decimal("0.01")

# Space, no-break space, narrow no-break space, thin space, figure space.
_GROUP_SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007]")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})
_NUMBER = re.compile(r"-?\d+(?:,\d+)?")
_DOT_DECIMAL = re.compile(r"-?\d+\.\d{1,2}")
_UNIT = re.compile(r"(?i)\s*(mnkr|mkr|msek|kr|sek|:-)\s*$")


class AmountError(ValueError):
    """The text is not an amount; the message is Swedish and shown to the user."""


def parse_decimal(text) -> Decimal:
    """A number as Swedish files and users write it: `1 234,5`, `−12`, `0,232`, `12,50-`."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        raise AmountError("Värdet saknas.")
    body = _GROUP_SPACES.sub("", raw.translate(_MINUS_SIGNS))
    if body.endswith("-") and not body.startswith("-"):
        body = "-" + body[:-1]  # ledger exports often put the sign last
    if _NUMBER.fullmatch(body):
        return Decimal(body.replace(",", "."))
    if _DOT_DECIMAL.fullmatch(body) or re.fullmatch(r"-?\d+\.\d+", body):
        return Decimal(body)
    raise AmountError(f"”{raw}” är inte ett tal.")


def parse_amount(text: str) -> Decimal:
    """Read an amount in kronor from Swedish text. Raises AmountError."""
    if text is None:
        raise AmountError("Ange ett belopp.")
    raw = str(text).strip()
    if not raw:
        raise AmountError("Ange ett belopp.")
    unit_match = _UNIT.search(raw)
    unit = unit_match.group(1).lower() if unit_match else ""
    body = raw[: unit_match.start()] if unit_match else raw
    body = _GROUP_SPACES.sub("", body.translate(_MINUS_SIGNS))
    if not (_NUMBER.fullmatch(body) or _DOT_DECIMAL.fullmatch(body)):
        raise AmountError(
            f"”{raw}” är inte ett belopp. "
            "Skriv till exempel 1 234 567, 1 234,50 eller 6 394,5 mnkr."
        )
    amount = Decimal(body.replace(",", "."))
    if unit in ("mnkr", "mkr", "msek"):
        amount *= MILLION
    if amount != amount.quantize(ORE):
        raise AmountError(f"”{raw}” har fler än två decimaler (öre).")
    return amount.quantize(ORE)


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
