"""Write an import's kept rows (COPY on PostgreSQL, in batches as they are read), keep their
month totals, and archive the rows the import replaces (ReplacedLedgerTransaction).

The rows come from followup.ledger_files.read_rows as tuples in LEDGER_COLUMNS order; the
import (followup.actions.do_import_ledger_file) runs all of this in one transaction.
"""

import select
from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter

from django.db import connection
from django.db.models import Q, Value
from psycopg import errors as psycopg_errors
from psycopg.errors import ForeignKeyViolation
from psycopg.pq import DiagnosticField, ExecStatus

from distribution.models import Activity, CostObject

from .accounts import classify
from .ledger_files import GrantObjects, KeptRows, LedgerImportError
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


DELETED_MEANWHILE = (
    "Ett kostnadsobjekt eller en aktivitet som filens rader hör till togs bort medan filen "
    "lästes in. Inget sparades; läs in filen igen."
)

_NULL = "\\N"
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


class _Copier:
    """Batches of COPY text by COPYs of their own on the import's connection, each ended without
    waiting for its result: the server stores the rows and checks their foreign keys
    (immediate for the import) while the reader reads on, on the other core. Before the next
    COPY begins the last one's result is read; while the server is still busy with it, up to
    HELD batches wait here and go in one COPY, so a server slower than the reader (every row
    kept) always has the next rows. No thread: libpq's own non-blocking calls (psycopg.pq),
    waiting on the socket only when the server is not ready. Nothing else may use the
    connection until close()."""

    PIECE = 128 * 1024  # bytes handed to libpq at a time, so its buffer stays small
    HELD = 32  # batches (about 300 kB each, 10 MB in all) held while the server is busy

    def __init__(self, pgconn, sql: str):
        self._pgconn = pgconn
        self._sql = sql.encode()
        self._pending = False  # a COPY ended, its result not read
        self._held: list[bytes] = []

    def send(self, data: bytes) -> None:
        self._held.append(data)
        if self._pending:
            if len(self._held) < self.HELD and self._busy():
                return  # the server is on the last COPY still: read on
            self._read_result()
        self._copy(self._held)
        self._held = []

    def _busy(self) -> bool:
        self._pgconn.consume_input()
        return self._pgconn.is_busy()

    def _copy(self, batches: list[bytes]) -> None:
        pgconn = self._pgconn
        pgconn.send_query(self._sql)
        self._flush()
        result = self._next_result()
        if result.status != ExecStatus.COPY_IN:
            self._drain()
            raise _error_of(result)
        try:
            for data in batches:
                view = memoryview(data)
                for start in range(0, len(view), self.PIECE):
                    while pgconn.put_copy_data(view[start : start + self.PIECE]) == 0:
                        self._wait(write=True)
        except BaseException:
            pgconn.put_copy_end("Importen avbröts.".encode())
            self._flush()
            self._pending = True
            raise
        while pgconn.put_copy_end(None) == 0:
            self._wait(write=True)
        self._flush()
        self._pending = True

    def close(self, *, send_held: bool = True) -> None:
        """Send the batches held (unless the import failed), read the last COPY's result;
        raise its error, if any."""
        self._read_result()
        if self._held and send_held:
            self._copy(self._held)
            self._held = []
            self._read_result()

    def _read_result(self) -> None:
        if not self._pending:
            return
        self._pending = False
        result = self._next_result()
        self._drain()
        if result.status != ExecStatus.COMMAND_OK:
            raise _error_of(result)

    def _next_result(self):
        pgconn = self._pgconn
        pgconn.consume_input()
        while pgconn.is_busy():
            self._wait(write=False)
            pgconn.consume_input()
        return pgconn.get_result()

    def _drain(self) -> None:
        while self._next_result() is not None:
            pass

    def _flush(self) -> None:
        while self._pgconn.flush():
            self._wait(write=True)

    def _wait(self, *, write: bool) -> None:
        # poll, not select: a worker's socket may be numbered past select's 1 024.
        poller = select.poll()
        # While writing, readable too: the server may answer (an error) before it reads on.
        poller.register(self._pgconn.socket, select.POLLIN | (select.POLLOUT if write else 0))
        poller.poll()


def _error_of(result) -> Exception:
    """The psycopg error (by SQLSTATE) of a failed result."""
    sqlstate = (result.error_field(DiagnosticField.SQLSTATE) or b"").decode()
    message = (result.error_message or b"").decode("utf-8", "replace").strip()
    try:
        error_class = psycopg_errors.lookup(sqlstate)
    except KeyError:
        error_class = psycopg_errors.DatabaseError
    return error_class(message)


def _ledger_foreign_keys(cursor) -> list[str]:
    """The ledger table's foreign keys, quoted (Django makes them deferrable)."""
    constraints = connection.introspection.get_constraints(cursor, LedgerTransaction._meta.db_table)
    return sorted(
        connection.ops.quote_name(name)
        for name, constraint in constraints.items()
        if constraint["foreign_key"]
    )


class _RowWriter:
    """Batches of rows to the database; their month totals summed as they pass."""

    def __init__(self):
        # {month_totals.KEY values: [amount, rows]}
        self.sums: dict[tuple, list] = {}
        self._copier: _Copier | None = None
        self._keys: list[str] = []
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
            if self._copier is None:
                self._open()
            self._copier.send(copy_text(batch).encode(self._encoding))
        else:
            attnames = [LedgerTransaction._meta.get_field(f).attname for f in LEDGER_COLUMNS]
            LedgerTransaction.objects.bulk_create(
                (LedgerTransaction(**dict(zip(attnames, row, strict=True))) for row in batch),
                batch_size=2000,
            )

    def _open(self) -> None:
        table = LedgerTransaction._meta.db_table
        columns = ", ".join(LedgerTransaction._meta.get_field(f).column for f in LEDGER_COLUMNS)
        with connection.cursor() as cursor:
            self._keys = _ledger_foreign_keys(cursor)
            if self._keys:
                cursor.execute(f"SET CONSTRAINTS {', '.join(self._keys)} IMMEDIATE")
        raw = connection.connection
        self._encoding = raw.info.encoding  # the connection's, as psycopg's
        self._copier = _Copier(raw.pgconn, f"COPY {table} ({columns}) FROM STDIN")

    def close(self, error: BaseException | None = None) -> None:
        """Wait for the last batch (before any other query on the connection); then the
        foreign keys are deferred again, as for the rest of the transaction."""
        if self._copier is None:
            return
        copier, self._copier = self._copier, None
        try:
            copier.close(send_held=error is None)
        except BaseException:
            if error is None:
                raise
            return  # the reader's error is the one to raise; the transaction is rolled back
        if error is None and self._keys:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {', '.join(self._keys)} DEFERRED")


def write_rows(batches: Iterable[list[tuple]]) -> dict[tuple, list]:
    """Write each batch as it comes (the reader makes the next one after); return the month
    totals of what was written, {month_totals.KEY values: [amount, rows]}."""
    writer = _RowWriter()
    try:
        try:
            for batch in batches:
                writer.write(batch)
        except BaseException as error:
            writer.close(error)
            raise
        writer.close()
    except ForeignKeyViolation as error:
        # What the import read at its start was deleted since (only an object, in the admin:
        # an activity's deletion waits for the import).
        raise LedgerImportError([DELETED_MEANWHILE]) from error
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
