"""A generated document, and its signed copy, are also kept in the file storage (with their
checksum), like every uploaded file."""

from filestore.models import Purpose
from filestore.store import do_keep_file


def keep_document(owner, *, acting_user=None):
    """`owner`: a GeneratedDocument or a SignedCopy; both hold `content` and `file_name`."""
    return do_keep_file(
        bytes(owner.content),
        file_name=owner.file_name,
        owner=owner,
        purpose=Purpose.DOCUMENT,
        acting_user=acting_user,
    )
