"""The audit trail of activities, through the one readable-history mechanism (common.history)."""

from common.history import Entry, timeline


def activity_changes(records) -> list[Entry]:
    """Newest first. `records` are HistoricalActivity rows (a queryset or a list)."""
    return timeline(records)
