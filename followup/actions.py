"""Import of ledger outcomes: read every row, keep those on grant cost objects, and replace
the outcome of the imported months for those objects, all in one transaction.

An import streams: rows are checked as they are read and kept rows go to the database in
batches (COPY on PostgreSQL), so memory does not grow with the file. Any problem stops the
writing and the transaction is rolled back at the end, so a refused file leaves nothing.
Imports, period closing and activity links take one lock (LEDGER_LOCK), so two imports of the
same months never both land, and a month closed while an import ran is refused by it.
"""

import datetime
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Value
from django.utils import timezone

from common.locks import lock_for_transaction
from common.money import AmountError, format_amount, parse_decimal
from common.refusals import Refused
from common.versioning import check_version, save_checked
from distribution.models import Activity, CostObject

from .accounts import KOMMUN_BAS, Range, check_ranges
from .ledger_files import LedgerFileError, MergedRows, is_xlsx, mapped_table
from .models import (
    AccountRange,
    ActivityBudgetProfile,
    ActivityLink,
    ClosedPeriod,
    LedgerImport,
    LedgerTransaction,
    ReplacedLedgerTransaction,
)
from .month_totals import refresh_month_totals, replace_month_totals
from .periods import MONTH_NAMES, ProfileKind, check_profile
from .reads import activity_outcome
from .sie import parse_sie

SIE_SUFFIXES = (".se", ".si", ".sie")
LEDGER_LOCK = "followup.ledger"
# At most this many problems are listed; the rest are counted.
MAX_LISTED_PROBLEMS = 100
BATCH_ROWS = 20_000
# LedgerImport.total_amount is DecimalField(max_digits=17, decimal_places=2).
MAX_TOTAL = Decimal(10) ** 15
_PERIOD = re.compile(r"([0-9]{4})-?([0-9]{2})(?:-?([0-9]{2}))?")
_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})")
# Codes are refused when longer than their column; texts are kept whole, however long.
CODE_LENGTHS = {"account": 20, "responsibility": 30, "activity_code": 30, "voucher": 40}


