"""Parsing and formatting of Swedish money amounts; the one place that knows their forms.

Amounts are Decimal, never float. Users type and paste amounts the Swedish way:
`1 234 567`, `1 234,50`, a no-break or narrow no-break space between thousands, a
minus sign (U+2212), an optional `kr`, or millions as `6 394,5 mnkr`.
"""

import re
from decimal import Decimal, InvalidOperation

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
    if _NUMBER.fullmatch(body):
        number = body.replace(",", ".")
    elif _DOT_DECIMAL.fullmatch(body):
        number = body
    else:
        raise AmountError(
            f"”{raw}” är inte ett belopp. "
            "Skriv till exempel 1 234 567, 1 234,50 eller 6 394,5 mnkr."
        )
    try:
        amount = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above rule this out
        raise AmountError(f"”{raw}” är inte ett belopp.") from exc
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
