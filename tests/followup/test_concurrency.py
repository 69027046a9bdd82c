"""Two imports, or an import and a period closing, at the same moment (PostgreSQL).

Each side runs in its own thread with its own database connection, as two users' requests
would. On SQLite the single writer serialises them anyway; these need PostgreSQL."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction

from followup.actions import LedgerImportError, do_close_period, do_import_ledger_file
from followup.models import LedgerImport, LedgerTransaction, ReplacedLedgerTransaction

from .conftest import HEADER

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL med två anslutningar; körs i .ci/run")


def ledger(amount: str, voucher: str) -> bytes:
    rows = [f"{voucher};2023-03-10;5410;1;9916;;Mars;202303;{amount}"]
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252")


def run_together(*jobs):
    """Start the jobs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job()
        except Exception as exc:  # noqa: BLE001 (the outcome is what the test checks)
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def importing(content, name, source, user):
    return lambda: do_import_ledger_file(SimpleUploadedFile(name, content), source, user)


def test_two_files_for_the_same_month_at_once_never_both_count(objects2023, source, users):
    first, second = ledger("1 000,00", "A1"), ledger("2 500,00", "B1")
    outcomes = run_together(
        importing(first, "a.csv", source, users["finance"]),
        importing(second, "b.csv", source, users["finance"]),
    )
    assert all(isinstance(o, LedgerImport) for o in outcomes), outcomes
    current = LedgerTransaction.objects.filter(cost_object__number="9916", year=2023, month=3)
    # Serialised: the later import replaced the earlier one's row; never both.
    assert current.count() == 1
    assert current.get().amount in (D("1000"), D("2500"))
    later = max(outcomes, key=lambda record: record.pk)
    assert later.rows_replaced == 1
    archived = ReplacedLedgerTransaction.objects.get()
    assert archived.replaced_by_id == later.pk
    assert archived.amount + current.get().amount == D("3500")


def test_the_same_file_twice_at_once_lands_once(objects2023, source, users):
    content = ledger("1 000,00", "A1")
    outcomes = run_together(
        importing(content, "a.csv", source, users["finance"]),
        importing(content, "a-igen.csv", source, users["finance"]),
    )
    saved = [o for o in outcomes if isinstance(o, LedgerImport)]
    refused = [o for o in outcomes if isinstance(o, LedgerImportError)]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    assert "Filen är redan inläst" in refused[0].messages[0]
    assert LedgerTransaction.objects.count() == 1


def test_a_month_closed_while_an_import_waits_is_not_replaced(objects2023, source, users):
    closed = threading.Event()

    def close_march_slowly():
        with transaction.atomic():
            do_close_period(2023, 3, acting_user=users["finance"])
            closed.set()
            time.sleep(1.0)  # the import below starts while the closing is not committed
        return "closed"

    def import_march():
        closed.wait(timeout=10)
        return do_import_ledger_file(
            SimpleUploadedFile("mars.csv", ledger("1 000,00", "A1")), source, users["finance"]
        )

    outcomes = run_together(close_march_slowly, import_march)
    assert outcomes[0] == "closed"
    assert isinstance(outcomes[1], LedgerImportError), outcomes
    assert "Perioden 2023-03 är stängd" in outcomes[1].messages[0]
    assert not LedgerTransaction.objects.exists()


def test_the_checksum_is_unique_in_the_database_not_only_looked_up(objects2023):
    LedgerImport.objects.create(file_name="a.csv", file_format="csv", checksum="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerImport.objects.create(file_name="b.csv", file_format="csv", checksum="a" * 64)


def test_an_activity_deleted_while_an_import_reads_its_rows_leaves_both_whole(
    objects2023, source, users, monkeypatch
):
    """The import has read the activities (its rows are tied to "A7") when an officer deletes
    that activity. Neither may end in a database error: the deletion waits for the import and
    then unties its rows, as it does any other row of the activity."""
    from distribution.actions import do_delete_activity
    from distribution.models import Activity, CostObject
    from followup import actions
    from followup.month_totals import differences

    cost_object = CostObject.objects.get(number="9916")
    activity = Activity.objects.create(
        area=cost_object.area,
        cost_object=cost_object,
        name="Hemsjukvård",
        ledger_code="A7",
        amount=D("1000"),
    )
    rows = [f"V{n};2023-03-10;5410;1;9916;A7;Mars;202303;100,00" for n in range(3)]
    content = ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252")
    read, deleting = threading.Event(), threading.Event()
    original = actions.kept_rows

    def kept_rows_then_wait(record):
        looked_up = original(record)  # the activities are read: A7 ties the rows
        read.set()
        deleting.wait(timeout=10)
        time.sleep(0.5)  # the deletion runs (or waits) while the rows are written
        return looked_up

    monkeypatch.setattr(actions, "kept_rows", kept_rows_then_wait)

    def delete_when_read():
        read.wait(timeout=10)
        deleting.set()
        do_delete_activity(Activity.objects.get(pk=activity.pk), acting_user=users["officer"])
        return "deleted"

    outcomes = run_together(
        importing(content, "mars.csv", source, users["finance"]), delete_when_read
    )
    assert isinstance(outcomes[0], LedgerImport), outcomes
    assert outcomes[1] == "deleted", outcomes
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert list(LedgerTransaction.objects.values_list("activity_id", flat=True)) == [None] * 3
    assert differences() == []


def test_a_cost_object_deleted_while_an_import_reads_its_rows_refuses_the_file(
    objects2023, source, users, monkeypatch
):
    """Only the admin deletes a cost object, and without the ledger lock: an import that read
    the object before it went gets a refusal in Swedish, with nothing saved (not a database
    error at its commit)."""
    from distribution.models import CostObject
    from followup import actions

    rows = [f"V{n};2023-03-10;5410;1;9917;;Mars;202303;100,00" for n in range(3)]
    content = ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252")
    read, deleted = threading.Event(), threading.Event()
    original = actions.kept_rows

    def kept_rows_then_wait(record):
        looked_up = original(record)  # 9917 is a grant object: its rows are kept
        read.set()
        deleted.wait(timeout=10)
        return looked_up

    monkeypatch.setattr(actions, "kept_rows", kept_rows_then_wait)

    def delete_when_read():
        read.wait(timeout=10)
        CostObject.objects.filter(number="9917").delete()  # no row of it is committed yet
        deleted.set()
        return "deleted"

    outcomes = run_together(
        importing(content, "mars.csv", source, users["finance"]), delete_when_read
    )
    assert outcomes[1] == "deleted", outcomes
    assert isinstance(outcomes[0], LedgerImportError), outcomes
    assert "togs bort medan filen lästes in" in outcomes[0].messages[0]
    assert not LedgerImport.objects.exists()
    assert not LedgerTransaction.objects.exists()
