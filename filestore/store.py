"""Keep a file, find an owner's files, read one back with its checksum verified; and the one
path an uploaded file takes into an import (`import_upload`)."""

import datetime
import hashlib
import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from common.limits import MB, LimitExceeded
from common.logs import log_refused_import
from common.refusals import Refused

from .models import Purpose, StoredFile, shortened

CHUNK = 1 << 20
FILE_NAME_LENGTH = StoredFile._meta.get_field("file_name").max_length
log = logging.getLogger("statsbidrag.files")


class ChecksumMismatch(Refused):
    """The stored bytes are not those that were kept."""


@dataclass
class PendingFile:
    """An upload already in the storage, waiting for the row it belongs to.

    Uploads are stored before they are read (the readers may close them), streamed in chunks,
    never whole in memory; `keep` records them once the import has its row, `discard` removes
    them when the import is refused. Use them through `upload_kept_with_rows`, which removes
    the file unless the rows that name it commit.
    """

    name: str
    file_name: str
    size: int
    checksum: str
    purpose: str
    stored: StoredFile | None = None

    def keep(self, owner, *, acting_user=None) -> StoredFile:
        self.stored = StoredFile.objects.create(
            owner_type=ContentType.objects.get_for_model(owner),
            owner_id=owner.pk,
            purpose=self.purpose,
            file=self.name,
            file_name=self.file_name,
            size=self.size,
            checksum=self.checksum,
            created_by=acting_user,
        )
        return self.stored

    def discard(self) -> None:
        default_storage.delete(self.name)


@contextmanager
def upload_kept_with_rows(upload, *, purpose):
    """Store an upload for the rows the block writes, all in one transaction.

    The block calls `.keep(owner)` once its rows are written; the file's row then commits with
    them. A block that raises, or ends without keeping the file, rolls back and removes the
    file. A worker that dies midway leaves a file that no row names (its transaction rolled
    back by the database): `manage.py sweep_files`, run before each backup, removes it.
    """
    pending = stash_upload(upload, purpose=purpose)
    try:
        with transaction.atomic():
            yield pending
    except BaseException:
        pending.discard()
        raise
    if pending.stored is None:
        pending.discard()


def check_upload_size(file_name: str, size: int | None, max_bytes: int, what: str) -> None:
    """Refuse a file over its kind's size limit before anything of it is read or stored;
    `what` names the kind in the message (e.g. "huvudboksfiler")."""
    if size is not None and size > max_bytes:
        raise LimitExceeded(
            f"”{file_name}” är {size / MB:.0f} MB; gränsen för {what} är {max_bytes // MB} MB."
        )


def import_upload(
    upload,
    run: Callable[..., object],
    *,
    purpose: str,
    kind: str,
    acting_user=None,
    request=None,
    max_bytes: int | None = None,
    what: str = "",
):
    """The one path an uploaded file takes into an import (page, management command, key
    data): its size checked against `max_bytes` (if given), the file stored while its SHA-256
    is computed (once), `run(checksum=…)` called to write the rows and return their owner, and
    the file kept with that owner in the same transaction. A refusal (`Refused`, from the size
    check or from `run`) removes the stored file, is logged as a refused import of `kind`
    (common.logs) and raised again for the caller to show."""
    try:
        if max_bytes is not None:
            check_upload_size(upload.name, upload.size, max_bytes, what)
        with upload_kept_with_rows(upload, purpose=purpose) as pending:
            owner = run(checksum=pending.checksum)
            pending.keep(owner, acting_user=acting_user)
    except Refused as refusal:
        file_name = shortened(upload.name, FILE_NAME_LENGTH)
        log_refused_import(request, kind, file_name, refusal.messages)
        raise
    return owner


def file_checksum(binary) -> str:
    """The SHA-256 of a file (read in chunks, rewound after): for a file not stored first."""
    digest = hashlib.sha256()
    binary.seek(0)
    while chunk := binary.read(CHUNK):
        digest.update(chunk)
    binary.seek(0)
    return digest.hexdigest()


def stash_upload(upload, *, purpose) -> PendingFile:
    """Store an uploaded file (streamed) and return it pending its owner; rewinds the upload."""
    digest = hashlib.sha256()
    upload.seek(0)
    size = 0
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    field = StoredFile._meta.get_field("file")
    name = default_storage.save(
        field.generate_filename(StoredFile(purpose=purpose), upload.name), upload
    )
    upload.seek(0)
    return PendingFile(
        name=name,
        file_name=shortened(upload.name, FILE_NAME_LENGTH),
        size=size,
        checksum=digest.hexdigest(),
        purpose=purpose,
    )


@transaction.atomic
def do_keep_file(
    content: bytes, *, file_name, owner, purpose, acting_user=None, checksum: str | None = None
) -> StoredFile:
    """Store `content` (bytes we made, e.g. a generated document) for `owner`. A caller that
    has already hashed the bytes (to record the checksum on its own row) passes `checksum`,
    so that they are hashed once."""
    stored = StoredFile(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        purpose=purpose,
        file_name=shortened(file_name, FILE_NAME_LENGTH),
        size=len(content),
        checksum=checksum or hashlib.sha256(content).hexdigest(),
        created_by=acting_user,
    )
    stored.file.save(file_name, ContentFile(content), save=False)
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


def file_response(stored: StoredFile, content_type: str | None = None) -> HttpResponse:
    """The kept file as a download, after checking that it is still what was kept."""
    try:
        data = read_verified(stored)
    except (ChecksumMismatch, FileNotFoundError, OSError) as error:
        log.error(
            "sparad fil saknas eller är ändrad",
            extra={
                "event": "file_damaged",
                "file": stored.file.name,
                "error": type(error).__name__,
            },
        )
        return HttpResponse(
            "Filen finns inte kvar som den sparades (kontrollsumman stämmer inte eller filen "
            "saknas). Kontakta den som förvaltar Statsbidrag; återställ den från säkerhetskopian.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, stored.file_name)
    response["X-Content-SHA256"] = stored.checksum
    return response


def kept_names() -> set[str]:
    return set(StoredFile.objects.values_list("file", flat=True).iterator())


def _files_under(folder: str):
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _files_under(f"{folder}/{sub}")


def sweep_unnamed_files(*, older_than: datetime.timedelta, dry_run=False) -> list[str]:
    """Remove the kept-file folders' files that no row names and that are older than
    `older_than` (an import still running has its file but not yet its committed row)."""
    named = kept_names()
    cutoff = timezone.now() - older_than
    removed = []
    for purpose in Purpose.values:
        for name in _files_under(purpose):
            if name in named or default_storage.get_modified_time(name) > cutoff:
                continue
            if not dry_run:
                default_storage.delete(name)
            removed.append(name)
    return removed
