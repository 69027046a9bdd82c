"""The drill-down lists behind the dashboard's numbers, filtered as the request asks; each
filter set's `.qs` is the list."""

from distribution.models import Activity
from followup.models import LedgerTransaction

from ..filters import ActivityFilter, TransactionFilter, number_in


def activities(data) -> ActivityFilter:
    """The activities, filtered by `data` (the request's GET)."""
    queryset = Activity.objects.select_related("area__agreement").order_by("pk")
    return _areas_of_year(ActivityFilter(data or None, queryset=queryset))


def activities_for_export(rows):
    """The filtered activities with what the spreadsheet shows besides the list's columns."""
    return rows.select_related("cost_object", "ring_fenced_component")


def transactions(data) -> TransactionFilter:
    """The ledger's transactions (budget rows aside) in the ledger's order, filtered by `data`."""
    queryset = (
        LedgerTransaction.objects.filter(is_budget=False)
        .select_related("cost_object", "activity")
        .order_by("year", "month", "id")
    )
    return _areas_of_year(TransactionFilter(data or None, queryset=queryset))


def transactions_for_export(rows):
    """The filtered transactions with their import, streamed in chunks for a large ledger."""
    return rows.select_related("ledger_import").iterator(chunk_size=2000)


def _areas_of_year(filters):
    """With a year chosen, offer only that year's areas: ten years of agreements have
    hundreds, and a select of all of them is slow to render and to use."""
    year = number_in(filters.data.get("year"), None, 2000, 2100) if filters.data else None
    if year is not None:
        field = filters.form.fields["area"]
        field.queryset = field.queryset.filter(agreement__year=year)
    return filters
