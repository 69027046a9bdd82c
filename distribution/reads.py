"""Reads shared by the distribution pages and actions: the own region's money per area."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from allocations.models import DecidedAmount
from grants.models import OWN_REGION_GROUPS

from .calculations import ActivityAmount, AreaBalance, compute_area_balance


@dataclass(frozen=True)
class AreaMoney:
    """The own region's decided amount for an area, and the ring-fenced pots inside it."""

    amount: Decimal
    pots: dict[int, Decimal] = field(default_factory=dict)
    pot_names: dict[int, str] = field(default_factory=dict)
    known: bool = True

    def balance(self, activities) -> AreaBalance:
        return compute_area_balance(
            self.amount,
            self.pots,
            [ActivityAmount(a.amount, a.ring_fenced_component_id) for a in activities],
        )


def own_area_money(area) -> AreaMoney:
    """Sum of the own region's decided amounts for the area's components to the regions."""
    decided = list(
        DecidedAmount.objects.filter(
            component__area=area,
            component__recipient_group__in=OWN_REGION_GROUPS,
            component__included_in__isnull=True,
            region__county_code=settings.OWN_REGION_CODE,
        ).select_related("component")
    )
    pots = {d.component_id: d.amount for d in decided if d.component.ring_fenced}
    return AreaMoney(
        amount=sum((d.amount for d in decided), Decimal("0")),
        pots=pots,
        pot_names={d.component_id: d.component.name for d in decided if d.component.ring_fenced},
        known=bool(decided),
    )
