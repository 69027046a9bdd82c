"""Budget against outcome per area, cost object and activity for one period of a year.

Outcome is the costs (rows classified by the chart of accounts, credit notes being negative
costs); income booked on the objects is summed beside it, and other rows (financial items,
balance accounts, unknown accounts) are listed, never dropped. Each kind is read in one
grouped query; the arithmetic is followup.periods and followup.calculations.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Sum

from common.cache import kept
from distribution.models import Activity, CostObject
from distribution.reads import own_areas_money
from grants.models import Agreement

from .accounts import Kind
from .calculations import BASIS_LABELS, BASIS_OUTCOME, PotUse, UnusedMoney, forecast_for
from .models import (
    AccountRange,
    ActivityBudgetProfile,
    ActivityLink,
    ClosedPeriod,
    LedgerImport,
    LedgerMonthTotal,
    LedgerSource,
    LedgerTransaction,
    ReplacedLedgerTransaction,
    chart_of_accounts,
)
from .periods import (
    FollowUp,
    Period,
    check_profile,
    compute_followup,
    monthly_budget,
    spread_budget,
)
from .versions import data_version

ZERO = Decimal("0")
REPORT_SECONDS = 3600  # a kept follow-up; a change to its data makes a new one at once


@dataclass
class Line:
    label: str
    kind: str  # "activity", "unlinked", "object", "area", "total"
    followup: FollowUp
    activity: Activity | None = None
    by_month: dict[int, Decimal] = field(default_factory=dict)
    budget_by_month: list[int] = field(default_factory=list)
    forecast_basis: str = ""  # followup.calculations.BASIS_LABELS; "" on sums
    profile_problem: str = ""  # the activity's profile no longer adds up; even spread used

    @property
    def forecast_basis_label(self) -> str:
        return BASIS_LABELS.get(self.forecast_basis, "")


@dataclass
class ObjectBlock:
    cost_object: CostObject
    lines: list[Line]
    total: Line
    income: Decimal = ZERO  # income booked on the object, as a positive amount


@dataclass
class AreaBlock:
    area: object
    decided: Decimal
    objects: list[ObjectBlock]
    other_lines: list[Line]  # activities without a cost object
    total: Line

    @property
    def income(self) -> Decimal:
        return sum((o.income for o in self.objects), ZERO)


@dataclass(frozen=True)
class OtherRows:
    """Rows on a grant object that are neither costs nor income (e.g. class 8, class 1–2)."""

    cost_object: CostObject
    kind: str
    label: str
    count: int
    amount: Decimal


@dataclass
class FollowUpReport:
    agreement: object
    period: Period
    areas: list[AreaBlock]
    total: Line
    unused: UnusedMoney
    unlinked_count: int
    other_rows: list[OtherRows] = field(default_factory=list)
    no_account_count: int = 0  # rows without an account, counted as costs
    no_account_amount: Decimal = ZERO
    forecast_count: int = 0  # activities with an entered forecast
    activity_count: int = 0
    forecast_bases: dict = field(default_factory=dict)  # basis -> number of activities

    @property
    def income(self) -> Decimal:
        return self.unused.income

    @property
    def forecast_basis_text(self) -> str:
        return basis_text(self.forecast_bases)


def basis_text(counts: dict) -> str:
    """`3 angivna, 14 utfall + budgetprofil, 2 utfall`: what the activities' forecasts rest on."""
    parts = []
    for basis, label in BASIS_LABELS.items():
        count = counts.get(basis, 0)
        if count:
            parts.append(f"{count} {'angivna' if basis == 'entered' and count > 1 else label}")
    return ", ".join(parts)


def activity_outcome(activity) -> Decimal:
    """An activity's costs of its year so far on its own cost object, as its follow-up line
    counts them: what its forecast may not be below."""
    if activity.cost_object_id is None:
        return ZERO
    total = (
        LedgerMonthTotal.objects.filter(
            activity=activity,
            cost_object_id=activity.cost_object_id,
            year=activity.area.agreement.year,
        )
        .costs(chart_of_accounts())
        .aggregate(total=Sum("amount"))["total"]
    )
    return _money(total)


def ledger_last_month(year: int) -> int:
    """The last month of `year` the ledger holds (0 before the first import): the forecast's
    "to date". The same for the follow-up, the dashboard and the workbook."""
    return (
        LedgerMonthTotal.objects.filter(year=year, is_budget=False).aggregate(m=Max("month"))["m"]
        or 0
    )


def _sum_months(dicts):
    out = defaultdict(lambda: ZERO)
    for d in dicts:
        for month, amount in d.items():
            out[month] += amount
    return dict(out)


def _line(label, kind, budget, by_month, period, forecast=None, activity=None, per_month=None):
    per_month = per_month if per_month is not None else monthly_budget(budget)
    return Line(
        label=label,
        kind=kind,
        followup=compute_followup(budget, by_month, period, forecast, per_month),
        activity=activity,
        by_month=by_month,
        budget_by_month=per_month,
    )