class LedgerImportError(Exception):
    """The file is refused; `problems` lists each bad row with its line and field."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems[:20]))


class Problems:
    """Problems of one file: the first MAX_LISTED_PROBLEMS kept, the rest counted."""

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS):
        self.limit = limit
        self.listed: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(message)

    def extend(self, messages: Iterable[str]) -> None:
        for message in messages:
            self.add(message)

    def clear(self) -> None:
        self.listed, self.count = [], 0

    def __bool__(self) -> bool:
        return self.count > 0

    def messages(self) -> list[str]:
        extra = self.count - len(self.listed)
        if extra > 0:
            return self.listed + [
                f"… och {extra} fel till (de första {self.limit} visas). Rätta dem och läs in "
                "filen igen."
            ]
        return list(self.listed)


def shown(text: str, length: int = 40) -> str:
    """A value as a message quotes it: never the whole of a huge cell."""
    return text if len(text) <= length else text[:length] + "…"


class GrantObjects:
    """The grant cost objects by number and year, read once per import."""

    def __init__(self):
        self.by_number: dict[str, dict[int, int]] = {}
        for number, year, pk in CostObject.objects.values_list("number", "year", "pk"):
            self.by_number.setdefault(number, {})[year] = pk

    def get(self, number: str, year: int) -> int | None:
        return self.by_number.get(number, {}).get(year)


def _object_number(text: str) -> str:
    text = text.strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _parse_period(text: str):
    match = _PERIOD.fullmatch(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1990 <= year <= 2100):
        return None
    if match.group(3) is not None:
        try:  # a date as the period must be a real day: 2023-02-30 is not February
            datetime.date(year, month, int(match.group(3)))
        except ValueError:
            return None
    return year, month


def _parse_date(text: str):
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day if 1990 <= day.year <= 2100 else None


# --- Writing kept rows ------------------------------------------------------------------------

# The columns of LedgerTransaction a kept row fills, in the order of the row tuples below.
ROW_FIELDS = (
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


class _RowWriter:
    """Kept rows to the database in batches; stops writing at the first problem."""

    def __init__(self, record: LedgerImport):
        self.record = record
        self.batch: list[tuple] = []
        self.kept = 0
        self.total = Decimal(0)
        self.combos: set[tuple[int, int, int, bool]] = set()
        # The month totals of what is kept, summed as it streams by (month_totals.KEY order).
        self.sums: dict[tuple, list] = {}
        self.writing = True
        self._copy = self._copy_context = self._cursor = None
        object_ids = list(CostObject.objects.values_list("pk", flat=True))
        self.by_code = {
            (cost_object, code): pk
            for pk, cost_object, code in Activity.objects.filter(cost_object_id__in=object_ids)
            .exclude(ledger_code="")
            .values_list("pk", "cost_object_id", "ledger_code")
        }
        self.by_link = {
            (cost_object, responsibility): activity
            for cost_object, responsibility, activity in ActivityLink.objects.values_list(
                "cost_object_id", "responsibility", "activity_id"
            )
        }

    def add(
        self,
        line: int,
        cost_object: int,
        year: int,
        month: int,
        date,
        amount: Decimal,
        account: str = "",
        responsibility: str = "",
        activity_code: str = "",
        voucher: str = "",
        text: str = "",
        is_budget: bool = False,
    ) -> None:
        self.kept += 1
        if not is_budget:
            self.total += amount
        self.combos.add((cost_object, year, month, is_budget))
        if not self.writing:
            return
        activity = None
        if activity_code:
            activity = self.by_code.get((cost_object, activity_code))
        if activity is None:
            activity = self.by_link.get((cost_object, responsibility))
        self.batch.append(
            (
                self.record.pk,
                cost_object,
                activity,
                year,
                month,
                date,
                account,
                responsibility,
                activity_code,
                voucher,
                text,
                amount,
                is_budget,
                line,
            )
        )
        if len(self.batch) >= BATCH_ROWS:
            self.flush()

    def stop(self) -> None:
        """A problem was found: the file will be refused, so write nothing more."""
        self.writing = False
        self.batch.clear()

    def flush(self) -> None:
        if not self.batch:
            return
        sums = self.sums
        for row in self.batch:  # ROW_FIELDS order: the month totals' key, then the amount
            key = (row[1], row[2], row[3], row[4], row[6], row[12])
            if (summed := sums.get(key)) is None:
                sums[key] = [row[11], 1]
            else:
                summed[0] += row[11]
                summed[1] += 1
        if connection.vendor == "postgresql":
            if self._copy is None:
                self._open_copy()
            write_row = self._copy.write_row
            for row in self.batch:
                write_row(row)
        else:
            attnames = [LedgerTransaction._meta.get_field(f).attname for f in ROW_FIELDS]
            LedgerTransaction.objects.bulk_create(
                (LedgerTransaction(**dict(zip(attnames, row, strict=True))) for row in self.batch),
                batch_size=2000,
            )
        self.batch.clear()  # in place: read_mapped_rows holds the list

    def _open_copy(self) -> None:
        """One COPY for the whole file; a queue hands the data to the server from another
        thread, so PostgreSQL stores rows while the next ones are read."""
        from psycopg.copy import QueuedLibpqWriter

        table = LedgerTransaction._meta.db_table
        columns = ", ".join(LedgerTransaction._meta.get_field(f).column for f in ROW_FIELDS)
        self._cursor = connection.cursor()
        raw = self._cursor.cursor
        self._copy_context = raw.copy(
            f"COPY {table} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)
        )
        self._copy = self._copy_context.__enter__()

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

    def months(self) -> list[tuple[int, int]]:
        return sorted({(year, month) for _, year, month, _ in self.combos})


# --- Reading files -----------------------------------------------------------------------------


@dataclass
class ReadCounts:
    total: int = 0
    ignored: int = 0


def read_mapped_rows(
    rows: Iterator[tuple[int, list[str]]],
    positions: dict[str, int],
    headers: dict[str, str],
    objects: GrantObjects,
    writer: _RowWriter,
    problems: Problems,
    *,
    check_nul: bool = True,
) -> ReadCounts:
    """Check rows from a mapped CSV or XLSX file; rows on other objects are only counted.

    Only the object cell is looked at before a row is known to be on a grant object, so the
    98 % of a ledger on other objects cost almost nothing; kept rows go straight into the
    writer's batch. This loop is the import's hot path: keep it flat.
    """
    numbers = objects.by_number
    total = ignored = 0
    object_at, amount_at = positions["cost_object"], positions["amount"]
    period_at, date_at = positions.get("period"), positions.get("date")
    account_at = positions.get("account")
    responsibility_at = positions.get("responsibility")
    code_at = positions.get("activity_code")
    voucher_at = positions.get("voucher")
    text_at = positions.get("text")
    width = max(positions.values()) + 1
    periods: dict[str, tuple[int, int] | None] = {}
    dates: dict[str, datetime.date | None] = {}
    record_pk = writer.record.pk
    by_code, by_link = writer.by_code, writer.by_link
    combos = writer.combos
    batch = writer.batch
    kept = 0
    outcome = Decimal(0)
    # The column limits as locals: this loop runs once per kept row, a million times.
    account_max, responsibility_max, code_max, voucher_max = (
        CODE_LENGTHS[name] for name in ("account", "responsibility", "activity_code", "voucher")
    )

    def refuse(message: str) -> None:
        problems.add(message)
        writer.stop()

    for line, row in rows:
        if len(row) < width:
            if not "".join(row).strip():
                continue  # a blank line
            row = row + [""] * (width - len(row))
        number = row[object_at]
        if number not in numbers:
            if not number:
                if not "".join(row).strip():
                    continue
            else:
                number = _object_number(number)
            if number not in numbers:
                total += 1
                ignored += 1
                continue
        total += 1
        date = period = None
        if period_at is not None and (text := row[period_at].strip()):
            if text not in periods:
                periods[text] = _parse_period(text)
            period = periods[text]
            if period is None:
                refuse(
                    f"Rad {line}, kolumn ”{headers['period']}”: ”{shown(text)}” är ingen "
                    "period (ÅÅÅÅMM, ÅÅÅÅ-MM eller ett datum som finns)."
                )
                continue
        if date_at is not None and (text := row[date_at].strip()):
            if text not in dates:
                dates[text] = _parse_date(text)
            date = dates[text]
            if date is None:
                refuse(
                    f"Rad {line}, kolumn ”{headers['date']}”: ”{shown(text)}” är inget datum "
                    "som finns (ÅÅÅÅ-MM-DD)."
                )
                continue
            if period is None:
                period = (date.year, date.month)
        if period is None:
            name = headers.get("period") or headers.get("date") or "Period"
            refuse(f"Rad {line}, kolumn ”{name}”: perioden saknas.")
            continue
        try:
            amount = parse_decimal(row[amount_at], max_digits=15, decimal_places=2)
        except AmountError as exc:
            refuse(f"Rad {line}, kolumn ”{headers['amount']}”: {exc}")
            continue
        year, month = period
        cost_object = numbers[number].get(year)
        if cost_object is None:
            ignored += 1  # the number is a grant object in another year only
            continue
        account = row[account_at].strip() if account_at is not None else ""
        responsibility = row[responsibility_at].strip() if responsibility_at is not None else ""
        code = row[code_at].strip() if code_at is not None else ""
        voucher = row[voucher_at].strip() if voucher_at is not None else ""
        text = row[text_at].strip() if text_at is not None else ""
        if (
            len(account) > account_max
            or len(responsibility) > responsibility_max
            or len(code) > code_max
            or len(voucher) > voucher_max
            or (check_nul and "\x00" in account + responsibility + code + voucher + text)
        ):
            for name, value in (
                ("account", account),
                ("responsibility", responsibility),
                ("activity_code", code),
                ("voucher", voucher),
                ("text", text),
            ):
                if "\x00" in value:
                    refuse(
                        f"Rad {line}, kolumn ”{headers[name]}”: texten innehåller ett NUL-tecken."
                    )
                elif name in CODE_LENGTHS and len(value) > CODE_LENGTHS[name]:
                    refuse(
                        f"Rad {line}, kolumn ”{headers[name]}”: ”{shown(value)}” är längre än "
                        f"{CODE_LENGTHS[name]} tecken."
                    )
            continue
        kept += 1
        outcome += amount
        combos.add((cost_object, year, month, False))
        if writer.writing:
            activity = by_code.get((cost_object, code)) if code else None
            if activity is None:
                activity = by_link.get((cost_object, responsibility))
            batch.append(
                (
                    record_pk,
                    cost_object,
                    activity,
                    year,
                    month,
                    date,
                    account,
                    responsibility,
                    code,
                    voucher,
                    text,
                    amount,
                    False,
                    line,
                )
            )
            if len(batch) >= BATCH_ROWS:
                writer.flush()
    writer.kept += kept
    writer.total += outcome
    return ReadCounts(total=total, ignored=ignored)


def sie_keep(objects: GrantObjects, object_dimension: int | None = None):
    """A filter for parse_sie: keep rows whose object list names a grant cost object."""
    numbers = objects.by_number
    if object_dimension:
        key = str(object_dimension)
        return lambda row_objects: row_objects.get(key) in numbers
    return lambda row_objects: any(value in numbers for value in row_objects.values())


@dataclass(frozen=True)
class SieDimensions:
    """Which SIE dimension holds the cost object, the ansvar and the activity code."""

    cost_object: int | None = None  # None: the grant object number in any dimension
    responsibility: int | None = 1
    activity_code: int | None = None

    @classmethod
    def of(cls, source) -> "SieDimensions":
        if source is None:
            return cls()
        return cls(
            source.sie_object_dimension,
            source.sie_responsibility_dimension,
            source.sie_activity_dimension,
        )


def read_sie_rows(
    sie, objects: GrantObjects, writer: _RowWriter, problems: Problems, dims: SieDimensions
) -> ReadCounts:
    """Rows from a parsed SIE file: #TRANS (type 4) and #PSALDO (type 3) as outcome,
    #PBUDGET as budget, with the object, ansvar and activity code from their dimensions."""
    problems.extend(sie.problems)
    if problems:
        writer.stop()
    counts = ReadCounts(total=sie.rows_total, ignored=sie.ignored)
    object_key = str(dims.cost_object) if dims.cost_object else None
    responsibility_key = str(dims.responsibility) if dims.responsibility else None
    activity_key = str(dims.activity_code) if dims.activity_code else None
    for item in [*sie.transactions, *sie.period_figures]:
        if hasattr(item, "kind"):
            year, month, date = item.year, item.month, None
            voucher, text, is_budget = f"#P{item.kind.upper()}", "", item.kind == "budget"
        else:
            year, month, date = item.date.year, item.date.month, item.date
            voucher, text, is_budget = item.voucher, item.text, False
        found_in = object_key
        if object_key:
            cost_object = objects.get(item.objects.get(object_key, ""), year)
        else:
            cost_object = None
            for dimension, value in item.objects.items():
                if (cost_object := objects.get(value, year)) is not None:
                    found_in = dimension
                    break
        if cost_object is None:
            counts.ignored += 1
            continue
        # The dimension that held the object is not also the ansvar.
        responsibility = ""
        if responsibility_key and responsibility_key != found_in:
            responsibility = item.objects.get(responsibility_key, "")
        values = {
            "account": item.account,
            "responsibility": responsibility,
            "activity_code": item.objects.get(activity_key, "") if activity_key else "",
            "voucher": voucher,
        }
        bad = False
        for name, value in values.items():
            if len(value) > CODE_LENGTHS[name] or "\x00" in value:
                problems.add(
                    f"Rad {item.line}: {name.replace('_', ' ')} ”{shown(value)}” är längre än "
                    f"{CODE_LENGTHS[name]} tecken eller innehåller ett NUL-tecken."
                )
                bad = True
        if bad:
            writer.stop()
            continue
        writer.add(
            item.line,
            cost_object,
            year,
            month,
            date,
            item.amount,
            text=text,
            is_budget=is_budget,
            **values,
        )
    return counts


