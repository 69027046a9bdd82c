"""Nothing half-stored: an import killed midway (SIGKILL, as gunicorn kills a worker) leaves
neither a row nor, after `sweep_files`, a file (PostgreSQL).

The import runs as a real `manage.py import_ledger` process. To kill it at a known point the
test holds a lock on the kept files' table: the import stores its upload, writes its rows and
then waits to add the file's row; once PostgreSQL shows it waiting there, it is killed. No
hook in the code and no timing: the test waits for the state, never for a time."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, connections

from filestore.models import StoredFile
from filestore.store import sweep_unnamed_files
from followup.models import LedgerImport, LedgerTransaction

from .conftest import HEADER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL (en andra process och tabellås); körs i .ci/run")


def stored_files():
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def child_environment():
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "FILES_ROOT": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
        "DEBUG": "1",
        "STATSBIDRAG_ENV_FILE": "/dev/null",
    }


def wait_until(condition, what, child, limit=120):
    """Poll for a state (not a time): fail with the child's output if it ends first."""
    deadline = time.monotonic() + limit
    while not condition():
        if child.poll() is not None:
            out, err = child.communicate()
            pytest.fail(f"the import ended before {what}: {out}\n{err}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"never reached: {what}")
        time.sleep(0.05)


def test_an_import_killed_midway_leaves_neither_rows_nor_a_file(objects2023, source, tmp_path):
    rows = [f"V{n};2023-03-10;5410;1;9916;;Mars;202303;{n},00" for n in range(1, 2001)]
    ledger = tmp_path / "huvudbok mars.csv"
    ledger.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252"))

    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        # Readers pass; the import's INSERT of the file's row waits here.
        cursor.execute(f"LOCK TABLE {StoredFile._meta.db_table} IN SHARE MODE")
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_ledger", str(ledger), "--source", source.name],
        cwd=settings.BASE_DIR,
        env=child_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def waiting_on_the_lock():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE %s",
                    [f"%INSERT INTO%{StoredFile._meta.db_table}%"],
                )
                return cursor.fetchone()[0] == 1

        wait_until(waiting_on_the_lock, "the import waits to record its file", child)
        # Midway: the upload is in the storage, the rows are written but not committed.
        assert len(stored_files()) == 1
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
        blocker.rollback()
        blocker.close()
    assert child.returncode == -signal.SIGKILL

    assert not LedgerImport.objects.exists()
    assert not LedgerTransaction.objects.exists()
    assert not StoredFile.objects.exists()
    (orphan,) = stored_files()  # the worker died before it could remove its upload

    # A sweep leaves a file younger than the grace period (an import may still be running) ...
    call_command("sweep_files")
    assert stored_files() == [orphan]
    # ... and removes it once older.
    name = str(orphan.relative_to(settings.STORAGES["default"]["OPTIONS"]["location"]))
    assert default_storage.exists(name)
    old = time.time() - (settings.SWEEP_FILES_AFTER_HOURS + 1) * 3600
    os.utime(orphan, (old, old))
    call_command("sweep_files")
    assert stored_files() == []


def test_the_sweep_keeps_every_file_a_row_names(objects2023, source, tmp_path):
    ledger = tmp_path / "huvudbok.csv"
    ledger.write_bytes(
        (HEADER + "\r\nV1;2023-03-10;5410;1;9916;;Mars;202303;100,00\r\n").encode("cp1252")
    )
    call_command("import_ledger", str(ledger), "--source", source.name)
    (kept,) = stored_files()
    assert StoredFile.objects.get().file.name == str(
        kept.relative_to(settings.STORAGES["default"]["OPTIONS"]["location"])
    )
    old = time.time() - 30 * 24 * 3600
    os.utime(kept, (old, old))
    assert sweep_unnamed_files(older_than=datetime.timedelta(hours=1)) == []
    assert stored_files() == [kept]
