"""Reads of the joint plan shared by its pages, exports, the dashboard and the activity
report: indicator values against targets, status counts, and the money behind a plan
activity. Each runs a fixed number of queries however much data there is."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from common.history import timeline
from followup.models import LedgerMonthTotal

from .models import (
    ActivityLink,
    Gender,
    Indicator,
    Measurement,
    MeasureQuestion,
    Party,
    Plan,
    PlanActivity,
    SubActivity,
    SubStatus,
)
from .targets import Evaluation, Verdict, evaluate, period_label, trend

ZERO = Decimal("0")


@dataclass
class Series:
    """The values of one indicator for one party, group and gender over time."""

    indicator: Indicator
    party: object
    group: str
    gender: str
    values: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    measurements: dict[tuple[int, int], Measurement] = field(default_factory=dict)

    @property
    def latest(self) -> tuple[int, int] | None:
        return max(self.values) if self.values else None

    @property
    def latest_label(self) -> str:
        return period_label(*self.latest) if self.latest else "–"

    @property
    def latest_value(self):
        return self.values[self.latest] if self.latest else None

    @property
    def latest_display(self) -> str:
        return self.indicator.format_value(self.latest_value)

    @property
    def evaluation(self) -> Evaluation:
        if not self.values:
            return Evaluation(Verdict.NO_VALUE, "Inga värden ännu.")
        return evaluate(self.indicator.target, self.values, *self.latest)

    def evaluation_for(self, year: int, half: int = 0) -> Evaluation:
        return evaluate(self.indicator.target, self.values, year, half)

    def period_in(self, year: int) -> tuple[int, int] | None:
        """The period of `year` a yearly document reports: the whole year, else its last
        half with a value; None when the series has no value for the year."""
        keys = [key for key in self.values if key[0] == year]
        if (year, 0) in self.values:
            return (year, 0)
        return max(keys) if keys else None

    @property
    def label(self) -> str:
        parts = [str(self.party)]
        if self.group:
            parts.append(self.group)
        if self.gender != Gender.TOTAL:
            parts.append(Gender(self.gender).label.lower())
        return ", ".join(parts)

    def trend(self):
        """(period, value as shown, arrow, verdict, the Measurement) in time order."""
        return [
            (
                period_label(*key),
                self.indicator.format_value(value),
                arrow,
                evaluate(self.indicator.target, self.values, *key),
                self.measurements.get(key),
            )
            for key, value, arrow in trend(self.values)
        ]


@dataclass
class IndicatorSummary:
    indicator: Indicator
    series: list[Series]

    @property
    def totals(self) -> list[Series]:
        """The series for women and men together, one per party and group."""
        return [s for s in self.series if s.gender == Gender.TOTAL]

    @property
    def headline(self) -> Series | None:
        """The series to show first: the most recent total, the first party on ties."""
        totals = [s for s in self.totals if s.values]
        if not totals:
            return None
        return max(totals, key=lambda s: (s.latest, -s.party.position))


EXAMPLE_WORDS = ("exempel", "påhittad", "fiktiv", "fingerad")


def is_example_source(source: str) -> bool:
    """A value whose source says it is an example or made up, not a measured value."""
    text = (source or "").lower()
    return any(word in text for word in EXAMPLE_WORDS)


@dataclass
class YearValue:
    """One series' value for the report year, as a document about that year prints it."""

    label: str
    period: str
    display: str
    verdict: str
    source: str
    example: bool


@dataclass
class IndicatorYear:
    """An indicator in a document about one year: the value of each series for that year
    (or "värde saknas för Y") with its source, never a later or earlier value."""

    indicator: Indicator
    year: int
    rows: list[YearValue]

    @property
    def missing(self) -> list[str]:
        """What a document about the year lacks for this indicator, in Swedish."""
        name = self.indicator.name
        if not any(row.period for row in self.rows):
            return [f"Indikatorn ”{name}”: värde saknas för {self.year}."]
        return [
            f"Indikatorn ”{name}” ({row.label}): värdet för {row.period} är ett exempelvärde "
            f"(källa: {row.source})."
            for row in self.rows
            if row.example
        ]


