"""The audit trail of activities, read from django-simple-history in a fixed number of queries."""

from dataclasses import dataclass

from common.money import format_amount

from .models import Activity, ActivityStatus

TRACKED = [
    "name",
    "goal",
    "covers",
    "amount",
    "responsible",
    "cost_object_id",
    "ring_fenced_component_id",
    "status",
    "private_providers",
    "is_new",
    "exit_plan",
    "has_investment",
    "depreciation_only",
    "notes",
    "ledger_code",
    "forecast",
]
LABELS = {
    name: str(Activity._meta.get_field(name.removesuffix("_id")).verbose_name).capitalize()
    for name in TRACKED
}
KINDS = {"+": "Skapad", "~": "Ändrad", "-": "Borttagen"}


@dataclass
class Change:
    when: object
    who: str
    kind: str
    activity: str
    activity_id: int
    fields: list  # (label, old, new)
    reason: str


def _display(field, value):
    if field in ("amount", "forecast") and value is not None:
        return format_amount(value)
    if field == "status":
        return ActivityStatus(value).label if value else ""
    if isinstance(value, bool) or value is None:
        return {True: "Ja", False: "Nej", None: "Ej angivet"}[value]
    return value


def activity_changes(records) -> list[Change]:
    """Newest first. `records` are HistoricalActivity rows (any order, history_user loaded)."""
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    previous = {}
    changes = []
    for record in ordered:
        before = previous.get(record.id)
        fields = []
        for name in TRACKED:
            new = getattr(record, name)
            old = getattr(before, name) if before else None
            if before is None and record.history_type == "+":
                if new not in (None, "", False) or name == "amount":
                    fields.append((LABELS[name], "", _display(name, new)))
            elif before is not None and old != new:
                fields.append((LABELS[name], _display(name, old), _display(name, new)))
        user = record.history_user
        changes.append(
            Change(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "systemet",
                kind=KINDS[record.history_type],
                activity=record.name,
                activity_id=record.id,
                fields=fields,
                reason=record.history_change_reason or "",
            )
        )
        previous[record.id] = record
    return list(reversed(changes))