def _activity_line(activity, by_month, period, profile, last_month):
    """An activity's line: budget spread by its profile, forecast by the one rule
    (followup.calculations.forecast_for) from the year's outcome so far."""
    problems = check_profile(activity.amount, profile) if profile else []
    per_month = spread_budget(activity.amount, profile)
    forecast = forecast_for(activity.forecast, sum(by_month.values(), ZERO), per_month, last_month)
    line = _line(
        activity.name,
        "activity",
        activity.amount,
        by_month,
        period,
        forecast.amount,
        activity,
        per_month,
    )
    line.forecast_basis = forecast.basis
    line.profile_problem = problems[0] if problems else ""
    return line


def _outcome_line(label, by_month, period):
    """Outcome on no activity of the object: its forecast is what is spent."""
    line = _line(label, "unlinked", ZERO, by_month, period, sum(by_month.values(), ZERO))
    line.forecast_basis = BASIS_OUTCOME
    return line


def _total(label, kind, lines, period):
    budget = sum((line.followup.budget for line in lines), ZERO)
    forecast = sum((line.followup.forecast or ZERO for line in lines), ZERO)
    by_month = _sum_months(line.by_month for line in lines)
    per_month = (
        [sum(month) for month in zip(*(x.budget_by_month for x in lines), strict=True)]
        if lines
        else [0] * 12
    )
    return _line(label, kind, budget, by_month, period, forecast, per_month=per_month)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def followup_report(agreement, period: Period) -> FollowUpReport:
    """build_followup as kept in the shared cache for the year's data as it now is
    (versions.data_version): the page is read far more often than its data changes, and a
    change makes a new version, so nothing kept is shown for other data than it was made of."""
    version = data_version(agreement.year)

    def build():
        # Everything is read after the version, the agreement too: kept under a version, a
        # report may be newer than it (a change committed meanwhile), never older.
        return build_followup(Agreement.objects.get(pk=agreement.pk), period)

    return kept(("followup", agreement.pk, period.key, version), build, REPORT_SECONDS)