# --- The import --------------------------------------------------------------------------------


def _earlier_import_problem(checksum: str) -> str | None:
    earlier = LedgerImport.objects.filter(checksum=checksum).select_related("uploaded_by").first()
    if earlier is None:
        return None
    who = earlier.uploaded_by.username if earlier.uploaded_by else "okänd"
    return (
        # In the region's time zone, as the import list shows it (stored in UTC).
        f"Filen är redan inläst {timezone.localtime(earlier.uploaded_at):%Y-%m-%d %H:%M} "
        f"av {who} "
        f"(”{earlier.file_name}”)."
    )


def _combos_q(combos):
    """The rows of the (object, year, month, budget) combinations an import wrote."""
    query = Q(pk__in=[])
    for object_id, year, month, is_budget in combos:
        query |= Q(cost_object_id=object_id, year=year, month=month, is_budget=is_budget)
    return query


def _archive_replaced(record: LedgerImport, combos) -> int:
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


def _import(read, *, file_name, file_format, checksum, source, acting_user) -> LedgerImport:
    """Run `read(writer, problems) -> ReadCounts` under the ledger lock and keep the result,
    or raise LedgerImportError with nothing saved."""
    problems = Problems()
    try:
        with transaction.atomic():
            lock_for_transaction(LEDGER_LOCK)
            if earlier := _earlier_import_problem(checksum):
                raise LedgerImportError([earlier])
            record = LedgerImport.objects.create(
                source=source,
                file_name=file_name[:255],
                file_format=file_format,
                checksum=checksum,
                uploaded_by=acting_user,
            )
            writer = _RowWriter(record)
            try:
                counts = read(writer, problems)
                writer.flush()
            except BaseException as error:
                writer.close(error)
                raise
            writer.close()
            months = writer.months()
            # Inside the lock: a month closed while the file was read is seen here.
            for period in ClosedPeriod.objects.filter(_months_q(months)).order_by("year", "month"):
                problems.add(
                    f"Perioden {period} är stängd och kan inte ersättas; öppna den först "
                    "(Uppföljning › Perioder)."
                )
            if abs(writer.total) >= MAX_TOTAL:
                problems.add("Summan av filens belopp är för stor (högst 15 siffror i kronor).")
            if problems:
                raise LedgerImportError(problems.messages())
            record.rows_total = counts.total
            record.rows_kept = writer.kept
            record.rows_ignored = counts.ignored
            record.rows_replaced = _archive_replaced(record, writer.combos)
            # The months it replaced hold its rows alone now: their totals are its sums.
            replace_month_totals(writer.combos, writer.sums)
            record.total_amount = writer.total
            record.periods = [f"{year}-{month:02d}" for year, month in months]
            record.save()
            return record
    except IntegrityError as exc:
        # Only the unique checksum can clash: the same file landed in another session.
        earlier = _earlier_import_problem(checksum)
        if earlier is None:
            raise
        raise LedgerImportError([earlier]) from exc


