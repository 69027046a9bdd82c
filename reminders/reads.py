"""Deadline reminders by e-mail to the officers (HOSPA-handläggare): which are due, to whom,
and what they say (the sending is reminders.actions).

Each deadline of the region's own (not those only SKR or the municipalities meet) gets a
reminder `DEADLINE_REMINDER_DAYS` days before it (30, 7 and 1 by default) and one after it has
passed, unless the document that answers it has been sent. Once it has been sent the deadline
is met and no more reminders go out for it. Every step is recorded in
`SentReminder`, so it is sent once however often the command runs. A run that finds several
steps due (a day was missed) sends only the smallest and records the larger ones as skipped.
Deadlines more than a year old are left alone.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from common.roles import Role
from grants.models import (
    DOCUMENT_FOR_DEADLINE,
    OVERDUE_LIMIT,
    Authority,
    Deadline,
    DocumentKind,
    DocumentState,
)

from .models import OVERDUE, SentReminder


@dataclass(frozen=True)
class Reminder:
    """One reminder mail: a deadline's step (days before, as text, or OVERDUE)."""

    deadline: Deadline
    step: str
    days_left: int  # negative once the deadline has passed
    skipped_steps: tuple[str, ...]  # larger steps also due, recorded as done without a mail
    subject: str
    body: str
    recipients: tuple[str, ...] = ()


def reminder_steps() -> list[int]:
    """The configured days before a deadline, largest first."""
    return sorted({int(days) for days in settings.DEADLINE_REMINDER_DAYS}, reverse=True)


def officer_addresses() -> list[str]:
    """The e-mail addresses of the active officers."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.OFFICER.value)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def due_step(days_left: int, steps: list[int], done: set[str]):
    """`(step, skipped_steps)` due `days_left` days before a deadline, or None.

    Only the smallest due step is sent; the larger ones not yet done are skipped. Nothing is
    due when the smallest is already done: the steps only get smaller as the days pass.
    """
    if days_left < 0:
        due = [str(days) for days in steps] + [OVERDUE]
    else:
        due = [str(days) for days in steps if days_left <= days]
    if not due or due[-1] in done:
        return None
    return due[-1], tuple(step for step in due[:-1] if step not in done)


def _when(days_left: int) -> str:
    if days_left == 0:
        return "i dag"
    if days_left == 1:
        return "om 1 dag"
    return f"om {days_left} dagar"


def _days(days: int) -> str:
    return "1 dag" if days == 1 else f"{days} dagar"


def compose(deadline: Deadline, days_left: int, document_kind, submission=None):
    """The Swedish subject and body of a reminder about `deadline`."""
    agreement = deadline.agreement
    what = deadline.get_kind_display()
    title = what
    if deadline.authority != Authority.OTHER:
        title += f" till {deadline.get_authority_display()}"
    label = f"{title} – {agreement} ({deadline.due_date:%Y-%m-%d})"
    if days_left < 0:
        subject = f"Frist passerad: {label}"
        intro = f"Fristen passerade för {_days(-days_left)} sedan"
        intro += (
            " och dokumentet som besvarar den har inte registrerats som skickat i Statsbidrag."
            if document_kind
            else "."
        )
        left = f"inga, fristen passerade för {_days(-days_left)} sedan"
    else:
        subject = f"Frist {_when(days_left)}: {label}"
        intro = f"Fristen går ut {_when(days_left)}."
        left = str(days_left)

    site = settings.SITE_URL.rstrip("/")
    lines = [
        "Hej!",
        "",
        intro,
        "",
        f"Överenskommelse: {agreement}",
        f"Vad: {what}",
        f"Till: {deadline.get_authority_display()}",
        f"Senast: {deadline.due_date:%Y-%m-%d}",
        f"Dagar kvar: {left}",
    ]
    if deadline.applies_to:
        lines.append(f"Gäller: {deadline.get_applies_to_display()}")
    if deadline.description:
        lines.append(f"Beskrivning: {deadline.description}")
    if document_kind:
        if submission is None:
            status = "inte skapat ännu"
        else:
            status = f"{submission.get_state_display().lower()} {submission.changed_at:%Y-%m-%d}"
            status += ", inte skickat ännu"
        lines.append(f"Dokument: {DocumentKind(document_kind).label}, {status}")
    lines += ["", f"Överenskommelsen: {site}{agreement.get_absolute_url()}"]
    if document_kind:
        lines.append(f"Rapporter: {site}{reverse('reporting:agreement', args=[agreement.pk])}")
    lines += [
        "",
        "Det här är en automatisk påminnelse från Statsbidrag till HOSPA-handläggarna.",
    ]
    return subject, "\n".join(lines) + "\n"


def due_reminders(today: datetime.date) -> list[Reminder]:
    """The reminders due on `today`, without recipients."""
    steps = reminder_steps()
    horizon = today + datetime.timedelta(days=steps[0] if steps else -1)
    # A deadline whose document has been sent is met: nothing more to remind about.
    deadlines = list(
        Deadline.objects.own()
        .confirmed()
        .filter(due_date__gte=today - OVERDUE_LIMIT, due_date__lte=horizon)
        .exclude(submission__state=DocumentState.SENT)
        .select_related("agreement", "submission")
        .order_by("due_date", "id")
    )
    done = defaultdict(set)
    for deadline_id, step in SentReminder.objects.filter(deadline__in=deadlines).values_list(
        "deadline_id", "step"
    ):
        done[deadline_id].add(step)
    reminders = []
    for deadline in deadlines:
        days_left = (deadline.due_date - today).days
        found = due_step(days_left, steps, done[deadline.pk])
        if found is None:
            continue
        step, skipped = found
        document_kind = DOCUMENT_FOR_DEADLINE.get(deadline.kind)
        submission = getattr(deadline, "submission", None)
        subject, body = compose(deadline, days_left, document_kind, submission)
        reminders.append(Reminder(deadline, step, days_left, skipped, subject, body))
    return reminders