def build_followup(agreement, period: Period) -> FollowUpReport:
    """Budget against outcome (the costs), income beside it, and unused money. A fixed number
    of queries whatever the number of activities, objects or rows."""
    year = agreement.year
    ranges = chart_of_accounts()
    areas = list(agreement.areas.all())
    activities = list(
        Activity.objects.filter(area__agreement=agreement)
        .select_related("cost_object", "ring_fenced_component")
        .order_by("position", "id")
    )
    profiles = {
        p.activity_id: p.as_profile()
        for p in ActivityBudgetProfile.objects.filter(activity__area__agreement=agreement)
    }
    objects = list(CostObject.objects.filter(area__agreement=agreement, year=year))
    # The kept monthly totals: the rows' sums without reading every row.
    rows = LedgerMonthTotal.objects.filter(cost_object__in=objects, year=year)
    outcome = defaultdict(lambda: defaultdict(lambda: ZERO))  # (object, activity) -> month -> sum
    for row in (
        rows.costs(ranges)
        .values("cost_object_id", "activity_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        outcome[(row["cost_object_id"], row["activity_id"])][row["month"]] += _money(row["total"])
    income = {
        row["cost_object_id"]: -_money(row["total"])
        for row in rows.income(ranges)
        .values("cost_object_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    by_pk = {o.pk: o for o in objects}
    other_rows = [
        OtherRows(
            by_pk[row["cost_object_id"]],
            row["kind"],
            Kind(row["kind"]).label,
            row["n"],
            _money(row["total"]),
        )
        for row in rows.other_kinds(ranges)
        .values("cost_object_id", "kind")
        .annotate(total=Sum("amount"), n=Sum("rows"))
        .order_by("cost_object_id", "kind")
    ]
    no_account = rows.costs(ranges).filter(account="").aggregate(n=Sum("rows"), total=Sum("amount"))

    last_month = ledger_last_month(year)
    pot_of = {a.pk: a.ring_fenced_component_id for a in activities if a.ring_fenced_component_id}
    area_blocks = []
    all_lines = []
    unlinked_count = 0
    received = ZERO
    pots = []
    money_of = own_areas_money(areas)
    for area in areas:
        money = money_of[area.pk]
        received += money.amount
        area_activities = [a for a in activities if a.area_id == area.pk]
        blocks = []
        for cost_object in (o for o in objects if o.area_id == area.pk):
            own = [a for a in area_activities if a.cost_object_id == cost_object.pk]
            lines = [
                _activity_line(
                    a,
                    dict(outcome.get((cost_object.pk, a.pk), {})),
                    period,
                    profiles.get(a.pk),
                    last_month,
                )
                for a in own
            ]
            unlinked = dict(outcome.get((cost_object.pk, None), {}))
            # A link rule may tie a row on this object to an activity of another object: it
            # is still outcome here, so it gets a line rather than vanishing from the table.
            own_pks = {a.pk for a in own}
            elsewhere = _sum_months(
                months
                for (object_pk, activity_pk), months in outcome.items()
                if object_pk == cost_object.pk
                and activity_pk is not None
                and activity_pk not in own_pks
            )
            if unlinked:
                unlinked_count += 1
                lines.append(_outcome_line("Ej kopplat till aktivitet", unlinked, period))
            if elsewhere:
                lines.append(
                    _outcome_line("Kopplat till aktivitet på annat objekt", elsewhere, period)
                )
            blocks.append(
                ObjectBlock(
                    cost_object,
                    lines,
                    _total(f"Summa {cost_object}", "object", lines, period),
                    income.get(cost_object.pk, ZERO),
                )
            )
        other = [
            _activity_line(a, {}, period, profiles.get(a.pk), last_month)
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
                    sum(months.values(), ZERO)
                    for (_, activity_pk), months in outcome.items()
                    if activity_pk is not None and pot_of.get(activity_pk) == pot_id
                ),
                ZERO,
            )
            pots.append(PotUse(money.pot_names[pot_id], pot, spent))
    year_costs = sum((sum(months.values(), ZERO) for months in outcome.values()), ZERO)
    return FollowUpReport(
        agreement=agreement,
        period=period,
        areas=area_blocks,
        total=_total("Totalt", "total", all_lines, period),
        unused=UnusedMoney(received, year_costs, sum(income.values(), ZERO), tuple(pots)),
        unlinked_count=unlinked_count,
        other_rows=other_rows,
        no_account_count=no_account["n"] or 0,
        no_account_amount=_money(no_account["total"]),
        forecast_count=sum(1 for a in activities if a.forecast is not None),
        activity_count=len(activities),
        forecast_bases=_count_bases(area_blocks),
    )


def _count_bases(area_blocks) -> dict:
    counts: dict[str, int] = defaultdict(int)
    for block in area_blocks:
        for object_block in block.objects:
            for line in object_block.lines:
                if line.kind == "activity":
                    counts[line.forecast_basis] += 1
        for line in block.other_lines:
            counts[line.forecast_basis] += 1
    return dict(counts)


# ---------------------------------------------------------------- what the pages read


def closed_periods(year: int) -> dict[int, ClosedPeriod]:
    """The year's closed months, by month, with who closed them."""
    rows = ClosedPeriod.objects.filter(year=year).select_related("closed_by")
    return {period.month: period for period in rows}


def closed_months(year: int) -> set[int]:
    return set(ClosedPeriod.objects.filter(year=year).values_list("month", flat=True))


def closed_period(year: int, month: int) -> ClosedPeriod | None:
    return ClosedPeriod.objects.filter(year=year, month=month).first()


def period_history(year: int):
    """Closings and openings of the year's months, newest first."""
    return ClosedPeriod.history.filter(year=year).select_related("history_user")


def workbook_transactions(agreement, period: Period):
    """The agreement's outcome rows up to the period's last month, streamed in book order."""
    return (
        LedgerTransaction.objects.filter(
            cost_object__area__agreement=agreement,
            year=agreement.year,
            month__lte=period.last_month,
            is_budget=False,
        )
        .with_kind()
        .select_related("cost_object__area", "activity")
        .order_by("year", "month", "cost_object__number", "id")
        .iterator(chunk_size=2000)
    )


def account_ranges() -> list[AccountRange]:
    """The region's own chart of accounts (empty: Kommun-Bas applies)."""
    return list(AccountRange.objects.all())


def chart_history(limit: int = 30):
    return AccountRange.history.select_related("history_user")[:limit]


def activity_links(agreement):
    """The agreement's links from object and ansvar to activity."""
    return ActivityLink.objects.filter(cost_object__area__agreement=agreement).select_related(
        "cost_object", "activity"
    )


def budget_profile_of(activity) -> ActivityBudgetProfile | None:
    return ActivityBudgetProfile.objects.filter(activity=activity).first()


def budget_profile_history(record: ActivityBudgetProfile | None, limit: int = 20):
    return record.history.select_related("history_user")[:limit] if record else []


def ledger_imports():
    """Every import, newest first, with who uploaded it and its source."""
    return LedgerImport.objects.select_related("uploaded_by", "source")


def ledger_sources():
    return LedgerSource.objects.all()


def import_rows(record: LedgerImport):
    """The rows an import kept, in the file's order."""
    rows = record.transactions.select_related("cost_object", "activity", "ledger_import")
    return rows.order_by("line")


def replaced_rows(record: LedgerImport):
    """The earlier rows an import replaced (kept, archived), in book order."""
    return (
        ReplacedLedgerTransaction.objects.filter(replaced_by=record)
        .select_related("cost_object", "activity", "ledger_import")
        .order_by("year", "month", "ledger_import_id", "line")
    )
