"""The ledger's kept monthly totals (LedgerMonthTotal): every write of ledger rows refreshes
the totals of what it touched, in its own transaction, so that pages sum a few totals instead
of every row. One function writes them (an import writes those it summed while writing its
rows, followup.ledger_writer.replace_month_totals); `differences` is the check that they hold.
Each total carries the kind its account has in the chart of accounts (costs, income, ...),
written with it and made again by a change to the chart (reclassify_month_totals).
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, Sum

from .accounts import kind_expression
from .models import LedgerMonthTotal, LedgerTransaction, chart_of_accounts

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
        .annotate(kind=kind_expression(chart_of_accounts()), total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    try:
        sql, params = sums.query.sql_with_params()
    except EmptyResultSet:  # `where` selects nothing (an import that kept no row)
        return
    meta = LedgerMonthTotal._meta
    columns = ", ".join(meta.get_field(name).column for name in (*KEY, "kind", "amount", "rows"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {meta.db_table} ({columns}) {sql}", params)


def reclassify_month_totals() -> int:
    """After a change to the chart of accounts: every kept total whose kind the chart now
    gives otherwise gets it, in one statement. Call inside the transaction that changed the
    chart. Returns how many totals changed kind."""
    kind = kind_expression(chart_of_accounts())
    return LedgerMonthTotal.objects.exclude(kind=kind).update(kind=kind)


def differences(where: Q | None = None) -> list[tuple]:
    """(key, kept, summed) for every key whose kept total is not the sum of its rows, or
    whose kept kind is not the one the chart of accounts gives its account (the key ends with
    the kind): empty when the totals hold."""
    where = where or Q()

    def sums(rows, count):
        return {
            tuple(row[name] for name in (*KEY, "kind")): (row["total"], row["n"])
            for row in rows.filter(where)
            .values(*KEY, "kind")
            .annotate(total=Sum("amount"), n=count)
            .order_by()
        }

    kept = sums(LedgerMonthTotal.objects.all(), Sum("rows"))
    summed = sums(
        LedgerTransaction.objects.annotate(kind=kind_expression(chart_of_accounts())), Count("id")
    )
    return [
        (key, kept.get(key), summed.get(key))
        for key in sorted(kept.keys() | summed.keys(), key=repr)
        if kept.get(key) != summed.get(key)
    ]
