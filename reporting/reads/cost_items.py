"""The larger cost items of the financial report (seed 001, bilaga 1, punkt 3: "Kostnader
(specificera större kostnadsposter)"), by account group or by activity as the region chose on
the agreement's report details; either way the items add up to the report's total costs."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Substr

from distribution.models import CostObject
from followup.models import LedgerMonthTotal, chart_of_accounts

from ..models import CostSpecification

ZERO = Decimal("0")


@dataclass
class CostItem:
    label: str
    amount: Decimal


def _by_account_group(agreement) -> list[CostItem]:
    """Costs per account group (the account's first two digits, Kommun-Bas), the same rows as
    the follow-up's outcome: the year's cost rows on the agreement's objects."""
    objects = CostObject.objects.filter(area__agreement=agreement, year=agreement.year)
    rows = (
        LedgerMonthTotal.objects.filter(cost_object__in=objects, year=agreement.year)
        .costs(chart_of_accounts())
        .annotate(group=Substr("account", 1, 2))
        .values("group")
        .annotate(total=Sum("amount"))
        .order_by("group")
    )
    items = []
    for row in rows:
        amount = Decimal(row["total"] or 0).quantize(Decimal("0.01"))
        if not amount:
            continue
        group = row["group"] or ""
        label = f"Kontogrupp {group} (konton {group}xx)" if group else "Rader utan konto"
        items.append(CostItem(label, amount))
    return items


def _by_activity(report) -> list[CostItem]:
    """Costs per activity of the follow-up (and, per object, what no activity holds)."""
    totals = defaultdict(lambda: ZERO)
    for area in report.areas:
        for block in area.objects:
            for line in block.lines:
                amount = line.followup.outcome_to_date
                if not amount:
                    continue
                if line.kind == "activity" and line.activity is not None:
                    label = f"Insats: {line.activity.name} ({area.area.name})"
                else:
                    label = f"{line.label} (objekt {block.cost_object.number})"
                totals[label] += amount
    return [CostItem(label, amount) for label, amount in totals.items()]


def _by_object(report) -> list[CostItem]:
    return [
        CostItem(
            f"Objekt {block.cost_object.number} {block.cost_object.name} ({area.area.name})",
            block.total.followup.outcome_to_date,
        )
        for area in report.areas
        for block in area.objects
    ]


def cost_items(agreement, report, specification: str) -> list[CostItem]:
    """The cost items in the region's chosen specification; per cost object if the chosen one
    does not add up to the follow-up's costs (it always should; the check keeps the report's
    total the one the head of finance attests)."""
    by_object = _by_object(report)
    total = sum((item.amount for item in by_object), ZERO)
    if specification == CostSpecification.ACTIVITY:
        items = _by_activity(report)
    else:
        items = _by_account_group(agreement)
    if sum((item.amount for item in items), ZERO) != total:
        return by_object
    return items
