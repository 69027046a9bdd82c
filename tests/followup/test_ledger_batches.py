"""An import of many batches (each a COPY of its own on PostgreSQL, its result read while the
next batch is read): every row lands once with its line, the totals hold, a file refused
after batches were sent leaves nothing, and the connection is as it was afterwards."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from followup import ledger_files
from followup.actions import LedgerImportError, do_import_ledger_file
from followup.models import LedgerImport, LedgerTransaction
from followup.month_totals import differences

from .conftest import HEADER

pytestmark = pytest.mark.both_databases  # the writer is COPY on PostgreSQL
D = Decimal


def ledger(rows) -> SimpleUploadedFile:
    content = ("\r\n".join(["Huvudbok", HEADER, *rows]) + "\r\n").encode("cp1252")
    return SimpleUploadedFile("huvudbok.csv", content)


def row(n: int, *, object_number="9916", period="202303") -> str:
    return f"V{n};2023-03-10;5410;1;{object_number};;Rad {n};{period};{n},00"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(ledger_files, "BATCH_ROWS", 3)


def test_rows_over_many_batches_land_once_each_with_their_line(objects2023, source, users):
    rows = [row(n, object_number="9916" if n % 3 else "1234") for n in range(1, 31)]
    record = do_import_ledger_file(ledger(rows), source, users["finance"])
    kept = [n for n in range(1, 31) if n % 3]
    assert record.rows_kept == len(kept) == LedgerTransaction.objects.count()
    assert record.rows_ignored == 30 - len(kept)
    saved = sorted(LedgerTransaction.objects.values_list("line", "amount"))
    assert saved == [(n + 2, D(n)) for n in kept]  # the title and header lines first
    assert differences() == []


def test_a_file_refused_after_batches_were_sent_leaves_nothing(objects2023, source, users):
    rows = [row(n) for n in range(1, 20)] + [row(20, period="2023-13")] + [row(21)]
    with pytest.raises(LedgerImportError) as refused:
        do_import_ledger_file(ledger(rows), source, users["finance"])
    assert refused.value.messages[0].startswith("Rad 22, kolumn ”Period”")
    assert not LedgerImport.objects.exists() and not LedgerTransaction.objects.exists()
    # The connection is usable, and the next file lands.
    record = do_import_ledger_file(ledger([row(1), row(2)]), source, users["finance"])
    assert record.rows_kept == 2 and differences() == []


def test_the_ledgers_foreign_keys_are_deferred_again_after_an_import(objects2023, source, users):
    if connection.vendor != "postgresql":
        pytest.skip("SET CONSTRAINTS is PostgreSQL's")
    with transaction.atomic():
        record = do_import_ledger_file(ledger([row(1)] * 1), source, users["finance"])
        # A row naming no activity that exists is refused at the commit, not at once, as
        # for any write after the import in the same transaction.
        kept = LedgerTransaction.objects.get(ledger_import=record)
        LedgerTransaction.objects.filter(pk=kept.pk).update(activity_id=999_999)
        with pytest.raises(IntegrityError), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


@pytest.mark.parametrize("refused", [False, True])
def test_batches_held_while_the_server_is_busy_land_once_or_not_at_all(
    objects2023, source, users, monkeypatch, refused
):
    """The server always busy: batches are held (HELD at a time) and go in one COPY; the held
    ones go at the end, or, for a refused file, never."""
    if connection.vendor != "postgresql":
        pytest.skip("the COPY writer is PostgreSQL's")
    from followup import ledger_writer

    monkeypatch.setattr(ledger_writer._Copier, "HELD", 4)
    monkeypatch.setattr(ledger_writer._Copier, "_busy", lambda self: True)
    rows = [row(n) for n in range(1, 41)]
    if refused:
        rows[-1] = row(40, period="2023-13")
        with pytest.raises(LedgerImportError):
            do_import_ledger_file(ledger(rows), source, users["finance"])
        assert not LedgerTransaction.objects.exists()
        return
    record = do_import_ledger_file(ledger(rows), source, users["finance"])
    assert record.rows_kept == 40
    assert sorted(LedgerTransaction.objects.values_list("line", flat=True)) == list(range(3, 43))
    assert differences() == []
