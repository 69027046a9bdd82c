"""Att göra: what waits for a user, listed on the user's start page.

Each part is one query (or one grouped query) whatever the data, and is shown only to the
roles that act on it; mentions are shown to everyone.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce

from comments.models import Mention
from distribution.models import Activity, ActivityStatus
from distribution.permissions import can_edit_distribution
from followup.accounts import Kind
from followup.models import LedgerMonthTotal
from followup.permissions import can_import_ledger
from grants.models import (
    DOCUMENT_FOR_DEADLINE,
    OVERDUE_LIMIT,
    Deadline,
    DeadlineSubmission,
    DocumentKind,
    DocumentState,
)
from grants.permissions import can_edit_grants

TOTAL = Coalesce(
    Sum("amount"), Decimal("0"), output_field=DecimalField(max_digits=17, decimal_places=2)
)
SHOWN = 10  # rows per part; the count says how many there are in all


@dataclass(frozen=True)
class WaitingDeadline:
    deadline: Deadline
    days_left: int

    @property
    def days_passed(self):
        return -self.days_left


@dataclass(frozen=True)
class Unlinked:
    cost_object: str
    year: int
    rows: int
    amount: object


@dataclass
class Todo:
    deadlines: list[WaitingDeadline] = field(default_factory=list)
    missing_conditions: list[Activity] = field(default_factory=list)
    missing_count: int = 0
    unlinked: list[Unlinked] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    to_attest: list[DeadlineSubmission] = field(default_factory=list)
    shows: frozenset = frozenset()

    @property
    def empty(self):
        return not (
            self.deadlines
            or self.missing_conditions
            or self.unlinked
            or self.mentions
            or self.to_attest
        )


def deadlines_without_document(today: datetime.date, warning_days: int) -> list[WaitingDeadline]:
    """The region's deadlines due within the warning period, or passed (up to a year), that
    still wait: a document answers them and it has not been sent (a deadline is met when its
    document is sent), or nothing the app makes answers them and they are not yet due."""
    deadlines = (
        Deadline.objects.own()
        .confirmed()
        .filter(
            due_date__gte=today - OVERDUE_LIMIT,
            due_date__lte=today + datetime.timedelta(days=warning_days),
        )
        .select_related("agreement", "submission")
        .order_by("due_date", "id")
    )
    waiting = []
    for deadline in deadlines:
        days_left = (deadline.due_date - today).days
        if deadline.kind not in DOCUMENT_FOR_DEADLINE:
            if days_left >= 0:  # nothing the app makes answers it: shown until it is due
                waiting.append(WaitingDeadline(deadline, days_left))
        elif not _sent(deadline):
            waiting.append(WaitingDeadline(deadline, days_left))
    return waiting


def _sent(deadline) -> bool:
    submission = getattr(deadline, "submission", None)  # none until a document is made
    return submission is not None and submission.is_met


def _to_attest():
    """Financial reports generated but not yet attested by the head of finance."""
    return list(
        DeadlineSubmission.objects.filter(
            document_kind=DocumentKind.FINANCIAL_REPORT, state=DocumentState.GENERATED
        )
        .select_related("deadline__agreement")
        .order_by("deadline__due_date")[:SHOWN]
    )


def _missing_conditions():
    """Activities still running (not done or closed) that miss a condition, newest first."""
    activities = Activity.objects.exclude(
        status__in=[ActivityStatus.DONE, ActivityStatus.CLOSED]
    ).missing_conditions()
    return (
        list(
            activities.select_related("area__agreement").order_by("-area__agreement__year", "pk")[
                :SHOWN
            ]
        ),
        activities.count(),
    )


def _unlinked():
    """Ledger rows tied to no activity, per cost object and year, newest first. Income rows
    (the grant booked as received) belong to no activity: they are not unlinked work."""
    rows = (
        LedgerMonthTotal.objects.filter(is_budget=False, activity__isnull=True)
        .with_kind()
        .exclude(kind=Kind.INCOME)
        .values("cost_object__number", "year")
        .annotate(rows=Sum("rows"), total=TOTAL)
        .order_by("-year", "cost_object__number")
    )
    return [
        Unlinked(r["cost_object__number"], r["year"], r["rows"], r["total"]) for r in rows[:SHOWN]
    ]


def todo_for(user, today: datetime.date, warning_days: int) -> Todo:
    todo = Todo()
    shows = {"mentions"}
    if can_edit_grants(user):
        shows.add("deadlines")
        todo.deadlines = deadlines_without_document(today, warning_days)
    if can_edit_distribution(user):
        shows.add("conditions")
        todo.missing_conditions, todo.missing_count = _missing_conditions()
    if can_import_ledger(user):
        shows.add("unlinked")
        todo.unlinked = _unlinked()
        shows.add("attest")
        todo.to_attest = _to_attest()
    todo.mentions = list(
        Mention.objects.open_for(user)
        .select_related("comment__author", "comment__content_type")
        .prefetch_related("comment__subject")
        .order_by("-comment__created_at")[:SHOWN]
    )
    todo.shows = frozenset(shows)
    return todo
