"""Att göra: what waits for a user, listed on the user's start page.

Each part is one query (or one grouped query) whatever the data, and is shown only to the
roles that act on it; mentions are shown to everyone.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Sum
from django.db.models.functions import Coalesce

from comments.models import Mention
from distribution.models import Activity, ActivityStatus
from distribution.permissions import can_edit_distribution
from followup.models import LedgerTransaction
from followup.permissions import can_import_ledger
from grants.models import Deadline
from reminders.actions import NOT_OURS, OVERDUE_LIMIT
from reporting.documents import DOCUMENT_FOR_DEADLINE
from reporting.models import GeneratedDocument
from reporting.permissions import can_write_reports

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
    shows: frozenset = frozenset()

    @property
    def empty(self):
        return not (self.deadlines or self.missing_conditions or self.unlinked or self.mentions)


def deadlines_without_document(today: datetime.date, warning_days: int) -> list[WaitingDeadline]:
    """The region's deadlines due within the warning period, or passed (up to a year), whose
    document has not been generated yet.

    The one place that decides when a deadline no longer waits; when documents record that
    they were sent, this asks for a sent document instead.
    """
    deadlines = list(
        Deadline.objects.filter(
            due_date__gte=today - OVERDUE_LIMIT,
            due_date__lte=today + datetime.timedelta(days=warning_days),
        )
        .exclude(applies_to__in=NOT_OURS)
        .select_related("agreement")
        .order_by("due_date", "id")
    )
    answered = set(
        GeneratedDocument.objects.filter(
            agreement__in={d.agreement_id for d in deadlines}
        ).values_list("agreement_id", "kind")
    )
    waiting = []
    for deadline in deadlines:
        kind = DOCUMENT_FOR_DEADLINE.get(deadline.kind)
        days_left = (deadline.due_date - today).days
        if kind is None:
            if days_left >= 0:  # nothing the app makes answers it: shown until it is due
                waiting.append(WaitingDeadline(deadline, days_left))
        elif (deadline.agreement_id, kind) not in answered:
            waiting.append(WaitingDeadline(deadline, days_left))
    return waiting


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
    """Ledger rows tied to no activity, per cost object and year, newest first."""
    rows = (
        LedgerTransaction.objects.filter(is_budget=False, activity__isnull=True)
        .values("cost_object__number", "year")
        .annotate(rows=Count("id"), total=TOTAL)
        .order_by("-year", "cost_object__number")
    )
    return [
        Unlinked(r["cost_object__number"], r["year"], r["rows"], r["total"]) for r in rows[:SHOWN]
    ]


def todo_for(user, today: datetime.date, warning_days: int) -> Todo:
    todo = Todo()
    shows = {"mentions"}
    if can_write_reports(user):
        shows.add("deadlines")
        todo.deadlines = deadlines_without_document(today, warning_days)
    if can_edit_distribution(user):
        shows.add("conditions")
        todo.missing_conditions, todo.missing_count = _missing_conditions()
    if can_import_ledger(user):
        shows.add("unlinked")
        todo.unlinked = _unlinked()
    todo.mentions = list(
        Mention.objects.open_for(user)
        .select_related("comment__author", "comment__content_type")
        .prefetch_related("comment__subject")
        .order_by("-comment__created_at")[:SHOWN]
    )
    todo.shows = frozenset(shows)
    return todo