def in_year(summary: IndicatorSummary, year: int) -> IndicatorYear:
    rows = []
    for series in summary.series or [None]:
        key = series.period_in(year) if series else None
        label = series.label if series else "Regionen"
        if key is None:
            rows.append(YearValue(label, "", "", f"värde saknas för {year}", "", False))
            continue
        measurement = series.measurements[key]
        rows.append(
            YearValue(
                label,
                period_label(*key),
                summary.indicator.format_value(series.values[key]),
                series.evaluation_for(*key).label,
                measurement.source,
                is_example_source(measurement.source),
            )
        )
    return IndicatorYear(summary.indicator, year, rows)


def summarize(indicators, *, party=None, gender=None, until=None) -> list[IndicatorSummary]:
    """Each indicator's series; with `until` (a year) only the values up to that year, so a
    page about that year shows what was known for it, not a later value."""
    indicators = list(indicators)
    measurements = Measurement.objects.filter(indicator__in=indicators).select_related("party")
    if until is not None:
        measurements = measurements.filter(year__lte=until)
    if party is not None:
        measurements = measurements.filter(party=party)
    if gender is not None:
        measurements = measurements.filter(gender=gender)
    by_key: dict[tuple, Series] = {}
    by_indicator = defaultdict(list)
    lookup = {i.pk: i for i in indicators}
    for m in measurements.order_by("party__position", "group", "gender", "year", "half"):
        key = (m.indicator_id, m.party_id, m.group, m.gender)
        series = by_key.get(key)
        if series is None:
            series = by_key[key] = Series(lookup[m.indicator_id], m.party, m.group, m.gender)
            by_indicator[m.indicator_id].append(series)
        series.values[(m.year, m.half)] = m.value
        series.measurements[(m.year, m.half)] = m
    gender_order = {"T": 0, "K": 1, "M": 2}
    return [
        IndicatorSummary(
            i,
            sorted(
                by_indicator.get(i.pk, []),
                key=lambda s: (s.party.position, s.group, gender_order[s.gender]),
            ),
        )
        for i in indicators
    ]


def verdict_counts(summaries, year: int | None = None) -> dict[str, int]:
    """Met / not met / no value per indicator, by its headline series: its latest value, or
    with `year` its value for that year."""

    def verdict(summary):
        series = summary.headline
        if series is None:
            return Verdict.NO_VALUE
        if year is None:
            return series.evaluation.verdict
        key = series.period_in(year)
        return series.evaluation_for(*key).verdict if key else Verdict.NO_VALUE

    counts = Counter(verdict(s) for s in summaries)
    return {
        "met": counts.get(Verdict.MET, 0),
        "not_met": counts.get(Verdict.NOT_MET, 0),
        "none": counts.get(Verdict.NO_VALUE, 0),
    }


def status_counts(sub_activities) -> list[tuple[str, str, int]]:
    counts = Counter(s.status for s in sub_activities)
    return [(value, label, counts.get(value, 0)) for value, label in SubStatus.choices]


def plan_activities(plan, *, status=None, period=None, party=None):
    """The action plan's activities with their sub-activities, filtered. `period` is
    "2024–2025" as shown; `status` a SubStatus value."""
    activities = (
        PlanActivity.objects.filter(strategy__plan=plan)
        .select_related("strategy")
        .prefetch_related("sub_activities__questions__answers")
        .order_by("strategy__position", "position", "id")
    )
    if period:
        start, _, end = period.replace("-", "–").partition("–")
        if start.isdigit() and end.isdigit():
            activities = activities.filter(priority_from=int(start), priority_to=int(end))
    if status:
        activities = activities.filter(sub_activities__status=status).distinct()
    return list(activities)


def periods_of(plan) -> list[str]:
    pairs = (
        PlanActivity.objects.filter(strategy__plan=plan)
        .values_list("priority_from", "priority_to")
        .distinct()
        .order_by("priority_from", "priority_to")
    )
    return [f"{a}–{b}" for a, b in pairs]


@dataclass
class LinkMoney:
    link: ActivityLink
    amount: Decimal
    outcome: Decimal

    @property
    def left(self) -> Decimal:
        return self.amount - self.outcome


