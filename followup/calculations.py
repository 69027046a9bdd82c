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


# --- Forecasts ----------------------------------------------------------------------------------

BASIS_ENTERED = "entered"
BASIS_PROFILE = "profile"
BASIS_OUTCOME = "outcome"
BASIS_LABELS = {
    BASIS_ENTERED: "angiven",
    BASIS_PROFILE: "utfall + budgetprofil",
    BASIS_OUTCOME: "utfall",
}


@dataclass(frozen=True)
class Forecast:
    """An activity's forecast for the year and what it rests on (BASIS_LABELS)."""

    amount: Decimal
    basis: str

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]


def forecast_for(
    entered: Decimal | None, outcome: Decimal, budget_by_month: list[int], last_month: int
) -> Forecast:
    """The one forecast rule: never below what is spent.

    `outcome` is the activity's costs of the year so far, `budget_by_month` its budget spread
    by its profile and `last_month` the last month the ledger holds for the year. An entered
    forecast counts as entered while it is not below the outcome (later outcome overtakes it:
    the outcome counts). Without one, the forecast is the outcome plus the budget of the
    months still to come; when nothing is to come it is the outcome.
    """
    if entered is not None:
        if entered >= outcome:
            return Forecast(Decimal(entered), BASIS_ENTERED)
        return Forecast(outcome, BASIS_OUTCOME)
    remaining = Decimal(sum(budget_by_month[last_month:]))
    if remaining > 0:
        return Forecast(outcome + remaining, BASIS_PROFILE)
    return Forecast(outcome, BASIS_OUTCOME)
