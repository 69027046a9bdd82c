"""An upload is kept only with the rows that name it: a block that fails or keeps nothing
removes the file and its row; the sweep removes old files no row names, never a named one."""

import datetime
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from filestore.models import Purpose, StoredFile
from filestore.store import sweep_unnamed_files, upload_kept_with_rows
from grants.models import Region


def stored_files():
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def age(path: Path, hours: float):
    old = time.time() - hours * 3600
    os.utime(path, (old, old))


def test_a_kept_upload_commits_with_its_rows(db, users):
    owner = Region.objects.first()
    with upload_kept_with_rows(
        SimpleUploadedFile("a.csv", b"1;2\n"), purpose=Purpose.KEY_DATA
    ) as kept:
        kept.keep(owner, acting_user=users["officer"])
    stored = StoredFile.objects.get()
    assert stored.file_name == "a.csv" and stored.created_by == users["officer"]
    (path,) = stored_files()
    age(path, 1000)
    assert sweep_unnamed_files(older_than=datetime.timedelta(hours=1)) == []
    assert stored_files() == [path]


def test_a_failing_block_leaves_neither_row_nor_file(db):
    owner = Region.objects.first()
    with pytest.raises(RuntimeError):
        with upload_kept_with_rows(
            SimpleUploadedFile("a.csv", b"x"), purpose=Purpose.LEDGER
        ) as kept:
            kept.keep(owner)
            Region.objects.filter(pk=owner.pk).update(name="Ändrad")
            raise RuntimeError("the import failed after its rows")
    assert not StoredFile.objects.exists()
    assert Region.objects.get(pk=owner.pk).name != "Ändrad"
    assert stored_files() == []


def test_a_block_that_keeps_nothing_removes_the_file(db):
    with upload_kept_with_rows(SimpleUploadedFile("a.csv", b"x"), purpose=Purpose.LEDGER):
        assert len(stored_files()) == 1  # stored while the rows are written
    assert stored_files() == []


def test_the_sweep_removes_old_files_no_row_names(db):
    folder = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "huvudbok" / "2026" / "12"
    folder.mkdir(parents=True)
    orphan, fresh = folder / "gammal.csv", folder / "ny.csv"
    orphan.write_bytes(b"x")
    fresh.write_bytes(b"x")
    age(orphan, settings.SWEEP_FILES_AFTER_HOURS + 1)
    call_command("sweep_files", "--dry-run")
    assert stored_files() == sorted([orphan, fresh])
    call_command("sweep_files")
    assert stored_files() == [fresh]