def import_mapped_file(binary, file_name, source, *, checksum, acting_user=None):
    """Import a CSV or XLSX ledger file read with the source's column mapping."""
    file_format = "xlsx" if is_xlsx(binary.read(4), file_name) else "csv"
    binary.seek(0)

    def read(writer, problems):
        objects = GrantObjects()
        try:
            table = mapped_table(binary, file_name, source.mapping)
            return read_mapped_rows(
                table.rows,
                table.positions,
                table.headers,
                objects,
                writer,
                problems,
                # A CSV file with a NUL byte is refused before its rows are read.
                check_nul=file_format == "xlsx",
            )
        except LedgerFileError as exc:
            if isinstance(exc, MergedRows):
                problems.clear()  # line numbers read after the merge cannot be trusted
            problems.extend(exc.problems)
            writer.stop()
            return ReadCounts()

    return _import(
        read,
        file_name=file_name,
        file_format=file_format,
        checksum=checksum,
        source=source,
        acting_user=acting_user,
    )


def import_sie_file(binary, file_name, source, *, checksum, acting_user=None):
    dims = SieDimensions.of(source)

    def read(writer, problems):
        objects = GrantObjects()
        binary.seek(0)
        sie = parse_sie(binary, keep=sie_keep(objects, dims.cost_object))
        return read_sie_rows(sie, objects, writer, problems, dims)

    return _import(
        read,
        file_name=file_name,
        file_format="sie",
        checksum=checksum,
        source=source,
        acting_user=acting_user,
    )


