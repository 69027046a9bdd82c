"""What is distributed and what is left of an area's money: pure functions, no database.

An area's decided amount holds ring-fenced pots (e.g. Vidareutbildning inside Vårdens
medarbetare). A pot is reserved whole for the activities marked for it: other activities
cannot use it, and an activity marked for a pot that needs more than the pot takes the rest
from the area's general money.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from common.money import format_amount

ZERO = Decimal("0")


@dataclass(frozen=True)
class ActivityAmount:
    amount: Decimal
    pot: int | None = None  # the ring-fenced component the activity is marked for


@dataclass(frozen=True)
class AreaBalance:
    area_amount: Decimal
    distributed: Decimal
    general_left: Decimal
    pots_left: dict[int, Decimal] = field(default_factory=dict)

    @property
    def unallocated(self) -> Decimal:
        """Ofördelat: all that is not given to an activity, general and ring-fenced."""
        return self.area_amount - self.distributed

    @property
    def over(self) -> bool:
        return self.general_left < 0


def compute_area_balance(
    area_amount: Decimal, pots: Mapping[int, Decimal], activities: Iterable[ActivityAmount]
) -> AreaBalance:
    distributed = ZERO
    per_pot = dict.fromkeys(pots, ZERO)
    general_used = ZERO
    for activity in activities:
        distributed += activity.amount
        if activity.pot in per_pot:
            per_pot[activity.pot] += activity.amount
        else:
            general_used += activity.amount
    reserved = sum(pots.values(), ZERO)
    excess = sum((max(ZERO, per_pot[p] - pots[p]) for p in pots), ZERO)
    general_left = area_amount - reserved - general_used - excess
    pots_left = {p: max(ZERO, pots[p] - per_pot[p]) for p in pots}
    return AreaBalance(area_amount, distributed, general_left, pots_left)


def check_area_balance(balance: AreaBalance) -> list[str]:
    """Swedish messages for a distribution that takes more than the area has."""
    if not balance.over:
        return []
    if balance.distributed > balance.area_amount:
        return [
            f"Aktiviteterna blir {format_amount(balance.distributed)}, mer än områdets "
            f"beslutade belopp {format_amount(balance.area_amount)} "
            f"(överskridet med {format_amount(balance.distributed - balance.area_amount)})."
        ]
    return [
        "Aktiviteterna som inte är märkta för öronmärkta medel får inte använda dem: "
        f"det saknas {format_amount(-balance.general_left)} av områdets övriga medel."
    ]
