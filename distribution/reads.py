"""Reads of the distribution pages and actions: the own region's money per area, the rows
of the overview and the area page, the histories."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count

from allocations.models import DecidedAmount
from comments.reads import with_comments
from common.history import timeline
from grants.models import OWN_REGION_GROUPS, DevelopmentArea

from .calculations import ActivityAmount, AreaBalance, compute_area_balance
from .models import Activity, AreaPlan, Reallocation


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
    return own_areas_money([area])[area.pk]


def own_areas_money(areas) -> dict[int, AreaMoney]:
    """own_area_money for each of `areas` (by pk), in one query."""
    decided = DecidedAmount.objects.filter(
        component__area__in=[area.pk for area in areas],
        component__recipient_group__in=OWN_REGION_GROUPS,
        component__included_in__isnull=True,
        region__county_code=settings.OWN_REGION_CODE,
    ).select_related("component")
    by_area = {area.pk: [] for area in areas}
    for row in decided:
        by_area[row.component.area_id].append(row)
    return {pk: _area_money(rows) for pk, rows in by_area.items()}


def _area_money(decided) -> AreaMoney:
    pots = [d for d in decided if d.component.ring_fenced]
    return AreaMoney(
        amount=sum((d.amount for d in decided), Decimal("0")),
        pots={d.component_id: d.amount for d in pots},
        pot_names={d.component_id: d.component.name for d in pots},
        known=bool(decided),
    )


def previous_year_area(area):
    """The area with the same name in the closest earlier agreement of the same kind."""
    return (
        DevelopmentArea.objects.filter(
            name=area.name, agreement__year__lt=area.agreement.year, activities__isnull=False
        )
        .select_related("agreement")
        .order_by("-agreement__year")
        .first()
    )


def overview_rows(agreement) -> list[dict]:
    """Per area of the agreement: its money, what is left, its activities and objects."""
    rows = []
    areas = list(agreement.areas.annotate(activity_count=Count("activities")))
    money_of = own_areas_money(areas)
    for area in areas:
        activities = list(Activity.objects.for_area(area))
        money = money_of[area.pk]
        rows.append(
            {
                "area": area,
                "money": money,
                "balance": money.balance(activities),
                "activities": len(activities),
                "missing": sum(1 for a in activities if a.missing_conditions()),
                "objects": list(area.cost_objects.all()),
            }
        )
    return rows


def area_plan(area) -> AreaPlan:
    """The area's plan, or a new unsaved one."""
    return AreaPlan.objects.filter(area=area).first() or AreaPlan(area=area)


def area_state(area) -> dict:
    """The area page's activities (each with its missing conditions) and money."""
    activities = list(Activity.objects.for_area(area))
    money = own_area_money(area)
    balance = money.balance(activities)
    missing = [(a, a.missing_conditions()) for a in activities]
    return {
        "activities": missing,
        "money": money,
        "balance": balance,
        "pots": [
            (money.pot_names[pk], amount, balance.pots_left.get(pk))
            for pk, amount in money.pots.items()
        ],
        "missing_count": sum(1 for _, m in missing if m),
    }


def area_export_rows(area):
    return Activity.objects.for_area(area).select_related("area__agreement")


def area_changes(area):
    """The changes to the area's activities (also deleted ones) with their comments, and the
    area's reallocations."""
    records = Activity.history.filter(area_id=area.pk).select_related("history_user")
    reallocations = Reallocation.objects.filter(area=area).select_related(
        "from_activity", "to_activity", "created_by"
    )
    return with_comments(timeline(records), Activity.objects.filter(area=area)), reallocations


def activity_timeline(activity):
    """The changes to one activity, with its comments."""
    records = activity.history.select_related("history_user")
    return with_comments(timeline(records), [activity])
