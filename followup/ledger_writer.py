"""Write an import's kept rows (COPY on PostgreSQL, in batches as they are read), keep their
month totals, and archive the rows the import replaces (ReplacedLedgerTransaction).

The rows come from followup.ledger_files.read_rows as tuples in LEDGER_COLUMNS order; the
import (followup.actions.do_import_ledger_file) runs all of this in one transaction.
"""

from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter

from django.db import connection
from django.db.models import Q, Value
from psycopg.copy import QueuedLibpqWriter

from distribution.models import Activity, CostObject

from .accounts import classify
from .ledger_files import GrantObjects, KeptRows
from .models import (
    LEDGER_COLUMNS,
    ActivityLink,
    LedgerImport,
    LedgerMonthTotal,
    LedgerTransaction,
    ReplacedLedgerTransaction,
    chart_of_accounts,
)
from .month_totals import KEY

# A row's month-total key (month_totals.KEY) and amount, picked from its tuple.
_TOTAL_KEY = itemgetter(*(LEDGER_COLUMNS.index(name) for name in KEY))
_AMOUNT_AT = LEDGER_COLUMNS.index("amount")
_ACTIVITY = itemgetter(LEDGER_COLUMNS.index("activity"))
_DATE = itemgetter(LEDGER_COLUMNS.index("date"))
# copy_text names the columns in this order; a change to the model must change it too.
_COPY_ORDER = (
    "ledger_import",
    "cost_object",
    "activity",
    "year",
    "month",
    "date",
    "account",
    "responsibility",
    "activity_code",
    "voucher",
    "text",
    "amount",
    "is_budget",
    "line",
)
if LEDGER_COLUMNS != _COPY_ORDER:  # pragma: no cover - a model change
    raise RuntimeError(
        f"followup.ledger_writer.copy_text writes {_COPY_ORDER}, not {LEDGER_COLUMNS}"
    )


def kept_rows(record: LedgerImport) -> KeptRows:
    """What the readers look up for each row, read once per import (under its lock)."""
    objects = GrantObjects(CostObject.objects.values_list("number", "year", "pk"))
    object_ids = list(CostObject.objects.values_list("pk", flat=True))
    by_code = {
        (cost_object, code): pk
        for pk, cost_object, code in Activity.objects.filter(cost_object_id__in=object_ids)
        .exclude(ledger_code="")
        .values_list("pk", "cost_object_id", "ledger_code")
    }
    by_link = {
        (cost_object, responsibility): activity
        for cost_object, responsibility, activity in ActivityLink.objects.values_list(
            "cost_object_id", "responsibility", "activity_id"
        )
    }
    return KeptRows(record.pk, objects, by_code, by_link)


_NULL = "\\N"
_PIECE = 32 * 1024
# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_value(value) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    value = str(value)
    for char, escape in _ESCAPES:
        value = value.replace(char, escape)
    return value


def copy_text(batch: list[tuple]) -> str:
    """The rows (tuples in LEDGER_COLUMNS order) as COPY's text format, one line each.

    Formatted in one pass without escaping; the whole batch is then checked (a few C-speed
    counts over the text): if any value held a backslash, tab, newline or carriage return, the
    batch is formatted again with every text value escaped. NULL (\\N) is only ever an empty
    activity or date.
    """
    text = "".join(
        [
            # !s: str() directly, not __format__ (a date's and a Decimal's are slower)
            f"{pk}\t{obj}\t{_NULL if act is None else act}\t{year}\t{month}\t"
            f"{_NULL if day is None else day!s}\t{account}\t{resp}\t{code}\t{voucher}\t"
            f"{words}\t{amount!s}\t{'t' if budget else 'f'}\t{line}\n"
            for (
                pk,
                obj,
                act,
                year,
                month,
                day,
                account,
                resp,
                code,
                voucher,
                words,
                amount,
                budget,
                line,
            ) in batch
        ]
    )
    rows = len(batch)
    nulls = list(map(_ACTIVITY, batch)).count(None) + list(map(_DATE, batch)).count(None)
    if (
        text.count("\\") == nulls
        and text.count("\t") == rows * (len(LEDGER_COLUMNS) - 1)
        and text.count("\n") == rows
        and "\r" not in text
    ):
        return text
    return "".join(["\t".join([_copy_value(value) for value in row]) + "\n" for row in batch])


