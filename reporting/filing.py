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