def file_checksum(binary) -> str:
    digest = hashlib.sha256()
    binary.seek(0)
    while chunk := binary.read(1 << 20):
        digest.update(chunk)
    binary.seek(0)
    return digest.hexdigest()


def is_sie_file(binary, file_name: str) -> bool:
    binary.seek(0)
    start = binary.read(16)
    binary.seek(0)
    return file_name.lower().endswith(SIE_SUFFIXES) or start.lstrip().startswith(b"#FLAGGA")


def max_upload_bytes() -> int:
    return settings.LEDGER_MAX_UPLOAD_MB * 1024 * 1024


def do_import_ledger_file(upload, source, acting_user):
    """Parse and import an uploaded ledger file (CSV, XLSX or SIE). Raises LedgerImportError.

    The upload page logs each refusal (common.logs.log_refused_import)."""
    return _import_upload(upload, source, acting_user)


def _import_upload(upload, source, acting_user):
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise LedgerImportError(
            [f"Filen är {upload.size / 1024 / 1024:.0f} MB; gränsen är {limit // 1024 // 1024} MB."]
        )
    binary = upload.file
    checksum = file_checksum(binary)
    if is_sie_file(binary, upload.name):
        sie_limit = settings.LEDGER_SIE_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size is not None and upload.size > sie_limit:
            # The SIE reader tokenises every line: a larger file would hold a worker past 10 s.
            raise LedgerImportError(
                [
                    f"SIE-filen är {upload.size / 1024 / 1024:.0f} MB; gränsen för SIE-filer är "
                    f"{settings.LEDGER_SIE_MAX_UPLOAD_MB} MB. Exportera färre perioder eller "
                    "bara statsbidragsobjekten, eller en CSV-fil."
                ]
            )
        return import_sie_file(
            binary, upload.name, source, checksum=checksum, acting_user=acting_user
        )
    if source is None:
        raise LedgerImportError(["Välj källa: filen är inte en SIE-fil."])
    if not source.mapping:
        raise LedgerImportError(
            [f"Källan ”{source}” har inga kolumner; den används bara för SIE-filer."]
        )
    return import_mapped_file(
        binary, upload.name, source, checksum=checksum, acting_user=acting_user
    )


