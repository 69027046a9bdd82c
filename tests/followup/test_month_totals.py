"""The ledger's kept monthly totals are the sum of its rows after every kind of change: an
import, a replacing import, SIE budgets, a link tying rows to an activity, a month closed and
reopened, an activity deleted, an import refused, a change to the chart of accounts (each
total keeps its account's kind); and pages read the totals, not the rows."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distribution.actions import do_delete_activity
from distribution.models import Activity, CostObject
from followup.accounts import Kind
from followup.actions import (
    LedgerImportError,
    do_add_account_range,
    do_close_period,
    do_delete_account_range,
    do_import_ledger_file,
    do_reopen_period,
    do_save_activity_link,
)
from followup.models import (
    AccountRange,
    ActivityLink,
    ClosedPeriod,
    LedgerMonthTotal,
    LedgerTransaction,
)
from followup.month_totals import differences, refresh_month_totals
from followup.periods import month_period
from followup.reads import build_followup

from .test_ledger_import import ROWS, SIE3, csv_bytes

D = Decimal


def import_rows(rows, source, user):
    return do_import_ledger_file(SimpleUploadedFile("h.csv", csv_bytes(rows)), source, user)


@pytest.mark.both_databases  # the writer and its sums: COPY on PostgreSQL
def test_every_kind_of_change_keeps_the_totals_equal_to_the_rows(year2023, source, users):
    finance = users["finance"]
    import_rows(ROWS, source, finance)
    assert LedgerMonthTotal.objects.exists()
    assert differences() == []
    # A corrected March replaces the earlier March rows of 9916.
    import_rows([ROWS[0].replace("12 345,50", "10 000,00")], source, finance)
    assert differences() == []
    # SIE budgets (#PBUDGET) and period balances.
    do_import_ledger_file(SimpleUploadedFile("saldo.se", SIE3.encode("cp437")), None, finance)
    assert LedgerMonthTotal.objects.filter(is_budget=True).exists()
    assert differences() == []
    # A link ties the untied rows of its object and ansvar to an activity.
    nine916 = CostObject.objects.get(number="9916", year=2023)
    activity = Activity.objects.filter(cost_object=nine916).first()
    tied = do_save_activity_link(
        ActivityLink(cost_object=nine916, responsibility="1234", activity=activity),
        acting_user=finance,
    )
    assert tied and LedgerMonthTotal.objects.filter(activity=activity).exists()
    assert differences() == []
    # A closed month refuses a file that would replace it: nothing changes.
    period = do_close_period(2023, 3, acting_user=finance)
    before = list(LedgerMonthTotal.objects.values_list("cost_object", "month", "amount"))
    with pytest.raises(LedgerImportError):
        import_rows([ROWS[0]], source, finance)
    assert list(LedgerMonthTotal.objects.values_list("cost_object", "month", "amount")) == before
    do_reopen_period(ClosedPeriod.objects.get(pk=period.pk), acting_user=finance, reason="Rättelse")
    import_rows([ROWS[0].replace("12 345,50", "11 111,11")], source, finance)
    assert differences() == []
    # An activity deleted: its rows and its totals belong to no activity, the sums unchanged.
    activity.refresh_from_db()
    do_delete_activity(activity, acting_user=users["officer"], expected_version=activity.version)
    assert not LedgerMonthTotal.objects.filter(activity_id=activity.pk).exists()
    assert differences() == []


@pytest.mark.both_databases
def test_a_change_to_the_chart_of_accounts_gives_the_totals_their_new_kind(year2023, source, users):
    finance = users["finance"]
    internal = "V6;2023-03-13;6550;1234;9916;;Intern;202303;999,00"
    import_rows([*ROWS, internal], source, finance)
    assert set(LedgerMonthTotal.objects.values_list("kind", flat=True)) == {Kind.COST}
    # 6550 becomes income: its totals turn income in the change's transaction, no others.
    record = do_add_account_range(
        "6550", "6550", Kind.INCOME, acting_user=finance, reason="Intern intäkt"
    )
    assert set(LedgerMonthTotal.objects.filter(account="6550").values_list("kind", flat=True)) == {
        Kind.INCOME
    }
    assert not LedgerMonthTotal.objects.exclude(account="6550").exclude(kind=Kind.COST).exists()
    assert differences() == []
    # An import after the change classifies its totals by the chart as it is.
    import_rows([internal.replace("999,00", "111,00")], source, finance)
    assert LedgerMonthTotal.objects.get(account="6550").kind == Kind.INCOME
    assert differences() == []
    # The range removed: costs again.
    do_delete_account_range(
        AccountRange.objects.get(pk=record.pk), acting_user=finance, reason="Fel"
    )
    assert LedgerMonthTotal.objects.get(account="6550").kind == Kind.COST
    assert differences() == []


def test_a_kept_kind_that_is_wrong_is_found_and_made_right(year2023, source, users):
    import_rows(ROWS, source, users["finance"])
    LedgerMonthTotal.objects.filter(pk=LedgerMonthTotal.objects.first().pk).update(
        kind=Kind.BALANCE
    )
    assert len(differences()) == 2  # the wrong kind kept, the right kind not kept
    refresh_month_totals(Q())
    assert differences() == []


def test_a_total_that_is_wrong_is_found_and_made_right(year2023, source, users):
    import_rows(ROWS, source, users["finance"])
    total = LedgerMonthTotal.objects.first()
    total.amount += 1
    total.save()
    assert len(differences()) == 1
    refresh_month_totals(Q())
    assert differences() == []


def test_the_follow_up_reads_the_totals_not_the_rows(year2023, source, users):
    import_rows(ROWS, source, users["finance"])
    agreement = CostObject.objects.get(number="9916", year=2023).area.agreement
    year = month_period(12)

    def outcome():
        return sum(build_followup(agreement, year).total.by_month.values())

    shown = outcome()
    assert shown == D("12345.50") + D("1000") - D("250") + D("1500.25")
    # A row changed behind the totals' back shows only once its totals are refreshed.
    row = LedgerTransaction.objects.filter(cost_object__number="9916").first()
    LedgerTransaction.objects.filter(pk=row.pk).update(amount=row.amount + 1000)
    assert outcome() == shown
    refresh_month_totals(Q(cost_object_id=row.cost_object_id))
    assert outcome() == shown + 1000


LINE = "V{n};2023-{m:02d}-05;{account};1234;{obj};;Rad;2023{m:02d};{amount}"


@st.composite
def ledger_files(draw):
    rows = []
    for n in range(draw(st.integers(1, 12))):
        rows.append(
            LINE.format(
                n=n,
                m=draw(st.integers(1, 4)),
                account=draw(st.sampled_from(["5410", "3010", "4010", "1930", ""])),
                obj=draw(st.sampled_from(["9916", "9917", "9942", "4711"])),
                amount=draw(st.sampled_from(["100,00", "250,50-", "1 000,25", "0,01"])),
            )
        )
    return rows


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(ledger_files(), min_size=1, max_size=4))
def test_any_sequence_of_imports_keeps_the_totals(year2023, source, users, files):
    for rows in files:
        try:
            import_rows(rows, source, users["finance"])
        except LedgerImportError:
            pass  # the same file twice, or nothing on a grant object: nothing changed
        assert differences() == []


def test_the_command_finds_wrong_totals_and_repairs_them(year2023, source, users):
    from django.core.management import CommandError, call_command

    import_rows(ROWS, source, users["finance"])
    call_command("ledger_totals")
    LedgerMonthTotal.objects.all().delete()
    with pytest.raises(CommandError, match="stämmer inte"):
        call_command("ledger_totals")
    call_command("ledger_totals", "--repair")
    assert differences() == []
