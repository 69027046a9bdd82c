"""Every deadline reminder sent (or skipped), so each goes out once however often we run."""

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from grants.models import Deadline

# The step of the reminder after the due date; the other steps are days before it ("30", "7").
OVERDUE = "overdue"


class SentReminder(models.Model):
    """One reminder step of one deadline, done: mailed, or skipped for a later, smaller step."""

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="reminders", verbose_name="frist"
    )
    step = models.CharField(
        "påminnelse",
        max_length=10,
        help_text="Antal dagar före fristen, eller ”overdue” när fristen har passerat.",
    )
    sent_at = models.DateTimeField("skickad", default=timezone.now)
    recipients = models.TextField("mottagare", blank=True)
    skipped = models.BooleanField(
        "överhoppad",
        default=False,
        help_text="Inte skickad: en senare påminnelse för samma frist skickades i stället.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "skickad påminnelse"
        verbose_name_plural = "skickade påminnelser"
        constraints = [
            models.UniqueConstraint(fields=["deadline", "step"], name="reminder_once_per_step")
        ]

    def __str__(self):
        return f"{self.deadline.agreement} – {self.deadline}: {self.step_label}"

    @property
    def step_label(self) -> str:
        if self.step == OVERDUE:
            return "passerad"
        days = int(self.step)
        return f"{days} {'dag' if days == 1 else 'dagar'} före"
