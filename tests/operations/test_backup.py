"""Backup → drop → restore gives back the same data and files: on PostgreSQL the database is
really dropped (pg_dump custom format, pg_restore into a new database); on SQLite every table
is emptied and the backup copied back."""

import shutil
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.apps import apps as django_apps
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, models

from filestore.models import Purpose, StoredFile
from filestore.store import do_keep_file, read_verified
from followup.demo import load_demo_ledger

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data(request):
    # A transactional test starts from the flushed database: put the migration's data back.
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        import_module("grants.migrations.0002_regions_and_roles").add_reference_data(
            django_apps, None
        )


def snapshot():
    """Rows per table and the sum of every number column: what must survive."""
    figures = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        queryset = model._base_manager.all()
        figures[model._meta.label] = queryset.count()
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DecimalField | models.IntegerField) and not (
                field.primary_key or field.is_relation
            ):
                total = queryset.aggregate(total=models.Sum(field.name))["total"]
                figures[f"{model._meta.label}.{field.name}"] = total or Decimal("0")
    return figures


def drop_everything():
    if connection.vendor == "postgresql":
        import psycopg

        db = connection.settings_dict
        connection.close()
        with psycopg.connect(
            dbname="postgres",
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE "{db["NAME"]}" WITH (FORCE)')
            exists = admin.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", [db["NAME"]]
            ).fetchone()[0]
        assert exists == 0
    else:
        call_command("flush", interactive=False, verbosity=0)


def test_backup_drop_restore_gives_the_same_counts_sums_and_files(
    distribution2023, users, tmp_path, settings
):
    load_demo_ledger(distribution2023)
    kept = [
        do_keep_file(
            b"Verifikation;Belopp\n1;100\n",
            file_name="huvudbok.csv",
            owner=distribution2023,
            purpose=Purpose.LEDGER,
            acting_user=users["finance"],
        ),
        do_keep_file(
            b"%PDF-1.7 ...",
            file_name="rekvisition.pdf",
            owner=distribution2023,
            purpose=Purpose.DOCUMENT,
        ),
    ]
    before = snapshot()
    assert before["followup.LedgerTransaction"] > 500
    assert before["filestore.StoredFile"] == 2

    call_command("backup", output=tmp_path / "kopior", verbosity=0)
    (archive,) = (tmp_path / "kopior").glob("statsbidrag-*.tar")

    drop_everything()
    shutil.rmtree(default_storage.location)
    if connection.vendor == "sqlite":
        assert snapshot()["followup.LedgerTransaction"] == 0

    call_command("restore", str(archive), interactive=False, verbosity=0)

    connection.close()
    assert snapshot() == before
    assert [s.checksum for s in StoredFile.objects.order_by("pk")] == [k.checksum for k in kept]
    assert [read_verified(s) for s in StoredFile.objects.order_by("pk")] == [
        b"Verifikation;Belopp\n1;100\n",
        b"%PDF-1.7 ...",
    ]


def test_restore_refuses_what_is_not_a_backup(tmp_path, db):
    not_a_backup = tmp_path / "x.tar"
    import tarfile

    with tarfile.open(not_a_backup, "w"):
        pass
    with pytest.raises(CommandError, match="ingen säkerhetskopia"):
        call_command("restore", str(not_a_backup), interactive=False)
    with pytest.raises(CommandError, match="finns inte"):
        call_command("restore", str(tmp_path / "saknas.tar"), interactive=False)