def _months_q(months):
    query = Q(pk__in=[])
    for year, month in months:
        query |= Q(year=year, month=month)
    return query


@transaction.atomic
def do_close_period(year: int, month: int, *, acting_user) -> ClosedPeriod:
    # Waits for a running import: it either lands before the month closes or sees it closed.
    lock_for_transaction(LEDGER_LOCK)
    period, _ = ClosedPeriod.objects.get_or_create(
        year=year, month=month, defaults={"closed_by": acting_user}
    )
    return period


@transaction.atomic
def do_reopen_period(period: ClosedPeriod, *, acting_user, reason: str):
    """Open a closed month again (an import may replace its outcome); the reason is kept in
    the history. A month opened by someone else meanwhile is refused."""
    lock_for_transaction(LEDGER_LOCK)
    if not ClosedPeriod.objects.filter(pk=period.pk).exists():
        name = MONTH_NAMES[period.month - 1].capitalize()
        raise PeriodError(f"{name} {period.year} är redan öppen.")
    period._history_user = acting_user
    period._change_reason = reason
    period.delete()


class PeriodError(Refused):
    """The period change is refused; nothing was saved."""


class ActivityLinkError(Refused):
    """The link is refused; nothing was saved."""


@transaction.atomic
def do_save_activity_link(link: ActivityLink, *, acting_user) -> int:
    """Save a link and tie the untied rows of its object and ansvar to its activity, except in
    closed months: their outcome is frozen. Returns how many rows were tied. A second link of
    the same object and ansvar is refused."""
    lock_for_transaction(LEDGER_LOCK)
    link._history_user = acting_user
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        # The form checked; someone saved the same object and ansvar since.
        raise ActivityLinkError("Kopplingen finns redan; någon annan sparade den nyss.") from None
    closed = list(ClosedPeriod.objects.values_list("year", "month"))
    untied = LedgerTransaction.objects.filter(
        cost_object=link.cost_object, responsibility=link.responsibility, activity__isnull=True
    )
    if closed:
        untied = untied.exclude(_months_q(closed))
    tied = untied.update(activity=link.activity)
    if tied:
        refresh_month_totals(Q(cost_object=link.cost_object))
    return tied


