"""Unused money and the amount to repay, as the agreement defines them: pure functions.

Per agreement: received − costs. A ring-fenced component (öronmärkt, "får ej nyttjas för
andra ändamål") is its own pot: pot − the costs of the activities marked for it, and what is
left of it is repaid whatever happens elsewhere. Costs of a pot's activities beyond the pot
are borne by the rest of the money, as in the distribution (distribution.calculations).
The amount to repay is what is unused of each pot plus what is unused of the rest, neither
part below zero.
"""

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class PotUse:
    """A ring-fenced pot: its name, its decided amount and the costs of its activities."""

    name: str
    amount: Decimal
    costs: Decimal

    @property
    def unused(self) -> Decimal:
        return max(ZERO, self.amount - self.costs)

    @property
    def covered(self) -> Decimal:
        """The part of the pot's activities' costs the pot pays for."""
        return min(self.amount, self.costs)


@dataclass(frozen=True)
class UnusedMoney:
    received: Decimal
    costs: Decimal
    income: Decimal = ZERO  # income booked on the grant objects, as a positive amount
    pots: tuple[PotUse, ...] = field(default_factory=tuple)

    @property
    def outcome(self) -> Decimal:
        """Outcome against the grant is the costs (credit notes are negative costs)."""
        return self.costs

    @property
    def unused(self) -> Decimal:
        """Received − costs for the whole agreement; negative when it is overspent."""
        return self.received - self.costs

    @property
    def rest_received(self) -> Decimal:
        return self.received - sum((p.amount for p in self.pots), ZERO)

    @property
    def rest_costs(self) -> Decimal:
        return self.costs - sum((p.covered for p in self.pots), ZERO)

    @property
    def rest_unused(self) -> Decimal:
        return max(ZERO, self.rest_received - self.rest_costs)

    @property
    def pots_unused(self) -> Decimal:
        return sum((p.unused for p in self.pots), ZERO)

    @property
    def repayable(self) -> Decimal:
        return self.pots_unused + self.rest_unused

    @property
    def income_difference(self) -> Decimal:
        """Booked grant income − received: positive if booked twice, negative if missing."""
        return self.income - self.received
