"""Reads of agreements and deadlines that the grants pages (and the officers' start page) need."""

from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from comments.reads import with_comments
from common.history import timeline

from .models import (
    Agreement,
    Component,
    Deadline,
    DeadlineStatus,
    DeadlineSubmission,
    DevelopmentArea,
    Region,
)


@dataclass
class DeadlineRow:
    deadline: Deadline
    status: str
    days_left: int
    submission: DeadlineSubmission | None = None  # how far the answering document has come

    @property
    def label(self) -> str:
        """The status as the page and the export both say it."""
        if self.submission is not None and self.submission.is_met:
            return f"Skickat {self.submission.sent_on:%Y-%m-%d}"
        if self.status == DeadlineStatus.SOON:
            return f"Snart: {self.days_left} dagar kvar"
        if self.status == DeadlineStatus.PASSED:
            return "Passerad"
        return f"Om {self.days_left} dagar"


def deadline_rows(deadlines) -> list[DeadlineRow]:
    """Rows for `deadlines`, read with `select_related("submission")`: a deadline is met
    when the document answering it has been sent."""
    today = timezone.localdate()
    return [
        DeadlineRow(
            d,
            d.status(today, settings.DEADLINE_WARNING_DAYS),
            (d.due_date - today).days,
            getattr(d, "submission", None),
        )
        for d in deadlines
    ]


def home_context() -> dict:
    """The agreements by year and the next deadlines: the officers' start page shows them too."""
    agreements = Agreement.objects.order_by("-year", "short_name")
    upcoming = (
        Deadline.objects.confirmed()
        .filter(due_date__gte=timezone.localdate())
        .select_related("agreement", "submission")[:10]
    )
    return {
        "agreements_by_year": [
            (year, list(group)) for year, group in groupby(agreements, key=lambda a: a.year)
        ],
        "upcoming_deadlines": deadline_rows(upcoming),
        "warning_days": settings.DEADLINE_WARNING_DAYS,
    }


def agreements():
    """Every agreement, for the filtered list."""
    return Agreement.objects.all()


def agreements_version():
    """The newest change to any agreement (every save and delete leaves a history row): the
    version of what the agreement list shows."""
    return Agreement.history.aggregate(newest=Max("history_id"))["newest"]


def confirmed_deadlines():
    """The confirmed deadlines, soonest first, for the filtered list."""
    return (
        Deadline.objects.confirmed()
        .select_related("agreement", "submission")
        .order_by("due_date", "id")
    )


def regions():
    return Region.objects.all()


def agreement_history(agreement) -> list:
    """Every change to the agreement and its areas, components and deadlines (also deleted
    ones), with the comments on the agreement and its deadlines."""
    return with_comments(
        timeline(
            agreement.history.all(),
            DevelopmentArea.history.filter(agreement_id=agreement.pk),
            Component.history.filter(agreement_id=agreement.pk),
            Deadline.history.filter(agreement_id=agreement.pk),
        ),
        [agreement],
        agreement.deadlines.all(),
    )


def row_history(row) -> list:
    """The changes to one area, component or deadline, with the comments on it."""
    return with_comments(timeline(row.history.all()), [row])
