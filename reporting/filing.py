"""A generated document is also kept in the file storage, like every uploaded file."""

from filestore.models import Purpose
from filestore.store import do_keep_file


def keep_document(document, *, acting_user=None):
    return do_keep_file(
        bytes(document.content),
        file_name=document.file_name,
        owner=document,
        purpose=Purpose.DOCUMENT,
        acting_user=acting_user,
    )


def keep_signed_copy(copy, *, acting_user=None):
    """The signed copy (scanned or e-signed PDF) in the file storage too, with its checksum."""
    return do_keep_file(
        bytes(copy.content),
        file_name=copy.file_name,
        owner=copy,
        purpose=Purpose.DOCUMENT,
        acting_user=acting_user,
    )