class _RowWriter:
    """Batches of rows to the database; their month totals summed as they pass."""

    def __init__(self):
        # {month_totals.KEY values: [amount, rows]}
        self.sums: dict[tuple, list] = {}
        self._copy = self._copy_context = self._cursor = None
        self._encoding = "utf-8"

    def write(self, batch: list[tuple]) -> None:
        sums = self.sums
        for row in batch:
            key = _TOTAL_KEY(row)
            if (summed := sums.get(key)) is None:
                sums[key] = [row[_AMOUNT_AT], 1]
            else:
                summed[0] += row[_AMOUNT_AT]
                summed[1] += 1
        if connection.vendor == "postgresql":
            if self._copy is None:
                self._open_copy()
            data = memoryview(copy_text(batch).encode(self._encoding))
            # In pieces of psycopg's own row buffers: its queue to the server holds at most
            # QUEUE_SIZE pieces, so memory stays bounded however slow the server is.
            for start in range(0, len(data), _PIECE):
                self._copy.write(data[start : start + _PIECE])
        else:
            attnames = [LedgerTransaction._meta.get_field(f).attname for f in LEDGER_COLUMNS]
            LedgerTransaction.objects.bulk_create(
                (LedgerTransaction(**dict(zip(attnames, row, strict=True))) for row in batch),
                batch_size=2000,
            )

    def _open_copy(self) -> None:
        """One COPY for the whole file; a queue hands the data to the server from another
        thread, so PostgreSQL stores rows while the next ones are read."""
        table = LedgerTransaction._meta.db_table
        columns = ", ".join(LedgerTransaction._meta.get_field(f).column for f in LEDGER_COLUMNS)
        self._cursor = connection.cursor()
        raw = self._cursor.cursor
        self._copy_context = raw.copy(
            f"COPY {table} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)
        )
        self._copy = self._copy_context.__enter__()
        self._encoding = raw.connection.info.encoding  # the connection's, as psycopg's

    def close(self, error: BaseException | None = None) -> None:
        """End the COPY (before any other query on the connection)."""
        if self._copy is None:
            return
        context, cursor = self._copy_context, self._cursor
        self._copy = self._copy_context = self._cursor = None
        try:
            if error is None:
                context.__exit__(None, None, None)
            else:
                context.__exit__(type(error), error, error.__traceback__)
        finally:
            cursor.close()


def write_rows(batches: Iterable[list[tuple]]) -> dict[tuple, list]:
    """Write each batch as it comes (the reader makes the next one after); return the month
    totals of what was written, {month_totals.KEY values: [amount, rows]}."""
    writer = _RowWriter()
    try:
        for batch in batches:
            writer.write(batch)
    except BaseException as error:
        writer.close(error)
        raise
    writer.close()
    return writer.sums


def _combos_q(combos):
    """The rows of the (object, year, month, budget) combinations an import wrote."""
    query = Q(pk__in=[])
    for object_id, year, month, is_budget in combos:
        query |= Q(cost_object_id=object_id, year=year, month=month, is_budget=is_budget)
    return query


def archive_replaced(record: LedgerImport, combos) -> int:
    """Move the rows the import replaces to ReplacedLedgerTransaction; return their count."""
    if not combos:
        return 0
    old = LedgerTransaction.objects.filter(_combos_q(combos)).exclude(ledger_import=record)
    old = old.order_by()
    select = old.annotate(replaced_by_value=Value(record.pk)).values_list(
        *ReplacedLedgerTransaction.COPIED, "replaced_by_value"
    )
    sql, params = select.query.sql_with_params()
    meta = ReplacedLedgerTransaction._meta
    columns = ", ".join(
        meta.get_field(name).column for name in (*ReplacedLedgerTransaction.COPIED, "replaced_by")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {meta.db_table} ({columns}) {sql}", params)
    replaced, _ = old.delete()
    return replaced


def replace_month_totals(combos, sums) -> None:
    """After an import: the (object, year, month, budget) combinations it wrote hold its rows
    alone (the rows it replaced are archived), so their totals are the sums write_rows made,
    {KEY values: [amount, rows]}, each with the kind the chart of accounts gives its account.
    No query over the rows."""
    by_object = defaultdict(set)
    for object_id, year, month, is_budget in combos:
        by_object[(object_id, year, is_budget)].add(month)
    where = Q(pk__in=[])
    for (object_id, year, is_budget), months in by_object.items():
        where |= Q(cost_object_id=object_id, year=year, is_budget=is_budget, month__in=months)
    LedgerMonthTotal.objects.filter(where).delete()
    ranges = chart_of_accounts()
    kinds = {account: classify(account, ranges) for _, _, _, _, account, _ in sums}
    LedgerMonthTotal.objects.bulk_create(
        (
            LedgerMonthTotal(
                cost_object_id=object_id,
                activity_id=activity_id,
                year=year,
                month=month,
                account=account,
                is_budget=is_budget,
                kind=kinds[account],
                amount=amount,
                rows=rows,
            )
            for (object_id, activity_id, year, month, account, is_budget), (
                amount,
                rows,
            ) in sums.items()
        ),
        batch_size=2000,
    )
