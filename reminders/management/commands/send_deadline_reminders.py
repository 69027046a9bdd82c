"""Mail the officers the deadline reminders due today; run it daily (cron or systemd timer)."""

import argparse
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from reminders.actions import do_send_deadline_reminders
from reminders.models import OVERDUE


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"”{text}” är inget datum på formen ÅÅÅÅ-MM-DD.") from None


def _step(step: str) -> str:
    if step == OVERDUE:
        return "efter fristen"
    return f"{step} {'dag' if step == '1' else 'dagar'} före"


class Command(BaseCommand):
    help = (
        "Skickar påminnelser om frister med e-post till HOSPA-handläggarna: "
        "dagar före fristen (DEADLINE_REMINDER_DAYS) och en gång när den har passerat. "
        "Varje påminnelse skickas en gång; kör kommandot dagligen."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=iso_date,
            help="Dagens datum, ÅÅÅÅ-MM-DD (standard: i dag, Europe/Stockholm).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Visa vad som skulle skickas, utan att skicka eller spara något.",
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        today = today or timezone.localdate()
        reminders = do_send_deadline_reminders(today, dry_run=dry_run)
        verb = "Skulle skicka" if dry_run else "Skickade"
        for reminder in reminders:
            line = f"{verb}: {reminder.subject} → {', '.join(reminder.recipients)}"
            if reminder.skipped_steps:
                skipped = ", ".join(_step(step) for step in reminder.skipped_steps)
                line += f" (hoppar över påminnelsen {skipped})"
            self.stdout.write(line)
        count = len(reminders)
        noun = "påminnelse" if count == 1 else "påminnelser"
        if dry_run:
            self.stdout.write(
                f"Torrkörning {today:%Y-%m-%d}: {count} {noun} skulle skickas; "
                "inget skickades eller sparades."
            )
        elif count:
            sent = "skickad" if count == 1 else "skickade"
            self.stdout.write(self.style.SUCCESS(f"{today:%Y-%m-%d}: {count} {noun} {sent}."))
        else:
            self.stdout.write(f"{today:%Y-%m-%d}: inga påminnelser att skicka.")
