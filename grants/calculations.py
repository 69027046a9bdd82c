"""Totals of an agreement's components: pure functions, no database.

A component that is part of another ("varav") is not counted again. A component with
no known national amount is counted as unknown, never as zero.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ComponentAmount:
    area_id: int | None
    recipient_group: str
    amount: Decimal | None
    is_part: bool = False


@dataclass(frozen=True)
class AgreementTotals:
    total: Decimal
    by_area: dict[int | None, Decimal] = field(default_factory=dict)
    by_recipient_group: dict[str, Decimal] = field(default_factory=dict)
    unknown_amounts: int = 0

    def difference_from(self, stated_total: Decimal | None) -> Decimal | None:
        """Stated total minus the sum of the components; zero when they agree, None when the
        agreement states no total yet (a copied draft)."""
        if stated_total is None:
            return None
        return stated_total - self.total


def compute_agreement_totals(components: Iterable[ComponentAmount]) -> AgreementTotals:
    total = Decimal("0")
    by_area: dict[int | None, Decimal] = {}
    by_group: dict[str, Decimal] = {}
    unknown = 0
    for component in components:
        if component.is_part:
            continue
        if component.amount is None:
            unknown += 1
            continue
        total += component.amount
        by_area[component.area_id] = by_area.get(component.area_id, Decimal("0")) + component.amount
        by_group[component.recipient_group] = (
            by_group.get(component.recipient_group, Decimal("0")) + component.amount
        )
    return AgreementTotals(total, by_area, by_group, unknown)