def money_behind(plan_activity_ids) -> dict[int, list[LinkMoney]]:
    """For each plan activity, the distribution activities linked to it with their money
    (amount distributed) and outcome (costs) in the agreement's year, in a fixed number of
    queries."""
    links = list(
        ActivityLink.objects.filter(plan_activity_id__in=plan_activity_ids)
        .select_related("activity__area__agreement", "activity__cost_object", "created_by")
        .order_by("activity__area__agreement__year", "activity__position", "id")
    )
    # Outcome is the costs, as the follow-up counts it (income on the object is not).
    outcome = {
        row["activity_id"]: Decimal(row["total"]).quantize(Decimal("0.01"))
        for row in LedgerMonthTotal.objects.filter(
            activity_id__in={link.activity_id for link in links},
            year=F("activity__area__agreement__year"),
        )
        .costs()
        .values("activity_id")
        .annotate(total=Sum("amount"))
    }
    out = defaultdict(list)
    for link in links:
        out[link.plan_activity_id].append(
            LinkMoney(link, link.activity.amount, outcome.get(link.activity_id, ZERO))
        )
    return dict(out)


def subs_of(activities) -> list[SubActivity]:
    return [s for a in activities for s in a.sub_activities.all()]


def dashboard_section(year: int) -> dict:
    """The dashboard's section for `year`: every indicator with values up to that year (the
    plan's and the agreements'), its headline series against the target, and its chart."""
    from .charts import indicator_chart
    from .models import Plan

    plan = Plan.objects.first()
    indicators = list(
        Indicator.objects.filter(measurements__year__lte=year)
        .distinct()
        .select_related("strategy", "agreement")
        .order_by("agreement_id", "strategy__position", "position", "id")
    )
    summaries = summarize(indicators, until=year)
    return {
        "plan": plan,
        "year": year,
        "rows": [
            (summary, indicator_chart(summary, index)) for index, summary in enumerate(summaries)
        ],
        "verdicts": verdict_counts(summaries),
    }


def report_section(agreement, year: int | None = None) -> dict:
    """For the activity report on an agreement: every one of its indicators with its value
    (total, women, men) for the report year, the agreement's year unless given, against the
    target and with its source; what is missing for that year (no value, an example value);
    and per development area the plan activities its money serves with the status of their
    sub-activities."""
    year = agreement.year if year is None else year
    indicators = [
        in_year(s, year) for s in summarize(agreement.indicators.order_by("position", "id"))
    ]
    links = (
        ActivityLink.objects.filter(activity__area__agreement=agreement)
        .select_related("activity__area", "plan_activity__strategy")
        .prefetch_related("plan_activity__sub_activities")
        .order_by("activity__area__position", "plan_activity__strategy__position", "id")
    )
    areas = {}
    for link in links:
        rows = areas.setdefault(link.activity.area, {})
        plan_activity = link.plan_activity
        if plan_activity.pk not in rows:
            subs = list(plan_activity.sub_activities.all())
            rows[plan_activity.pk] = {
                "activity": plan_activity,
                "statuses": [(label, count) for _, label, count in status_counts(subs) if count],
                "served_by": [],
            }
        rows[plan_activity.pk]["served_by"].append(link.activity)
    return {
        "year": year,
        "indicators": indicators,
        "missing": [item for indicator in indicators for item in indicator.missing],
        "areas": [(area, list(rows.values())) for area, rows in areas.items()],
    }


# What the plan's pages read.


def all_plans() -> list[Plan]:
    return list(Plan.objects.all())


def the_plan() -> Plan | None:
    """The joint plan an agreement's indicators are shown with (the first, if there are more)."""
    return Plan.objects.first()


def indicator_plan(indicator) -> Plan | None:
    return indicator.strategy.plan if indicator.strategy_id else the_plan()


