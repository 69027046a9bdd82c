"""The managers' dashboard figures for a year, read in a fixed number of grouped queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum

from allocations.models import DecidedAmount
from distribution.models import Activity, ActivityStatus, CostObject
from followup.accounts import Kind
from followup.calculations import PotUse, UnusedMoney, forecast_for
from followup.models import ActivityBudgetProfile, LedgerMonthTotal
from followup.periods import ProfileKind, budget_to_date, monthly_budget, spread_budget
from followup.reads import basis_text, ledger_last_month
from grants.models import (
    DOCUMENT_FOR_DEADLINE,
    OVERDUE_LIMIT,
    OWN_REGION_GROUPS,
    Agreement,
    Deadline,
    DocumentState,
)

ZERO = Decimal("0")


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


@dataclass
class AreaFigures:
    area_id: int
    name: str
    agreement: str
    decided: Decimal = ZERO
    distributed: Decimal = ZERO
    outcome: Decimal = ZERO
    outcome_by_month: dict[int, Decimal] = field(default_factory=dict)
    # The activities' budgets spread by their profiles; even over the year when not set.
    budget_by_month: list[int] | None = None

    @property
    def left(self) -> Decimal:
        return self.decided - self.outcome

    def cumulative_outcome(self) -> list[Decimal]:
        total, out = ZERO, []
        for month in range(1, 13):
            total += self.outcome_by_month.get(month, ZERO)
            out.append(total)
        return out

    def cumulative_pairs(self):
        return list(zip(self.cumulative_budget(), self.cumulative_outcome(), strict=True))

    def cumulative_budget(self) -> list[int]:
        total, out = 0, []
        per_month = self.budget_by_month or monthly_budget(self.distributed)
        for amount in per_month:
            total += amount
            out.append(total)
        return out


@dataclass
class AgreementFigures:
    agreement: Agreement
    received: Decimal = ZERO
    distributed: Decimal = ZERO
    outcome: Decimal = ZERO  # costs
    forecast: Decimal = ZERO  # costs + what the activities' forecasts add (forecast_for)
    income: Decimal = ZERO  # income booked on the objects, as a positive amount
    pots: list = field(default_factory=list)  # followup.calculations.PotUse

    @property
    def money(self) -> UnusedMoney:
        return UnusedMoney(self.received, self.outcome, self.income, tuple(self.pots))

    @property
    def unused(self) -> Decimal:
        return self.money.unused

    @property
    def repayable(self) -> Decimal:
        return self.money.repayable


@dataclass(frozen=True)
class DeviationRow:
    pk: int
    name: str
    area_id: int


@dataclass
class DeadlineRow:
    deadline: Deadline
    days_left: int
    document_kind: str | None
    generated: bool
    state: str = ""  # how far the document has come: Skapat, Attesterat, Undertecknat, Skickat
    sent_on: datetime.date | None = None

    @property
    def sent(self) -> bool:
        return self.state == DocumentState.SENT.label

    @property
    def overdue(self) -> bool:
        # A deadline is met when its document is sent, not when it is generated.
        return self.days_left < 0 and not self.sent


@dataclass
class Dashboard:
    year: int
    years: list[int]
    agreements: list[AgreementFigures]
    areas: list[AreaFigures]
    deadlines: list[DeadlineRow]
    status_counts: list[tuple[str, str, int]]
    missing_conditions: list[Activity]
    missing_count: int
    deviations: list[tuple["DeviationRow", Decimal, Decimal, Decimal]]  # budget, outcome, %
    threshold: int
    last_month: int
    years_by_area: dict[str, dict[int, Decimal]]
    objects: list[AreaFigures] = field(default_factory=list)  # per cost object
    forecast_count: int = 0  # activities with an entered forecast
    activity_count: int = 0
    forecast_bases: dict = field(default_factory=dict)  # basis -> number of activities

    @property
    def forecast_basis_text(self) -> str:
        return basis_text(self.forecast_bases)

    @property
    def received(self):
        return sum((a.received for a in self.agreements), ZERO)

    @property
    def distributed(self):
        return sum((a.distributed for a in self.agreements), ZERO)

    @property
    def outcome(self):
        return sum((a.outcome for a in self.agreements), ZERO)

    @property
    def forecast(self):
        return sum((a.forecast for a in self.agreements), ZERO)

    @property
    def unused(self):
        return self.received - self.outcome

    @property
    def income(self):
        return sum((a.income for a in self.agreements), ZERO)

    @property
    def repayable(self):
        return sum((a.repayable for a in self.agreements), ZERO)


def default_year(today: datetime.date, years: list[int] | None = None) -> int:
    """This year if it has agreements, else the latest year that has. `years`: the years
    with agreements, newest first, when the caller has read them already."""
    if years is None:
        years = list(Agreement.objects.order_by("-year").values_list("year", flat=True).distinct())
    return today.year if today.year in years or not years else years[0]


def build_dashboard(year: int, today: datetime.date, threshold: int = 20) -> Dashboard:
    own = settings.OWN_REGION_CODE
    agreements = {a.pk: AgreementFigures(a) for a in Agreement.objects.filter(year=year)}
    areas: dict[int, AreaFigures] = {}

    decided = (
        DecidedAmount.objects.filter(
            component__agreement__year=year,
            component__recipient_group__in=OWN_REGION_GROUPS,
            component__included_in__isnull=True,
            region__county_code=own,
        )
        .values("component__agreement_id", "component__area_id", "component__area__name")
        .annotate(total=Sum("amount"))
    )
    for row in decided:
        agreements[row["component__agreement_id"]].received += _money(row["total"])
        if row["component__area_id"]:
            area = areas.setdefault(
                row["component__area_id"],
                AreaFigures(
                    row["component__area_id"],
                    row["component__area__name"],
                    str(agreements[row["component__agreement_id"]].agreement),
                ),
            )
            area.decided += _money(row["total"])

    objects: dict[int, AreaFigures] = {}
    for row in (
        Activity.objects.filter(area__agreement__year=year, cost_object__isnull=False)
        .values("cost_object_id", "cost_object__number", "cost_object__name", "area__name")
        .annotate(total=Sum("amount"))
    ):
        objects[row["cost_object_id"]] = AreaFigures(
            row["cost_object_id"],
            f"{row['cost_object__number']} {row['cost_object__name']}",
            row["area__name"],
            distributed=_money(row["total"]),
        )

    distributed = (
        Activity.objects.filter(area__agreement__year=year)
        .values("area__agreement_id", "area_id", "area__name")
        .annotate(total=Sum("amount"))
    )
    for row in distributed:
        figures = agreements[row["area__agreement_id"]]
        figures.distributed += _money(row["total"])
        area = areas.setdefault(
            row["area_id"], AreaFigures(row["area_id"], row["area__name"], str(figures.agreement))
        )
        area.distributed += _money(row["total"])

    # Grouped by ids alone (a hash of integers, not a sort of names); names from the objects.
    info = {
        row["id"]: row
        for row in CostObject.objects.filter(area__agreement__year=year).values(
            "id", "number", "name", "area_id", "area__name", "area__agreement_id"
        )
    }
    activities = Activity.objects.filter(area__agreement__year=year)
    activity_rows = list(
        activities.values_list(
            "pk",
            "name",
            "area_id",
            "area__agreement_id",
            "amount",
            "cost_object_id",
            "forecast",
            "ring_fenced_component_id",
        )
    )
    of_year = {row[0] for row in activity_rows}
    pot_of = {row[0]: row[7] for row in activity_rows if row[7]}
    # The kept monthly totals, not the rows, and their kept kind, not the chart per total:
    # each query reads one range of one index (followup_total_year_kind: year, budget, kind,
    # object, activity, month, amount), no table row, no join. The year's costs per object
    # and activity (the pots' costs, each activity's costs), its income per object, then (below)
    # its costs per object and month.
    totals = LedgerMonthTotal.objects.filter(year=year, is_budget=False)
    costs = totals.filter(kind=Kind.COST)
    per_activity = list(
        costs.values_list("cost_object_id", "activity_id")
        .annotate(total=Sum("amount"))
        .order_by("cost_object_id", "activity_id")  # the index's order: no sort
    )
    for object_id, total in (
        totals.filter(kind=Kind.INCOME)
        .values_list("cost_object_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        if object_id in info:
            agreements[info[object_id]["area__agreement_id"]].income -= _money(total)
    # Activities of other years with costs on this year's objects (a link may tie them).
    elsewhere = {
        activity_id
        for object_id, activity_id, _ in per_activity
        if activity_id is not None and activity_id not in of_year and object_id in info
    }
    if elsewhere:
        pot_of.update(
            Activity.objects.filter(
                pk__in=elsewhere, ring_fenced_component__isnull=False
            ).values_list("pk", "ring_fenced_component_id")
        )
    pot_costs: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_activity: dict[int, Decimal] = defaultdict(lambda: ZERO)
    on_own_object: dict[tuple[int, int], Decimal] = {}  # (activity, object) -> costs
    for object_id, activity_id, total in per_activity:
        amount = _money(total)
        if object_id in info and (pot := pot_of.get(activity_id)):
            pot_costs[pot] += amount
        # An activity's costs, on any object of the year's ledger (as its follow-up line).
        if activity_id in of_year:
            by_activity[activity_id] += amount
            on_own_object[(activity_id, object_id)] = amount
    # Ring-fenced pots: their decided amounts and the costs of the activities marked for them.
    for row in (
        DecidedAmount.objects.filter(
            component__agreement__year=year,
            component__recipient_group__in=OWN_REGION_GROUPS,
            component__included_in__isnull=True,
            component__ring_fenced=True,
            region__county_code=own,
        )
        .values("component__agreement_id", "component_id", "component__name")
        .annotate(total=Sum("amount"))
        .order_by("component__position", "component_id")
    ):
        agreements[row["component__agreement_id"]].pots.append(
            PotUse(
                row["component__name"],
                _money(row["total"]),
                _money(pot_costs.get(row["component_id"])),
            )
        )

    outcome = (
        costs.values("cost_object_id", "month")
        .annotate(total=Sum("amount"))
        .order_by("cost_object_id", "month")
    )
    last_month = 0
    for row in outcome:
        about = info.get(row["cost_object_id"])
        if about is None:  # an object of another year's agreement
            continue
        amount = _money(row["total"])
        figures = agreements[about["area__agreement_id"]]
        figures.outcome += amount
        area = areas.setdefault(
            about["area_id"],
            AreaFigures(about["area_id"], about["area__name"], str(figures.agreement)),
        )
        cost_object = objects.setdefault(
            row["cost_object_id"],
            AreaFigures(
                row["cost_object_id"], f"{about['number']} {about['name']}", about["area__name"]
            ),
        )
        for figures_row in (area, cost_object):
            figures_row.outcome += amount
            month = row["month"]
            figures_row.outcome_by_month[month] = (
                figures_row.outcome_by_month.get(month, ZERO) + amount
            )
        last_month = max(last_month, row["month"])

    counts = dict(activities.values_list("status").annotate(n=Count("id")))
    status_counts = [
        (value, label, counts.get(value, 0)) for value, label in ActivityStatus.choices
    ]
    missing = activities.missing_conditions().select_related("area__agreement")
    missing_count = missing.count()

    ledger_month = ledger_last_month(year)
    bases: dict[str, int] = defaultdict(int)
    profiles = {
        p.activity_id: p.as_profile()
        for p in ActivityBudgetProfile.objects.filter(activity__area__agreement__year=year).exclude(
            kind=ProfileKind.EVEN
        )
    }
    # Budget by month per cost object: the sum of its activities' budgets spread by profile,
    # as in the follow-up. Values, not model instances: thousands of activities a year.
    object_months: dict[int, list[int]] = {}
    deviations = []
    forecast_count = 0  # activities with an entered forecast
    for pk, name, area_id, agreement_id, amount, object_id, forecast, _ in activity_rows:
        forecast_count += forecast is not None
        profile = profiles.get(pk)
        per_month = spread_budget(amount, profile)
        # The follow-up's rule and figures: the agreement's costs are counted once (its
        # outcome), each activity adds what its forecast is above its own outcome.
        own = on_own_object.get((pk, object_id), ZERO)
        expected = forecast_for(forecast, own, per_month, ledger_month)
        agreements[agreement_id].forecast += expected.amount - own
        bases[expected.basis] += 1
        if object_id is not None:
            sums = object_months.setdefault(object_id, [0] * 12)
            for index, value in enumerate(per_month):
                sums[index] += value
        if not last_month:
            continue
        budget = Decimal(
            sum(per_month[:last_month]) if profile else budget_to_date(amount, last_month)
        )
        spent = _money(by_activity.get(pk))
        if budget:
            percent = ((spent - budget) * 100 / budget).quantize(Decimal("0.1"))
        else:
            percent = Decimal("100.0") if spent else ZERO
        if abs(percent) >= threshold and (budget or spent):
            deviations.append((DeviationRow(pk, name, area_id), budget, spent, percent))
    deviations.sort(key=lambda row: (-abs(row[3]), row[0].pk))
    for figures in agreements.values():
        figures.forecast += figures.outcome
    for object_id, per_month in object_months.items():
        if object_id in objects:
            objects[object_id].budget_by_month = per_month
    activity_count = sum(counts.values())

    horizon = today + datetime.timedelta(days=365)
    upcoming = (
        Deadline.objects.own()
        .confirmed()
        .filter(due_date__gte=today - OVERDUE_LIMIT, due_date__lte=horizon)
        .select_related("agreement", "submission")
        .order_by("due_date")
    )
    deadline_rows = []
    for deadline in upcoming:
        kind = DOCUMENT_FOR_DEADLINE.get(deadline.kind)
        submission = getattr(deadline, "submission", None) if kind else None
        deadline_rows.append(
            DeadlineRow(
                deadline,
                (deadline.due_date - today).days,
                kind,
                submission is not None,
                submission.get_state_display() if submission else "",
                submission.sent_on if submission else None,
            )
        )

    years_by_area: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for row in (
        DecidedAmount.objects.filter(
            component__recipient_group__in=OWN_REGION_GROUPS,
            component__included_in__isnull=True,
            region__county_code=own,
            component__area__isnull=False,
        )
        .values("component__agreement__year", "component__area__name")
        .annotate(total=Sum("amount"))
    ):
        years_by_area[_area_key(row["component__area__name"])][
            row["component__agreement__year"]
        ] = _money(row["total"])
    years = sorted(set(Agreement.objects.values_list("year", flat=True)), reverse=True)
    return Dashboard(
        year=year,
        years=years,
        agreements=list(agreements.values()),
        areas=sorted(areas.values(), key=lambda a: (a.agreement, a.area_id)),
        deadlines=deadline_rows,
        status_counts=status_counts,
        missing_conditions=list(missing[:20]),
        missing_count=missing_count,
        deviations=deviations[:20],
        threshold=threshold,
        last_month=last_month,
        years_by_area=dict(years_by_area),
        objects=sorted(objects.values(), key=lambda o: o.name),
        forecast_count=forecast_count,
        activity_count=activity_count,
        forecast_bases=dict(bases),
    )


def _area_key(name: str) -> str:
    """Areas keep their theme across years under slightly different names: compare by theme."""
    lowered = name.lower()
    for key, label in (
        ("nära vård", "Nära vård och primärvård"),
        ("medarbetare", "Vårdens medarbetare"),
        ("e-hälsa", "Vision e-hälsa 2025"),
        ("ambulans", "Ambulanssjukvård"),
        ("barnhälsovård", "Barnhälsovård"),
    ):
        if key in lowered:
            return label
    return name
