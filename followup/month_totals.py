"""The ledger's kept monthly totals (LedgerMonthTotal): every write of ledger rows refreshes
the totals of what it touched, in its own transaction, so that pages sum a few totals instead
of every row. One function writes them (an import writes those it summed while writing its
rows, followup.ledger_writer.replace_month_totals); `differences` is the check that they hold.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, Sum

from .models import LedgerMonthTotal, LedgerTransaction

# What a total is kept per, named alike on both models; any Q over these selects the same
# rows in both.
KEY = ("cost_object", "activity", "year", "month", "account", "is_budget")


def refresh_month_totals(where: Q) -> None:
    """Make the kept totals of the rows `where` selects (a Q over KEY's fields) their sum
    again: the kept ones are deleted and made anew from the rows, in one statement each. Call
    inside the transaction that changed the rows."""
    LedgerMonthTotal.objects.filter(where).delete()
    sums = (
        LedgerTransaction.objects.filter(where)
        .values(*KEY)
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    try:
        sql, params = sums.query.sql_with_params()
    except EmptyResultSet:  # `where` selects nothing (an import that kept no row)
        return
    meta = LedgerMonthTotal._meta
    columns = ", ".join(meta.get_field(name).column for name in (*KEY, "amount", "rows"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {meta.db_table} ({columns}) {sql}", params)


def differences(where: Q | None = None) -> list[tuple]:
    """(key, kept, summed) for every key whose kept total is not the sum of its rows: empty
    when the totals hold."""
    where = where or Q()

    def sums(model, count):
        return {
            tuple(row[name] for name in KEY): (row["total"], row["n"])
            for row in model.objects.filter(where)
            .values(*KEY)
            .annotate(total=Sum("amount"), n=count)
            .order_by()
        }

    kept = sums(LedgerMonthTotal, Sum("rows"))
    summed = sums(LedgerTransaction, Count("id"))
    return [
        (key, kept.get(key), summed.get(key))
        for key in sorted(kept.keys() | summed.keys(), key=repr)
        if kept.get(key) != summed.get(key)
    ]
