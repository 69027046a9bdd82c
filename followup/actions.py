"""Import of ledger outcomes: parse every row, keep those on grant cost objects, and replace
the outcome of the imported months for those objects, all in one transaction."""

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from common.money import AmountError, parse_decimal
from distribution.models import Activity, CostObject

from .ledger_files import LedgerFileError, mapped_rows
from .models import ActivityLink, ClosedPeriod, LedgerImport, LedgerTransaction
from .sie import parse_sie

SIE_SUFFIXES = (".se", ".si", ".sie")

MAX_LISTED_PROBLEMS = 200
_PERIOD = re.compile(r"(\d{4})-?(\d{2})(?:-?(\d{2}))?")
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


class LedgerImportError(Exception):
    """The file is refused; `problems` lists each bad row with its line and field."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems[:20]))


@dataclass(frozen=True)
class ParsedRow:
    line: int
    cost_object: CostObject
    year: int
    month: int
    date: datetime.date | None
    amount: Decimal
    account: str = ""
    responsibility: str = ""
    activity_code: str = ""
    voucher: str = ""
    text: str = ""
    is_budget: bool = False


@dataclass
class ParseResult:
    rows: list[ParsedRow]
    total: int
    ignored: int
    problems: list[str]


class GrantObjects:
    """The grant cost objects by number and year, read once per import."""

    def __init__(self):
        self.by_number: dict[str, dict[int, CostObject]] = {}
        for cost_object in CostObject.objects.all():
            self.by_number.setdefault(cost_object.number, {})[cost_object.year] = cost_object

    def get(self, number: str, year: int) -> CostObject | None:
        return self.by_number.get(number, {}).get(year)


def _object_number(text: str) -> str:
    text = text.strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _parse_period(text: str):
    match = _PERIOD.fullmatch(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if 1 <= month <= 12 and 1990 <= year <= 2100 else None


def _parse_date(text: str):
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_mapped_rows(rows: Iterable[tuple[int, dict]], headers: dict[str, str]) -> ParseResult:
    """Check rows from a mapped CSV or XLSX file. Rows on other objects are only counted."""
    objects = GrantObjects()
    numbers = objects.by_number
    kept, problems = [], []
    total = ignored = 0
    for line, values in rows:
        total += 1
        number = _object_number(values.get("cost_object", ""))
        if number not in numbers:
            ignored += 1
            continue
        date = None
        period = None
        if values.get("period"):
            period = _parse_period(values["period"])
            if period is None:
                problems.append(
                    f"Rad {line}, kolumn ”{headers['period']}”: ”{values['period']}” är ingen "
                    "period (ÅÅÅÅMM, ÅÅÅÅ-MM eller ett datum)."
                )
                continue
        if values.get("date"):
            date = _parse_date(values["date"])
            if date is None:
                problems.append(
                    f"Rad {line}, kolumn ”{headers['date']}”: ”{values['date']}” är inget datum "
                    "(ÅÅÅÅ-MM-DD)."
                )
                continue
        if period is None and date is not None:
            period = (date.year, date.month)
        if period is None:
            field = headers.get("period") or headers.get("date") or "Period"
            problems.append(f"Rad {line}, kolumn ”{field}”: perioden saknas.")
            continue
        try:
            amount = parse_decimal(values.get("amount", ""))
        except AmountError as exc:
            problems.append(f"Rad {line}, kolumn ”{headers['amount']}”: {exc}")
            continue
        if amount != amount.quantize(Decimal("0.01")):
            problems.append(
                f"Rad {line}, kolumn ”{headers['amount']}”: beloppet har fler än två decimaler."
            )
            continue
        cost_object = objects.get(number, period[0])
        if cost_object is None:
            ignored += 1  # the number is a grant object in another year only
            continue
        kept.append(
            ParsedRow(
                line=line,
                cost_object=cost_object,
                year=period[0],
                month=period[1],
                date=date,
                amount=amount,
                account=values.get("account", "")[:20],
                responsibility=values.get("responsibility", "")[:30],
                activity_code=values.get("activity_code", "")[:30],
                voucher=values.get("voucher", "")[:40],
                text=values.get("text", "")[:255],
            )
        )
    return ParseResult(kept, total, ignored, problems)


def sie_keep(objects: GrantObjects):
    """A filter for parse_sie: keep rows whose object list names a grant cost object."""
    numbers = objects.by_number

    def keep(row_objects: dict[str, str]) -> bool:
        return any(value in numbers for value in row_objects.values())

    return keep


def parse_sie_rows(sie, objects: GrantObjects) -> ParseResult:
    """Rows from a parsed SIE file: #TRANS (type 4) and #PSALDO (type 3) as outcome,
    #PBUDGET as budget. The cost object is the object id that is a grant cost object."""
    kept, problems = [], list(sie.problems)
    ignored = sie.ignored
    for item in [*sie.transactions, *sie.period_figures]:
        if hasattr(item, "kind"):
            year, month, date = item.year, item.month, None
            voucher, text, is_budget = f"#P{item.kind.upper()}", "", item.kind == "budget"
        else:
            year, month, date = item.date.year, item.date.month, item.date
            voucher, text, is_budget = item.voucher, item.text, False
        cost_object = next(
            (
                found
                for value in item.objects.values()
                if (found := objects.get(value, year)) is not None
            ),
            None,
        )
        if cost_object is None:
            ignored += 1
            continue
        kept.append(
            ParsedRow(
                line=item.line,
                cost_object=cost_object,
                year=year,
                month=month,
                date=date,
                amount=item.amount,
                account=item.account[:20],
                voucher=voucher[:40],
                text=text[:255],
                is_budget=is_budget,
            )
        )
    return ParseResult(kept, sie.rows_total, ignored, problems)


