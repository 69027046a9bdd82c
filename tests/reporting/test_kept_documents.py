"""A generated document is kept in the file storage with its checksum and downloads from it."""

import hashlib

from django.core.files.storage import default_storage
from django.urls import reverse

from filestore.models import Purpose
from filestore.store import files_of
from reporting.models import GeneratedDocument


def test_a_generated_document_is_kept_and_served_from_the_storage(client_for, reported2023):
    url = reverse("reporting:generate", args=[reported2023.pk, "rekvisition"])
    response = client_for("officer").post(url, {"format": "pdf"})
    document = GeneratedDocument.objects.get()
    stored = files_of(document).get()
    assert stored.purpose == Purpose.DOCUMENT
    assert stored.checksum == document.checksum == hashlib.sha256(response.content).hexdigest()
    with default_storage.open(stored.file.name, "rb") as handle:
        assert handle.read() == response.content
    again = client_for("manager").get(reverse("reporting:stored", args=[document.pk]))
    assert again.content == response.content
    assert again["X-Content-SHA256"] == document.checksum
