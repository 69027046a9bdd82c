"""The region's follow-up periods and budget per month: pure functions, no database.

Months are 1–12 of the agreement's year. Tertials: T1 January–April, T2 May–August,
T3 September–December. Interim accounts (delårsbokslut) cover January–August and annual
accounts (årsbokslut) the whole year.
"""

from dataclasses import dataclass
from decimal import Decimal

MONTH_NAMES = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    months: tuple[int, ...]

    @property
    def last_month(self) -> int:
        return self.months[-1]


PERIODS = {
    "T1": Period("T1", "Tertial 1 (januari–april)", (1, 2, 3, 4)),
    "T2": Period("T2", "Tertial 2 (maj–augusti)", (5, 6, 7, 8)),
    "T3": Period("T3", "Tertial 3 (september–december)", (9, 10, 11, 12)),
    "delar": Period("delar", "Delårsbokslut (januari–augusti)", tuple(range(1, 9))),
    "ar": Period("ar", "Årsbokslut (januari–december)", tuple(range(1, 13))),
}


def month_period(month: int) -> Period:
    if not 1 <= month <= 12:
        raise ValueError(f"Month must be 1–12, not {month}")
    return Period(f"m{month:02d}", MONTH_NAMES[month - 1].capitalize(), (month,))


def all_periods() -> list[Period]:
    """Every month, then the tertials, the interim and the annual accounts."""
    return [month_period(m) for m in range(1, 13)] + list(PERIODS.values())


def period_by_key(key: str) -> Period:
    if key in PERIODS:
        return PERIODS[key]
    if key.startswith("m") and key[1:].isdigit():
        return month_period(int(key[1:]))
    raise KeyError(key)


def monthly_budget(annual: Decimal | int) -> list[int]:
    """An annual budget in whole kronor spread evenly over 12 months, adding up exactly.

    The same as common.money.round_to_total of twelve equal shares (the left-over kronor go
    to the earliest months), in integer arithmetic because dashboards do this for thousands
    of activities.
    """
    share, left_over = divmod(int(annual), 12)
    return [share + 1] * left_over + [share] * (12 - left_over)


class ProfileKind:
    """How an activity's annual budget is spread over the months (values stored in the DB)."""

    EVEN = "jamn"
    MONTHS = "manader"
    ONE_MONTH = "en_manad"


@dataclass(frozen=True)
class BudgetProfile:
    """A budget profile as data: even, one month, or twelve month amounts (whole kronor)."""

    kind: str = ProfileKind.EVEN
    month: int | None = None
    amounts: tuple[int, ...] = ()


def check_profile(annual: Decimal | int, profile: BudgetProfile) -> list[str]:
    """Swedish messages for a profile that does not spread exactly this annual budget."""
    if profile.kind == ProfileKind.EVEN:
        return []
    if profile.kind == ProfileKind.ONE_MONTH:
        if profile.month is None or not 1 <= profile.month <= 12:
            return ["Välj den månad då hela budgeten används."]
        return []
    if profile.kind != ProfileKind.MONTHS:
        return [f"Okänd budgetprofil: {profile.kind}."]
    if len(profile.amounts) != 12:
        return ["Ange ett belopp för var och en av årets tolv månader."]
    if any(amount < 0 for amount in profile.amounts):
        return ["Ett månadsbelopp kan inte vara negativt."]
    total = sum(profile.amounts)
    if total != int(annual):
        from common.money import format_amount

        return [
            f"Månadsbeloppen blir {format_amount(total)} men aktivitetens belopp är "
            f"{format_amount(annual)} (skillnad {format_amount(total - int(annual))})."
        ]
    return []


def spread_budget(annual: Decimal | int, profile: BudgetProfile | None = None) -> list[int]:
    """The annual budget per month by the activity's profile, adding up exactly.

    A profile that no longer adds up to the annual amount (the amount was changed after the
    profile was entered) falls back to an even spread; pages say so (check_profile).
    """
    if profile is None or profile.kind == ProfileKind.EVEN or check_profile(annual, profile):
        return monthly_budget(annual)
    if profile.kind == ProfileKind.ONE_MONTH:
        return [int(annual) if m == profile.month else 0 for m in range(1, 13)]
    return list(profile.amounts)


def budget_to_date(annual: Decimal | int, last_month: int) -> int:
    """The sum of monthly_budget(annual) from January to `last_month`."""
    share, left_over = divmod(int(annual), 12)
    return share * last_month + min(last_month, left_over)


@dataclass(frozen=True)
class FollowUp:
    """Budget against outcome for one line (activity, object or area) over one period."""

    budget: Decimal  # the annual budget
    period_budget: Decimal  # the budget of the period's months
    outcome: Decimal  # outcome in the period
    outcome_to_date: Decimal  # outcome from January to the period's last month
    forecast: Decimal | None  # the year's expected outcome

    @property
    def deviation(self) -> Decimal:
        """Outcome minus budget for the period: positive means over budget."""
        return self.outcome - self.period_budget

    @property
    def share_used(self) -> Decimal | None:
        """Share of the annual budget used to date, in percent with one decimal."""
        if not self.budget:
            return None
        return (self.outcome_to_date * 100 / self.budget).quantize(Decimal("0.1"))

    @property
    def left(self) -> Decimal:
        return self.budget - self.outcome_to_date

    @property
    def forecast_deviation(self) -> Decimal | None:
        return None if self.forecast is None else self.forecast - self.budget


def compute_followup(
    budget: Decimal,
    outcome_by_month: dict[int, Decimal],
    period: Period,
    forecast=None,
    per_month: list[int] | None = None,
) -> FollowUp:
    """`per_month` is the budget spread by the activity's profile; even when not given."""
    if per_month is None:
        per_month = monthly_budget(budget)
    zero = Decimal("0")
    return FollowUp(
        budget=Decimal(budget),
        period_budget=Decimal(sum(per_month[m - 1] for m in period.months)),
        outcome=sum((outcome_by_month.get(m, zero) for m in period.months), zero),
        outcome_to_date=sum(
            (outcome_by_month.get(m, zero) for m in range(1, period.last_month + 1)), zero
        ),
        forecast=forecast,
    )
