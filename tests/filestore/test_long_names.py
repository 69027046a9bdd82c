"""A file sent with a name as long as a browser allows is kept under a shortened name (was
"File name too long" from the file system: a 500 on every upload page)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filestore.models import Purpose, StoredFile, shortened
from filestore.store import stash_upload

LONG = "å" * 251 + ".csv"  # 255 characters, 507 bytes


def test_shortened_keeps_the_extension():
    assert shortened("kort.csv", 50) == "kort.csv"
    assert shortened("x" * 80 + ".xlsx", 50) == "x" * 45 + ".xlsx"
    assert shortened("x" * 80, 50) == "x" * 50


def test_a_long_name_is_stored_short_and_kept_as_sent(db):
    pending = stash_upload(SimpleUploadedFile(LONG, b"Konto;Belopp\n"), purpose=Purpose.LEDGER)
    stored_name = pending.name.rsplit("/", 1)[1]
    assert len(stored_name.encode()) <= 255 and stored_name.endswith(".csv")
    assert pending.file_name == LONG
    pending.discard()


def test_the_ledger_upload_page_answers_a_long_name(client_for, gnv2023):
    response = client_for("finance").post(
        reverse("followup:upload"),
        {"file": SimpleUploadedFile(LONG, b"inte en huvudbok"), "source": ""},
    )
    assert response.status_code < 500
    assert not StoredFile.objects.exists()