def _activity_for(row: ParsedRow, by_code, by_link):
    if row.activity_code:
        found = by_code.get((row.cost_object.pk, row.activity_code))
        if found:
            return found
    return by_link.get((row.cost_object.pk, row.responsibility))


@transaction.atomic
def do_import_ledger(
    parsed: ParseResult, *, file_name, file_format, checksum, source=None, acting_user=None
) -> LedgerImport:
    """Replace the outcome of the file's months on its grant objects with the file's rows.

    Refused as a whole (LedgerImportError, nothing saved) when any row is bad, the file was
    imported before, or a month in it is closed.
    """
    problems = list(parsed.problems)
    earlier = LedgerImport.objects.filter(checksum=checksum).select_related("uploaded_by").first()
    if earlier:
        who = earlier.uploaded_by.username if earlier.uploaded_by else "okänd"
        problems.insert(
            0,
            f"Filen är redan inläst {earlier.uploaded_at:%Y-%m-%d %H:%M} av {who} "
            f"(”{earlier.file_name}”).",
        )
    months = sorted({(row.year, row.month) for row in parsed.rows})
    closed = ClosedPeriod.objects.filter(_months_q(months)).order_by("year", "month")
    for period in closed:
        problems.append(
            f"Perioden {period} är stängd och kan inte ersättas; öppna den först "
            "(Uppföljning › Perioder)."
        )
    if problems:
        extra = len(problems) - MAX_LISTED_PROBLEMS
        listed = problems[:MAX_LISTED_PROBLEMS]
        if extra > 0:
            listed.append(f"… och {extra} fel till.")
        raise LedgerImportError(listed)

    combos = {(row.cost_object.pk, row.year, row.month, row.is_budget) for row in parsed.rows}
    replaced = 0
    if combos:
        replace = Q()
        for object_id, year, month, is_budget in combos:
            replace |= Q(cost_object_id=object_id, year=year, month=month, is_budget=is_budget)
        replaced, _ = LedgerTransaction.objects.filter(replace).delete()

    object_ids = {row.cost_object.pk for row in parsed.rows}
    by_code = {
        (a.cost_object_id, a.ledger_code): a
        for a in Activity.objects.filter(cost_object_id__in=object_ids).exclude(ledger_code="")
    }
    by_link = {
        (link.cost_object_id, link.responsibility): link.activity
        for link in ActivityLink.objects.filter(cost_object_id__in=object_ids).select_related(
            "activity"
        )
    }
    record = LedgerImport.objects.create(
        source=source,
        file_name=file_name[:255],
        file_format=file_format,
        checksum=checksum,
        uploaded_by=acting_user,
        rows_total=parsed.total,
        rows_kept=len(parsed.rows),
        rows_ignored=parsed.ignored,
        rows_replaced=replaced,
        total_amount=sum((row.amount for row in parsed.rows if not row.is_budget), Decimal("0")),
        periods=[f"{year}-{month:02d}" for year, month in months],
    )
    LedgerTransaction.objects.bulk_create(
        (
            LedgerTransaction(
                ledger_import=record,
                cost_object=row.cost_object,
                activity=_activity_for(row, by_code, by_link),
                year=row.year,
                month=row.month,
                date=row.date,
                account=row.account,
                responsibility=row.responsibility,
                activity_code=row.activity_code,
                voucher=row.voucher,
                text=row.text,
                amount=row.amount,
                is_budget=row.is_budget,
                line=row.line,
            )
            for row in parsed.rows
        ),
        batch_size=2000,
    )
    return record


