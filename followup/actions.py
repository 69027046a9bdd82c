"""Writes of the follow-up: the ledger import, period closing, activity links, forecasts,
budget profiles and the chart of accounts.

A ledger import streams: followup.ledger_files reads and checks the rows (no database) and
hands the kept ones on in batches, followup.ledger_writer writes them (COPY on PostgreSQL), so
memory does not grow with the file. Any problem stops the writing and the transaction is
rolled back at the end, so a refused file leaves nothing. Imports, period closing and
activity links take one lock (common.locks.LEDGER_LOCK), so two imports of the same months
never both land, and a month closed while an import ran is refused by it. Deleting an activity
takes it too (distribution.actions.do_delete_activity): it unties the activity's rows, and an
import that read the activity must have landed first.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from common.locks import LEDGER_LOCK, lock_for_transaction
from common.money import format_amount
from common.refusals import Refused
from common.versioning import check_version, save_checked
from distribution.models import Activity
from filestore.store import file_checksum

from .accounts import KOMMUN_BAS, Range, check_ranges
from .ledger_files import LedgerImportError, Problems, file_format, read_rows
from .ledger_writer import archive_replaced, kept_rows, replace_month_totals, write_rows
from .models import (
    AccountRange,
    ActivityBudgetProfile,
    ActivityLink,
    ClosedPeriod,
    LedgerImport,
    LedgerSource,
    LedgerTransaction,
)
from .month_totals import reclassify_month_totals, refresh_month_totals
from .periods import MONTH_NAMES, ProfileKind, check_profile
from .reads import activity_outcome

# LedgerImport.total_amount is DecimalField(max_digits=17, decimal_places=2).
MAX_TOTAL = Decimal(10) ** 15


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


def do_import_ledger_file(upload, source, acting_user, *, checksum: str | None = None):
    """Import a ledger file (CSV or XLSX read with the source's columns, or SIE) under the
    ledger lock: its rows on grant cost objects replace those of the months it holds. Returns
    the LedgerImport, or raises LedgerImportError with nothing saved.

    `checksum` is the file's SHA-256 when the caller has it (filestore.store.import_upload
    computes it while storing the upload); the size limit of an upload is checked there too.
    """
    binary = upload.file
    kind = file_format(binary, upload.name, upload.size, source)
    checksum = checksum or file_checksum(binary)
    problems = Problems()
    try:
        with transaction.atomic():
            lock_for_transaction(LEDGER_LOCK)
            if earlier := _earlier_import_problem(checksum):
                raise LedgerImportError([earlier])
            record = LedgerImport.objects.create(
                source=source,
                file_name=upload.name[:255],
                file_format=kind,
                checksum=checksum,
                uploaded_by=acting_user,
            )
            kept = kept_rows(record)
            sums = write_rows(read_rows(binary, upload.name, kind, source, kept, problems))
            months = kept.months()
            # Inside the lock: a month closed while the file was read is seen here.
            for period in ClosedPeriod.objects.filter(_months_q(months)).order_by("year", "month"):
                problems.add(
                    f"Perioden {period} är stängd och kan inte ersättas; öppna den först "
                    "(Uppföljning › Perioder)."
                )
            if abs(kept.total) >= MAX_TOTAL:
                problems.add("Summan av filens belopp är för stor (högst 15 siffror i kronor).")
            if problems:
                raise LedgerImportError(problems.messages())
            record.rows_total = kept.rows_total
            record.rows_kept = kept.kept
            record.rows_ignored = kept.ignored
            record.rows_replaced = archive_replaced(record, kept.combos)
            # The months it replaced hold its rows alone now: their totals are its sums.
            replace_month_totals(kept.combos, sums)
            record.total_amount = kept.total
            record.periods = [f"{year}-{month:02d}" for year, month in months]
            record.save()
            return record
    except IntegrityError as exc:
        # Only the unique checksum can clash: the same file landed in another session.
        earlier = _earlier_import_problem(checksum)
        if earlier is None:
            raise
        raise LedgerImportError([earlier]) from exc


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


def do_save_ledger_source(source: LedgerSource, *, acting_user) -> LedgerSource:
    """Save a new source (its columns, or its SIE dimensions); a name taken meanwhile is
    refused."""
    source._history_user = acting_user
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # The form checked the name; someone saved a source of the same name since.
        raise Refused(
            f"Det finns redan en källa med namnet ”{source.name}”; någon annan sparade "
            "den nyss. Ladda om sidan och välj den, eller ge källan ett annat namn.",
            field="name",
        ) from None
    return source


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
    reclassify_month_totals()  # the kept totals read by the chart as it now is
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
    reclassify_month_totals()
