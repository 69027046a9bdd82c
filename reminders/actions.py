"""Sending the deadline reminders due today (which are due and what they say: reminders.reads).

Every step sent is recorded in `SentReminder`, so it is sent once however often the command
runs; a failed mail records nothing.
"""

import datetime
import logging
from dataclasses import replace

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SentReminder
from .reads import Reminder, due_reminders, officer_addresses

logger = logging.getLogger(__name__)


@transaction.atomic
def _send(reminder: Reminder):
    """Record the reminder and mail it; a failed mail records nothing."""
    now = timezone.now()
    SentReminder.objects.create(
        deadline=reminder.deadline,
        step=reminder.step,
        sent_at=now,
        recipients=", ".join(reminder.recipients),
    )
    SentReminder.objects.bulk_create(
        SentReminder(deadline=reminder.deadline, step=step, sent_at=now, skipped=True)
        for step in reminder.skipped_steps
    )
    EmailMessage(
        reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, list(reminder.recipients)
    ).send()


def do_send_deadline_reminders(today: datetime.date, *, dry_run=False) -> list[Reminder]:
    """Send the reminders due on `today` to the officers; the reminders sent.

    With `dry_run`, the reminders that would be sent, and nothing is mailed or recorded.
    Without any officer with an e-mail address nothing is sent or recorded (a warning is
    logged), so the reminders go out on the first run after someone is there.
    """
    reminders = due_reminders(today)
    if not reminders:
        return []
    recipients = tuple(officer_addresses())
    if not recipients:
        logger.warning(
            "Ingen aktiv HOSPA-handläggare har en e-postadress; %d påminnelser om frister "
            "skickas inte.",
            len(reminders),
        )
        return []
    reminders = [replace(reminder, recipients=recipients) for reminder in reminders]
    if dry_run:
        return reminders
    sent = []
    for reminder in reminders:
        try:
            _send(reminder)
        except IntegrityError:
            # Another run recorded this step at the same moment, and mails it.
            logger.info("Påminnelsen ”%s” skickas redan av en annan körning.", reminder.subject)
        except OSError:  # smtplib.SMTPException and connection errors
            logger.exception("Påminnelsen ”%s” kunde inte skickas.", reminder.subject)
        else:
            sent.append(reminder)
    return sent