def plan_blocks(plan) -> list[dict]:
    """Each strategy of the plan with its indicators' summaries and its activities."""
    indicators = list(Indicator.objects.for_plan(plan))
    summaries = {s.indicator.pk: s for s in summarize(indicators)}
    activities = plan_activities(plan)
    return [
        {
            "strategy": strategy,
            "indicators": [summaries[i.pk] for i in indicators if i.strategy_id == strategy.pk],
            "activities": [a for a in activities if a.strategy_id == strategy.pk],
        }
        for strategy in plan.strategies.all()
    ]


def parties_shown(plan, *, with_county: bool):
    """The plan's parties; the county (kind "lan") only to those who edit the plan."""
    parties = plan.parties.all()
    return parties if with_county else parties.exclude(kind="lan")


def party_of(plan, pk: str) -> Party | None:
    """The plan's party a filter names (digits), or None."""
    if not pk.isdigit():
        return None
    return Party.objects.filter(plan=plan, pk=pk).first()


def value_timeline(indicator):
    """Every change of the indicator's values, each named by party, period, group and gender."""
    parties = dict(Party.objects.values_list("pk", "name"))

    def subject(record):
        parts = [
            parties.get(record.party_id, "Borttagen part"),
            period_label(record.year, record.half),
        ]
        if record.group:
            parts.append(record.group)
        parts.append(Gender(record.gender).label.lower())
        return ", ".join(parts)

    return timeline(Measurement.history.filter(indicator_id=indicator.pk), subject=subject)


def activity_timeline(activity, subs):
    """The changes of a plan activity, its sub-activities, their measures and its links."""
    return timeline(
        activity.history.all(),
        SubActivity.history.filter(activity_id=activity.pk),
        MeasureQuestion.history.filter(sub_activity_id__in=[sub.pk for sub in subs]),
        ActivityLink.history.filter(plan_activity_id=activity.pk),
        subject=lambda record: (
            record.name
            if hasattr(record, "name")
            else getattr(record, "question", "Koppling till fördelningen")
        ),
    )


def answer_initial(question, year: int) -> dict:
    """The year's answer to a measure as the form shows it, with the version it was read at
    (0: none yet), so a save in between is refused."""
    shown = question.answers.filter(year=year).first()
    initial = {"year": year, "version": shown.version if shown else 0}
    if shown is not None:
        initial.update(
            answer_yes={True: "1", False: "0"}.get(shown.answer_yes, ""),
            answer_text=shown.answer_text,
            comment=shown.comment,
        )
    return initial


def agreement_summaries(agreement) -> list[IndicatorSummary]:
    return summarize(agreement.indicators.all())


def followup_context(plan, *, year, status="", period="", party=None) -> dict:
    """The follow-up of the plan for a year: its page, its lists and its PDF."""
    indicators = list(Indicator.objects.for_plan(plan))
    summaries = summarize(indicators, party=party)
    activities = plan_activities(plan, status=status or None, period=period or None)
    money = money_behind([a.pk for a in activities])
    agreement_indicators = list(
        Indicator.objects.filter(agreement__isnull=False, strategy__isnull=True).select_related(
            "agreement"
        )
    )
    by_strategy = []
    for strategy in plan.strategies.all():
        by_strategy.append(
            {
                "strategy": strategy,
                "indicators": [s for s in summaries if s.indicator.strategy_id == strategy.pk],
                "indicator_years": [
                    in_year(s, year) for s in summaries if s.indicator.strategy_id == strategy.pk
                ],
                "activities": [a for a in activities if a.strategy_id == strategy.pk],
            }
        )
    subs = subs_of(activities)
    if status:
        subs = [s for s in subs if s.status == status]
    return {
        "plan": plan,
        "year": year,
        "title": f"Uppföljning {year} – {plan}",
        "by_strategy": by_strategy,
        "summaries": summaries,
        "agreement_summaries": summarize(agreement_indicators, party=party),
        "agreement_years": [in_year(s, year) for s in summarize(agreement_indicators, party=party)],
        "activities": activities,
        "money": money,
        "money_rows": [(a, money.get(a.pk, [])) for a in activities if money.get(a.pk)],
        "status_counts": status_counts(subs),
        "verdicts": verdict_counts(summaries, year),
        "sub_count": len(subs),
        "generated": timezone.localdate(),
    }
