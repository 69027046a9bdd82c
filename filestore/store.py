"""Keep a file, find an owner's files, read one back with its checksum verified."""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import FileResponse

from .models import StoredFile

CHUNK = 1 << 20


class ChecksumMismatch(Exception):
    """The stored bytes are not those that were kept."""


def _bytes_of(content) -> bytes:
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    if hasattr(content, "seek"):
        content.seek(0)
    if hasattr(content, "chunks"):
        return b"".join(content.chunks())
    return content.read()


@transaction.atomic
def do_keep_file(content, *, file_name, owner, purpose, acting_user=None) -> StoredFile:
    """Store `content` (bytes or an uploaded file, read from its start) for `owner`."""
    data = _bytes_of(content)
    stored = StoredFile(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        purpose=purpose,
        file_name=file_name,
        size=len(data),
        checksum=hashlib.sha256(data).hexdigest(),
        created_by=acting_user,
    )
    stored.file.save(file_name, ContentFile(data), save=False)
    stored.save()
    return stored


def files_of(owner):
    return StoredFile.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
    )


def latest_file_of(owner) -> StoredFile | None:
    return files_of(owner).first()


def read_verified(stored: StoredFile) -> bytes:
    with stored.file.open("rb") as handle:
        data = b"".join(iter(lambda: handle.read(CHUNK), b""))
    if hashlib.sha256(data).hexdigest() != stored.checksum:
        raise ChecksumMismatch(stored.file.name)
    return data


def file_response(stored: StoredFile, content_type: str | None = None) -> FileResponse:
    """The kept file as a download, after checking that it is still what was kept."""
    data = read_verified(stored)
    response = FileResponse(
        File(ContentFile(data)),
        as_attachment=True,
        filename=stored.file_name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-SHA256"] = stored.checksum
    return response
