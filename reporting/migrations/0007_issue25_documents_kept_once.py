"""A generated document and a signed copy are kept once, in the file store: the bytes still
held in the database (documents kept before the file store existed) move into it, with the
row's checksum, and the database column goes."""

import hashlib

from django.core.files.base import ContentFile
from django.db import migrations


def move_into_the_file_store(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StoredFile = apps.get_model("filestore", "StoredFile")
    for name in ("GeneratedDocument", "SignedCopy"):
        model = apps.get_model("reporting", name)
        owner_type, _ = ContentType.objects.get_or_create(
            app_label="reporting", model=name.lower()
        )
        kept = set(
            StoredFile.objects.filter(owner_type=owner_type).values_list("owner_id", flat=True)
        )
        for row in model.objects.exclude(pk__in=kept).iterator():
            content = bytes(row.content)
            stored = StoredFile(
                owner_type=owner_type,
                owner_id=row.pk,
                purpose="dokument",
                file_name=row.file_name[:255],
                size=len(content),
                checksum=row.checksum or hashlib.sha256(content).hexdigest(),
                created_by_id=getattr(row, "created_by_id", None)
                or getattr(row, "uploaded_by_id", None),
            )
            stored.file.save(row.file_name, ContentFile(content), save=False)
            stored.save()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("filestore", "0001_initial"),
        ("reporting", "0006_issue20c_vfu_requirements_summary_areas"),
    ]

    operations = [
        migrations.RunPython(move_into_the_file_store, migrations.RunPython.noop),
        migrations.RemoveField(model_name="generateddocument", name="content"),
        migrations.RemoveField(model_name="signedcopy", name="content"),
    ]
