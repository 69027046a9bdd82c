"""Targets of effect measures and indicators as rules, and their evaluation.

Pure: plain values in, a verdict out; no ORM, no dates. A target compares the value of one
period with a threshold, with the previous period, or with a base year:

- ``increase`` / ``decrease``: "ska öka / minska från föregående år";
- ``at_least`` / ``at_most``: "minst 55 %";
- ``increase_by_percent``: "+20 % mot basåret" (the threshold is the percent);
- ``yes``: "ja/nej", met when the answer is yes (stored as 1, no as 0).
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from common.money import format_number


class TargetKind(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    INCREASE_BY_PERCENT = "increase_by_percent"
    YES = "yes"


TARGET_LABELS = {
    TargetKind.INCREASE: "Ska öka från föregående år",
    TargetKind.DECREASE: "Ska minska från föregående år",
    TargetKind.AT_LEAST: "Minst ett värde",
    TargetKind.AT_MOST: "Högst ett värde",
    TargetKind.INCREASE_BY_PERCENT: "Ska öka med minst en procentsats mot basåret",
    TargetKind.YES: "Ja/nej (uppfyllt vid ja)",
}

NEEDS_PREVIOUS = {TargetKind.INCREASE, TargetKind.DECREASE}


class Verdict(StrEnum):
    MET = "uppfyllt"
    NOT_MET = "ej uppfyllt"
    NO_VALUE = "inget värde"


VERDICT_LABELS = {
    Verdict.MET: "Uppfyllt",
    Verdict.NOT_MET: "Ej uppfyllt",
    Verdict.NO_VALUE: "Inget värde",
}


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    threshold: Decimal | None = None
    base_year: int | None = None


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    reason: str

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def period_label(year: int, half: int = 0) -> str:
    return f"{year}" if not half else f"{year} halvår {half}"


def previous_period(year: int, half: int = 0) -> tuple[int, int]:
    """The period an increase or decrease is measured against: the year before, or for a
    half-year the same half of the year before (halves of one year are not comparable)."""
    return (year - 1, half)


def evaluate(
    target: Target, values: dict[tuple[int, int], Decimal], year: int, half: int = 0
) -> Evaluation:
    """The verdict for the period (year, half) given all values of one series (one party,
    group and gender), keyed by (year, half)."""
    current = values.get((year, half))
    label = period_label(year, half)
    if current is None:
        return Evaluation(Verdict.NO_VALUE, f"Värde saknas för {label}.")
    kind = TargetKind(target.kind)
    if kind in NEEDS_PREVIOUS:
        before_key = previous_period(year, half)
        before = values.get(before_key)
        if before is None:
            return Evaluation(
                Verdict.NO_VALUE,
                f"Värde saknas för {period_label(*before_key)} att jämföra med.",
            )
        met = current > before if kind == TargetKind.INCREASE else current < before
        word = "ökat" if current > before else "minskat" if current < before else "oförändrat"
        return Evaluation(
            Verdict.MET if met else Verdict.NOT_MET,
            f"{label}: {word} från {period_label(*before_key)}.",
        )
    if kind == TargetKind.YES:
        if current not in (Decimal(0), Decimal(1)):
            return Evaluation(Verdict.NO_VALUE, f"{label}: värdet är inte ja eller nej.")
        return Evaluation(
            Verdict.MET if current == 1 else Verdict.NOT_MET, f"{label}: {yes_no(current)}."
        )
    if target.threshold is None:
        return Evaluation(Verdict.NO_VALUE, "Målvärde saknas.")
    if kind == TargetKind.AT_LEAST:
        met = current >= target.threshold
        return Evaluation(
            Verdict.MET if met else Verdict.NOT_MET,
            f"{label}: {format_number(current)}, målet är minst {format_number(target.threshold)}.",
        )
    if kind == TargetKind.AT_MOST:
        met = current <= target.threshold
        return Evaluation(
            Verdict.MET if met else Verdict.NOT_MET,
            f"{label}: {format_number(current)}, målet är högst {format_number(target.threshold)}.",
        )
    # Increase by a percent against the base year.
    if target.base_year is None:
        return Evaluation(Verdict.NO_VALUE, "Basår saknas.")
    base = values.get((target.base_year, half))
    if base is None or base == 0:
        return Evaluation(
            Verdict.NO_VALUE, f"Värde saknas för basåret {period_label(target.base_year, half)}."
        )
    needed = base * (1 + target.threshold / 100)
    return Evaluation(
        Verdict.MET if current >= needed else Verdict.NOT_MET,
        f"{label}: {format_number(change_percent(current, base))} % mot basåret "
        f"{target.base_year}, målet är minst {format_number(target.threshold)} %.",
    )


def change_percent(current: Decimal | None, base: Decimal | None) -> Decimal | None:
    """Change from base to current in percent, exact (no rounding); None when unknown."""
    if current is None or base is None or base == 0:
        return None
    return (current - base) / base * 100


def yes_no(value) -> str:
    if value is None:
        return ""
    return "Ja" if Decimal(value) == 1 else "Nej"


def trend(values: dict[tuple[int, int], Decimal]) -> list[tuple[tuple[int, int], Decimal, str]]:
    """The series in time order with an arrow for each step: ↑ up, ↓ down, → unchanged."""
    out = []
    previous = None
    for key in sorted(values):
        value = values[key]
        if previous is None:
            arrow = ""
        else:
            arrow = "↑" if value > previous else "↓" if value < previous else "→"
        out.append((key, value, arrow))
        previous = value
    return out
