"""Swedish numbers that end in a check digit (organisationsnummer, bankgiro, plusgiro): read
with ASCII digits only, checked with the Luhn (mod 10) sum, returned in their printed form;
anything else is refused with a Swedish message."""

import re

from django.core.exceptions import ValidationError

# Only ASCII digits: str.isdigit() also takes Arabic-Indic and full-width digits, which the
# authority's systems do not.
_SEPARATORS = re.compile(r"[ \u00a0-]")
_DIGITS = re.compile(r"[0-9]+")


def luhn_ok(digits: str) -> bool:
    """True when the last digit of `digits` is the Luhn check digit of the ones before."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(value: str, what: str) -> str:
    text = _SEPARATORS.sub("", str(value).strip())
    if not _DIGITS.fullmatch(text):
        raise ValidationError(
            f"{what} får bara innehålla siffrorna 0–9, mellanslag och bindestreck "
            f"(”{str(value)[:40]}” är inget {what.lower()})."
        )
    return text


def _check(digits: str, what: str):
    if not luhn_ok(digits):
        raise ValidationError(
            f"{what} {digits} har fel kontrollsiffra (sista siffran stämmer inte enligt "
            "modulus 10). Kontrollera numret."
        )


def clean_org_number(value: str) -> str:
    """An organisationsnummer as NNNNNN-NNNN."""
    digits = _digits(value, "Organisationsnumret")
    if len(digits) != 10:
        raise ValidationError(
            f"Organisationsnumret ska ha tio siffror (NNNNNN-NNNN), inte {len(digits)}."
        )
    _check(digits, "Organisationsnumret")
    return f"{digits[:6]}-{digits[6:]}"


def clean_bankgiro(value: str) -> str:
    """A bankgiro number as NNN-NNNN or NNNN-NNNN."""
    digits = _digits(value, "Bankgironumret")
    if len(digits) not in (7, 8):
        raise ValidationError(
            f"Ett bankgironummer har sju eller åtta siffror (NNN-NNNN eller NNNN-NNNN), "
            f"inte {len(digits)}."
        )
    _check(digits, "Bankgironumret")
    return f"{digits[:-4]}-{digits[-4:]}"


def clean_plusgiro(value: str) -> str:
    """A plusgiro number as N…N-N (two to eight digits, the last the check digit)."""
    digits = _digits(value, "Plusgironumret")
    if not 2 <= len(digits) <= 8:
        raise ValidationError(
            f"Ett plusgironummer har två till åtta siffror (t.ex. 123456-7), inte {len(digits)}."
        )
    _check(digits, "Plusgironumret")
    return f"{digits[:-1]}-{digits[-1]}"