def _checksum(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _is_sie(upload) -> bool:
    start = upload.read(16)
    upload.seek(0)
    return upload.name.lower().endswith(SIE_SUFFIXES) or start.lstrip().startswith(b"#FLAGGA")


def do_import_ledger_file(upload, source, acting_user):
    """Parse and import an uploaded ledger file (CSV, XLSX or SIE). Raises LedgerImportError."""
    checksum = _checksum(upload)
    if _is_sie(upload):
        objects = GrantObjects()
        parsed = parse_sie_rows(parse_sie(upload.file, keep=sie_keep(objects)), objects)
        file_format = "sie"
    else:
        if source is None:
            raise LedgerImportError(["Välj källa: filen är inte en SIE-fil."])
        try:
            parsed = parse_mapped_rows(
                mapped_rows(upload.file, upload.name, source.mapping), source.mapping
            )
        except LedgerFileError as exc:
            raise LedgerImportError(exc.problems) from exc
        file_format = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
    return do_import_ledger(
        parsed,
        file_name=upload.name,
        file_format=file_format,
        checksum=checksum,
        source=source if file_format != "sie" else None,
        acting_user=acting_user,
    )


def _months_q(months):
    query = Q(pk__in=[])
    for year, month in months:
        query |= Q(year=year, month=month)
    return query


@transaction.atomic
def do_close_period(year: int, month: int, *, acting_user) -> ClosedPeriod:
    period, _ = ClosedPeriod.objects.get_or_create(
        year=year, month=month, defaults={"closed_by": acting_user}
    )
    return period


@transaction.atomic
def do_reopen_period(period: ClosedPeriod, *, acting_user, reason: str):
    period._history_user = acting_user
    period._change_reason = reason
    period.delete()


@transaction.atomic
def do_set_forecast(activity: Activity, forecast, *, acting_user):
    """Set an activity's forecast for the year; recorded in the activity's history."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    activity.forecast = forecast
    activity.version += 1
    activity._history_user = acting_user
    activity.save(update_fields=["forecast", "version", "updated_at"])
    return activity


class BudgetProfileError(Exception):
    """The profile is refused; nothing was saved. `messages` are Swedish."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


@transaction.atomic
def do_set_budget_profile(
    activity: Activity, profile, *, acting_user, reason: str, expected_version=None
):
    """Set how an activity's budget is spread over the months (followup.periods.BudgetProfile).

    The activity row is locked so its amount cannot change between the check that the month
    amounts add up to it and the save; a profile changed by someone else since the form was
    opened is refused. Recorded in the profile's history with the reason.
    """
    from simple_history.utils import update_change_reason

    from .models import ActivityBudgetProfile
    from .periods import ProfileKind, check_profile

    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    problems = check_profile(activity.amount, profile)
    if problems:
        raise BudgetProfileError(problems)
    record = ActivityBudgetProfile.objects.select_for_update().filter(activity=activity).first()
    if record is None:
        if expected_version not in (None, 0):
            raise BudgetProfileError([STALE_PROFILE])
        record = ActivityBudgetProfile(activity=activity)
    else:
        if expected_version is not None and record.version != expected_version:
            raise BudgetProfileError([STALE_PROFILE])
        record.version += 1
    record.kind = profile.kind
    record.month = profile.month if profile.kind == ProfileKind.ONE_MONTH else None
    record.amounts = list(profile.amounts) if profile.kind == ProfileKind.MONTHS else []
    record._history_user = acting_user
    record.save()
    update_change_reason(record, reason)
    return record


STALE_PROFILE = (
    "Budgetprofilen har ändrats av någon annan sedan du öppnade den. "
    "Ladda om sidan och gör ändringen igen; inget har sparats."
)


class AccountChartError(Exception):
    """The chart change is refused; nothing was saved. `messages` are Swedish."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def _locked_chart(acting_user):
    """The chart's rows, locked; an empty chart is first written out as Kommun-Bas so that
    a region's first refinement adds to the default rather than replacing it."""
    from .accounts import KOMMUN_BAS
    from .models import AccountRange

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
    from simple_history.utils import update_change_reason

    from .accounts import Range, check_ranges
    from .models import AccountRange

    rows = _locked_chart(acting_user)
    problems = check_ranges([r.as_range() for r in rows] + [Range(first, last, kind)])
    if problems:
        raise AccountChartError(problems)
    record = AccountRange(first=first, last=last, kind=kind, name=name)
    record._history_user = acting_user
    record.save()
    update_change_reason(record, reason)
    return record


@transaction.atomic
def do_delete_account_range(record, *, acting_user, reason: str):
    from .models import AccountRange

    _locked_chart(acting_user)
    record = AccountRange.objects.get(pk=record.pk)
    record._history_user = acting_user
    record._change_reason = reason
    record.delete()
