"""Allocation keys: a national amount to whole kronor per recipient, exactly. No database.

A key is a blend of terms; each term is a weighted sum of data columns (e.g. rural
residents weighted 1, 4 and 6), and a recipient's share of a term is its part of the
term's total. Blend weights sum to 1 (e.g. municipalities: half HSL individuals, half
population). An optional base amount goes to every recipient first; the rest follows the
key. All arithmetic is exact (Fraction); the rounding to whole kronor is
common.money.round_to_total.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from common.money import round_to_total
from common.refusals import Refused


class AllocationError(Refused, ValueError):
    """A rule that cannot be applied; the message is Swedish and shown to the user."""


@dataclass(frozen=True)
class KeyColumn:
    weight: Fraction
    values: Mapping[str, Decimal | int | Fraction]
    label: str = ""


@dataclass(frozen=True)
class KeyTerm:
    weight: Fraction
    columns: tuple[KeyColumn, ...]


@dataclass(frozen=True)
class Rule:
    terms: tuple[KeyTerm, ...]
    base_amount: int = 0


def single_column_rule(values: Mapping[str, Decimal | int], *, base_amount: int = 0) -> Rule:
    """The common case: the share of one data column, e.g. population."""
    return Rule((KeyTerm(Fraction(1), (KeyColumn(Fraction(1), values),)),), base_amount)


def compute_key_shares(terms: Iterable[KeyTerm], recipients: Iterable[str]) -> dict[str, Fraction]:
    """Each recipient's share of the blended key; the shares sum to exactly 1."""
    recipients = sorted(recipients)
    terms = tuple(terms)
    if not terms:
        raise AllocationError("Nyckeln har inga delar.")
    if sum((t.weight for t in terms), Fraction(0)) != 1:
        raise AllocationError("Vikterna i en blandad nyckel ska summera till 1.")
    shares = dict.fromkeys(recipients, Fraction(0))
    for term in terms:
        weighted = dict.fromkeys(recipients, Fraction(0))
        for column in term.columns:
            for recipient in recipients:
                if recipient not in column.values:
                    raise AllocationError(
                        f"Nyckeldata {column.label or ''} saknar värde för {recipient}.".replace(
                            "  ", " "
                        )
                    )
                weighted[recipient] += column.weight * Fraction(column.values[recipient])
        total = sum(weighted.values(), Fraction(0))
        if total <= 0:
            raise AllocationError("Nyckeln summerar till noll; inget kan fördelas efter den.")
        for recipient in recipients:
            shares[recipient] += term.weight * weighted[recipient] / total
    return shares


def compute_allocation(amount: int, rule: Rule, recipients: Iterable[str]) -> dict[str, int]:
    """Whole kronor per recipient: base amount plus key share of the rest; sums to `amount`."""
    recipients = sorted(recipients)
    rest = amount - rule.base_amount * len(recipients)
    if rest < 0:
        raise AllocationError("Grundbeloppen är större än hela beloppet.")
    shares = compute_key_shares(rule.terms, recipients)
    exact = {r: rule.base_amount + rest * shares[r] for r in recipients}
    return round_to_total(amount, exact)
