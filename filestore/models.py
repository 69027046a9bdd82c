"""Files kept as they came or went: uploaded ledger and key-data files, generated documents.

The bytes are in Django's default storage (a folder, or S3-compatible object storage), the
row says what they belong to, who kept them, when, and their SHA-256. Knows nothing of the
domain: the owner is any model row (a generic relation), and the owner's app decides who may
download.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename


def shortened(filename: str, limit: int) -> str:
    """The name cut to `limit` characters, its extension kept."""
    if len(filename) <= limit:
        return filename
    stem, dot, extension = filename.rpartition(".")
    if not dot or len(extension) > 10:
        return filename[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


# Characters of the sender's name kept in the stored name: with the 33 of the unique prefix,
# even four-byte characters stay under the 255 bytes a file system allows a name.
STORED_NAME_CHARACTERS = 50


def storage_path(instance, filename):
    today = timezone.localdate()
    name = get_valid_filename(shortened(filename, STORED_NAME_CHARACTERS))
    return f"{instance.purpose}/{today:%Y/%m}/{uuid.uuid4().hex}-{name}"


class Purpose(models.TextChoices):
    LEDGER = "huvudbok", "Inläst huvudboksfil"
    KEY_DATA = "nyckeldata", "Inläst nyckeldatafil"
    DOCUMENT = "dokument", "Skapat dokument"


class StoredFile(models.Model):
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    purpose = models.CharField("slag", max_length=20, choices=Purpose.choices)
    file = models.FileField("fil", upload_to=storage_path, max_length=400)
    file_name = models.CharField("filnamn", max_length=255)
    size = models.PositiveBigIntegerField("storlek (byte)")
    checksum = models.CharField("kontrollsumma (SHA-256)", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("sparad", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner_type", "owner_id"])]
        verbose_name = "sparad fil"
        verbose_name_plural = "sparade filer"

    def __str__(self):
        return self.file_name
