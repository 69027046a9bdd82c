"""The region's chart of accounts: which ledger rows are costs, income or something else.

Swedish regions and municipalities use Kommun-Bas (BAS-like): class 1–2 balance accounts,
class 3 income, classes 4–7 costs, class 8 financial items. A region may refine this with
its own ranges (followup.models.AccountRange); the most specific range wins, i.e. the one
with the longest account prefix. A row without an account is a cost, as it always was.

Pure functions and one ORM expression builder; the same rule in Python (`classify`) and in
SQL (`kind_expression`), so grouped queries and row lists agree.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models.functions import Length, Substr


class Kind(models.TextChoices):
    COST = "kostnad", "Kostnad"
    INCOME = "intakt", "Intäkt"
    FINANCIAL = "finansiell", "Finansiell post"
    BALANCE = "balans", "Balanskonto"
    UNKNOWN = "okand", "Okänt konto"


# Rows of these kinds are neither outcome nor income; they are shown, never dropped.
OTHER_KINDS = (Kind.FINANCIAL, Kind.BALANCE, Kind.UNKNOWN)


@dataclass(frozen=True)
class Range:
    """Accounts whose first len(first) characters lie between first and last (inclusive)."""

    first: str
    last: str
    kind: str

    def matches(self, account: str) -> bool:
        width = len(self.first)
        return len(account) >= width and self.first <= account[:width] <= self.last


KOMMUN_BAS = (
    Range("1", "2", Kind.BALANCE),
    Range("3", "3", Kind.INCOME),
    Range("4", "7", Kind.COST),
    Range("8", "8", Kind.FINANCIAL),
)


def ordered(ranges) -> list[Range]:
    """Most specific first: longer prefixes before shorter ones, then by first account."""
    return sorted(ranges, key=lambda r: (-len(r.first), r.first))


def classify(account: str, ranges=KOMMUN_BAS) -> str:
    account = (account or "").strip()
    if not account:
        return Kind.COST
    for chart_range in ordered(ranges):
        if chart_range.matches(account):
            return chart_range.kind
    return Kind.UNKNOWN


def kind_expression(ranges=KOMMUN_BAS, field: str = "account") -> models.Case:
    """`classify` as an SQL CASE over the account column, for annotate() and filter()."""
    whens = [models.When(**{field: ""}, then=models.Value(Kind.COST.value))]
    for chart_range in ordered(ranges):
        width = len(chart_range.first)
        head = Substr(field, 1, width)
        whens.append(
            models.When(
                models.Q(
                    models.lookups.GreaterThanOrEqual(Length(field), width),
                    models.lookups.GreaterThanOrEqual(head, models.Value(chart_range.first)),
                    models.lookups.LessThanOrEqual(head, models.Value(chart_range.last)),
                ),
                then=models.Value(str(chart_range.kind)),
            )
        )
    return models.Case(
        *whens, default=models.Value(Kind.UNKNOWN.value), output_field=models.CharField()
    )


def check_ranges(ranges) -> list[str]:
    """Swedish messages for a chart that cannot be read one way only."""
    problems = []
    for r in ranges:
        if not (r.first.isdigit() and r.last.isdigit()):
            problems.append(f"Kontointervallet {r.first}–{r.last}: ange konton med siffror.")
        elif len(r.first) != len(r.last):
            problems.append(
                f"Kontointervallet {r.first}–{r.last}: första och sista kontot ska ha lika "
                "många siffror."
            )
        elif r.first > r.last:
            problems.append(f"Kontointervallet {r.first}–{r.last}: första kontot är större.")
    same_width = {}
    for r in ranges:
        same_width.setdefault(len(r.first), []).append(r)
    for group in same_width.values():
        group.sort(key=lambda r: r.first)
        for a, b in zip(group, group[1:], strict=False):
            if b.first <= a.last:
                problems.append(
                    f"Kontointervallen {a.first}–{a.last} och {b.first}–{b.last} överlappar."
                )
    return problems
