"""Every imported ledger file is kept as it came, with its checksum, and can be downloaded
again by those who see the imports; a refused file is logged and not kept."""

import hashlib
import logging

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filestore.models import Purpose, StoredFile
from filestore.store import files_of
from followup.models import LedgerImport

from .test_ledger_import import csv_bytes

pytestmark = pytest.mark.both_databases  # the writer is COPY on PostgreSQL


def all_files(folder=""):
    if folder == "" and not default_storage.exists("."):
        return []
    folders, files = default_storage.listdir(folder or ".")
    found = [f"{folder}/{name}".lstrip("/") for name in files]
    for sub in folders:
        found += all_files(f"{folder}/{sub}".lstrip("/"))
    return found


def test_the_uploaded_file_is_kept_and_downloads_again(client_for, year2023, source):
    content = csv_bytes()
    response = client_for("finance").post(
        reverse("followup:upload"),
        {"source": source.pk, "file": SimpleUploadedFile("huvudbok mars.csv", content)},
    )
    assert response.status_code == 302
    record = LedgerImport.objects.get()
    stored = files_of(record).get()
    assert stored.purpose == Purpose.LEDGER
    assert stored.checksum == hashlib.sha256(content).hexdigest() == record.checksum
    assert stored.size == len(content)
    assert stored.created_by.username == "ekonom"
    with default_storage.open(stored.file.name, "rb") as handle:
        assert handle.read() == content
    assert all_files() == [stored.file.name]

    page = client_for("manager").get(reverse("followup:imports")).content.decode()
    url = reverse("followup:import_file", args=[record.pk])
    assert f'href="{url}"' in page
    for who in ("finance", "manager", "officer"):
        download = client_for(who).get(url)
        assert download.status_code == 200
        assert download.content == content
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-SHA256"] == stored.checksum
    assert client_for("norole").get(url).status_code == 403


def test_a_refused_file_is_logged_and_not_kept(client_for, year2023, source, caplog):
    caplog.set_level(logging.WARNING, logger="statsbidrag")
    bad = csv_bytes(["V1;2023-03-10;5410;1;9916;;x;202303;tolv"])
    response = client_for("finance").post(
        reverse("followup:upload"), {"source": source.pk, "file": SimpleUploadedFile("h.csv", bad)}
    )
    assert response.status_code == 400
    assert not StoredFile.objects.exists()
    assert all_files() == []  # stored before reading, removed when refused
    refused = [r for r in caplog.records if getattr(r, "event", "") == "import_refused"]
    assert len(refused) == 1
    assert refused[0].user == "ekonom" and refused[0].file == "h.csv"
    assert "tolv" in refused[0].first_problems


def test_a_changed_file_is_not_served(client_for, year2023, source):
    client = client_for("finance")
    client.post(
        reverse("followup:upload"),
        {"source": source.pk, "file": SimpleUploadedFile("h.csv", csv_bytes())},
    )
    stored = StoredFile.objects.get()
    path = default_storage.path(stored.file.name)
    with open(path, "ab") as handle:
        handle.write(b"V9;2023-03-10;5410;1;9916;;x;202303;1000000\n")
    response = client.get(reverse("followup:import_file", args=[stored.owner_id]))
    assert response.status_code == 503
    assert "kontrollsumman stämmer inte" in response.content.decode()


def test_the_import_command_keeps_the_file_too(year2023, source, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "huvudbok.csv"
    path.write_bytes(csv_bytes())
    call_command("import_ledger", str(path), "--source", "Raindance")
    stored = files_of(LedgerImport.objects.get()).get()
    assert stored.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stored.created_by is None
    bad = tmp_path / "trasig.csv"
    bad.write_bytes(csv_bytes(["V1;2023-03-10;5410;1;9916;;x;202303;tolv"]))
    try:
        call_command("import_ledger", str(bad), "--source", "Raindance")
    except CommandError:
        pass
    else:
        raise AssertionError("a bad file must be refused")
    assert StoredFile.objects.count() == 1
    assert all_files() == [stored.file.name]