@transaction.atomic
def do_delete_activity_link(link: ActivityLink, *, acting_user, expected_version: int):
    """Remove a link; rows it already tied stay with their activity. Refused (StaleEdit) if
    the link changed since the page showed it."""
    lock_for_transaction(LEDGER_LOCK)
    check_version(link, expected_version, "Kopplingen")
    link._history_user = acting_user
    link.delete()


@transaction.atomic
def do_set_forecast(activity: Activity, forecast, *, acting_user, expected_version=None):
    """Set an activity's forecast for the year; recorded in the activity's history. Refused
    (StaleEdit) if the activity changed since the form showed it."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if expected_version is not None:
        check_version(activity, expected_version, "Aktiviteten")
    if forecast is not None:
        # Never below what is spent (issue 22): the outcome so far, read inside the lock.
        outcome = activity_outcome(activity)
        if forecast < outcome:
            raise ForecastError(
                f"Prognosen för ”{activity.name}” ({format_amount(forecast)}) är lägre än "
                f"aktivitetens utfall hittills i år, {format_amount(outcome)}. Ange minst "
                "utfallet, eller lämna fältet tomt så räknas utfallet plus budgetprofilens "
                "återstående månader."
            )
    activity.forecast = forecast
    activity._history_user = acting_user
    activity.save(update_fields=["forecast", "updated_at"])  # the save raises the version
    return activity


class ForecastError(Refused):
    """The forecast is refused; nothing was saved."""


class BudgetProfileError(Refused):
    """The profile is refused; nothing was saved."""


@transaction.atomic
def do_set_budget_profile(
    activity: Activity, profile, *, acting_user, reason: str, expected_version=None
):
    """Set how an activity's budget is spread over the months (followup.periods.BudgetProfile).

    The activity row is locked so its amount cannot change between the check that the month
    amounts add up to it and the save, and two first saves of a profile are serialised; a
    profile changed by someone else since the form was opened is refused (StaleEdit, the
    common mechanism; `expected_version` 0 means the form showed no profile yet). Recorded in
    the profile's history with the reason.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    problems = check_profile(activity.amount, profile)
    if problems:
        raise BudgetProfileError(problems)
    record = ActivityBudgetProfile.objects.filter(activity=activity).first()
    record = record or ActivityBudgetProfile(activity=activity)
    record.kind = profile.kind
    record.month = profile.month if profile.kind == ProfileKind.ONE_MONTH else None
    record.amounts = list(profile.amounts) if profile.kind == ProfileKind.MONTHS else []
    return save_checked(
        record, expected_version, what="Budgetprofilen", acting_user=acting_user, reason=reason
    )


class AccountChartError(Refused):
    """The chart change is refused; nothing was saved."""


def _locked_chart(acting_user):
    """The chart's rows, locked; an empty chart is first written out as Kommun-Bas so that
    a region's first refinement adds to the default rather than replacing it."""
    rows = list(AccountRange.objects.select_for_update().order_by("pk"))
    if not rows:
        for default in KOMMUN_BAS:
            row = AccountRange(first=default.first, last=default.last, kind=default.kind)
            row.name = "Kommun-Bas"
            row._history_user = acting_user
            row.save()
            rows.append(row)
    return rows


@transaction.atomic
def do_add_account_range(first, last, kind, name="", *, acting_user, reason: str):
    """Add a range to the region's chart of accounts; every ledger row is read by it from now."""
    rows = _locked_chart(acting_user)
    problems = check_ranges([r.as_range() for r in rows] + [Range(first, last, kind)])
    if problems:
        raise AccountChartError(problems)
    record = AccountRange(first=first, last=last, kind=kind, name=name)
    record._history_user = acting_user
    record._change_reason = reason
    record.save()
    return record


@transaction.atomic
def do_delete_account_range(record, *, acting_user, reason: str):
    """Remove a range from the chart; refused without a reason."""
    if not reason.strip():
        raise AccountChartError(f"Ange skälet till att {record.first}–{record.last} tas bort.")
    _locked_chart(acting_user)
    record = AccountRange.objects.filter(pk=record.pk).first()
    if record is None:
        return  # removed by someone else meanwhile: gone twice is gone
    record._history_user = acting_user
    record._change_reason = reason
    record.delete()
