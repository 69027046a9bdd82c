"""Budget against outcome per area, cost object and activity for one period of a year.

All outcome is read in one grouped query; the arithmetic is followup.periods.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from distribution.models import Activity, CostObject
from distribution.reads import own_area_money

from .models import LedgerTransaction
from .periods import FollowUp, Period, compute_followup, monthly_budget

ZERO = Decimal("0")


@dataclass
class Line:
    label: str
    kind: str  # "activity", "unlinked", "object", "area", "total"
    followup: FollowUp
    activity: Activity | None = None
    by_month: dict[int, Decimal] = field(default_factory=dict)
    budget_by_month: list[int] = field(default_factory=list)


@dataclass
class ObjectBlock:
    cost_object: CostObject
    lines: list[Line]
    total: Line


@dataclass
class AreaBlock:
    area: object
    decided: Decimal
    objects: list[ObjectBlock]
    other_lines: list[Line]  # activities without a cost object
    total: Line


@dataclass
class UnusedMoney:
    received: Decimal
    outcome: Decimal
    ring_fenced: list[tuple[str, Decimal, Decimal]]  # name, pot, outcome of its activities

    @property
    def unused(self) -> Decimal:
        return self.received - self.outcome


@dataclass
class FollowUpReport:
    agreement: object
    period: Period
    areas: list[AreaBlock]
    total: Line
    unused: UnusedMoney
    unlinked_count: int


def _sum_months(dicts):
    out = defaultdict(lambda: ZERO)
    for d in dicts:
        for month, amount in d.items():
            out[month] += amount
    return dict(out)


def _line(label, kind, budget, by_month, period, forecast=None, activity=None):
    return Line(
        label=label,
        kind=kind,
        followup=compute_followup(budget, by_month, period, forecast),
        activity=activity,
        by_month=by_month,
        budget_by_month=monthly_budget(budget),
    )


def _total(label, kind, lines, period):
    budget = sum((line.followup.budget for line in lines), ZERO)
    forecasts = [line.followup.forecast for line in lines if line.kind != "unlinked"]
    forecast = None if not forecasts or None in forecasts else sum(forecasts, ZERO)
    by_month = _sum_months(line.by_month for line in lines)
    total = _line(label, kind, budget, by_month, period, forecast)
    if lines:
        total.budget_by_month = [
            sum(month) for month in zip(*(x.budget_by_month for x in lines), strict=True)
        ]
    return total


def build_followup(agreement, period: Period) -> FollowUpReport:
    year = agreement.year
    areas = list(agreement.areas.all())
    activities = list(
        Activity.objects.filter(area__agreement=agreement)
        .select_related("cost_object", "ring_fenced_component")
        .order_by("position", "id")
    )
    objects = list(CostObject.objects.filter(area__agreement=agreement, year=year))
    outcome = defaultdict(lambda: defaultdict(lambda: ZERO))  # (object, activity) -> month -> sum
    for row in (
        LedgerTransaction.objects.filter(cost_object__in=objects, year=year, is_budget=False)
        .values("cost_object_id", "activity_id", "month")
        .annotate(total=Sum("amount"))
    ):
        total = Decimal(row["total"]).quantize(Decimal("0.01"))
        outcome[(row["cost_object_id"], row["activity_id"])][row["month"]] += total

    area_blocks = []
    all_lines = []
    unlinked_count = 0
    received = ZERO
    ring_fenced = []
    for area in areas:
        money = own_area_money(area)
        received += money.amount
        area_activities = [a for a in activities if a.area_id == area.pk]
        blocks = []
        for cost_object in (o for o in objects if o.area_id == area.pk):
            lines = [
                _line(
                    a.name,
                    "activity",
                    a.amount,
                    dict(outcome.get((cost_object.pk, a.pk), {})),
                    period,
                    a.forecast,
                    a,
                )
                for a in area_activities
                if a.cost_object_id == cost_object.pk
            ]
            unlinked = dict(outcome.get((cost_object.pk, None), {}))
            if unlinked:
                unlinked_count += 1
                lines.append(_line("Ej kopplat till aktivitet", "unlinked", ZERO, unlinked, period))
            # Outcome on an activity of another object (a link rule) still counts here.
            blocks.append(
                ObjectBlock(
                    cost_object, lines, _total(f"Summa {cost_object}", "object", lines, period)
                )
            )
        other = [
            _line(a.name, "activity", a.amount, {}, period, a.forecast, a)
            for a in area_activities
            if a.cost_object_id is None
        ]
        area_lines = [b.total for b in blocks] + other
        area_total = _total(f"Summa {area.name}", "area", area_lines, period)
        area_blocks.append(AreaBlock(area, money.amount, blocks, other, area_total))
        all_lines.append(area_total)
        for pot_id, pot in money.pots.items():
            spent = sum(
                (
                    sum(outcome.get((a.cost_object_id, a.pk), {}).values(), ZERO)
                    for a in area_activities
                    if a.ring_fenced_component_id == pot_id
                ),
                ZERO,
            )
            ring_fenced.append((money.pot_names[pot_id], pot, spent))
    year_outcome = sum((sum(months.values(), ZERO) for months in outcome.values()), ZERO)
    return FollowUpReport(
        agreement=agreement,
        period=period,
        areas=area_blocks,
        total=_total("Totalt", "total", all_lines, period),
        unused=UnusedMoney(received, year_outcome, ring_fenced),
        unlinked_count=unlinked_count,
    )
