"""Backup → drop → restore gives back the same data and files: on PostgreSQL the database is
really dropped (pg_dump custom format, pg_restore into a new database); on SQLite every table
is emptied and the backup copied back."""

import io
import json
import os
import shutil
import stat
import subprocess
import tarfile
import time
from importlib import import_module
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from filestore.models import Purpose, StoredFile
from filestore.store import do_keep_file, read_verified
from followup.demo import load_demo_ledger
from operations.backup import (
    BackupError,
    database_figures,
    make_backup,
    prune_backups,
    restore_backup,
    restore_drill,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_databases]


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
    return database_figures()


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


@pytest.fixture
def age_key(tmp_path):
    """A key pair as the region would make it: the public key for the server, the private
    key kept elsewhere."""
    key = tmp_path / "regionens-nyckel.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    public = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout.strip()
    return key, public


def keep_two_files(distribution2023, users):
    return [
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


def test_backup_drop_restore_gives_the_same_counts_sums_and_files(
    distribution2023, users, tmp_path, settings, age_key
):
    key, public = age_key
    settings.BACKUP_AGE_RECIPIENTS = [public]
    load_demo_ledger(distribution2023)
    kept = keep_two_files(distribution2023, users)
    # What must not be in an archive: a live session and the lockout log.
    session = SessionStore()
    session["_auth_user_id"] = str(users["admin"].pk)
    session.create()
    AccessAttempt.objects.create(
        username="admin", ip_address="192.0.2.1", user_agent="x", failures_since_start=3
    )
    before = snapshot()
    assert before["followup_ledgertransaction"]["rows"] > 500
    assert before["filestore_storedfile"]["rows"] == 2
    assert "django_session" not in before and "axes_accessattempt" not in before

    folder = tmp_path / "kopior"
    call_command("backup", output=folder, verbosity=0)
    (archive,) = folder.glob("statsbidrag-*.tar.age")
    # Readable by the service user only, and encrypted: no tar, no session key inside.
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    sealed = archive.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    assert session.session_key.encode() not in sealed
    plain = subprocess.run(
        ["age", "--decrypt", "-i", str(key), str(archive)], check=True, capture_output=True
    ).stdout
    assert session.session_key.encode() not in plain
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        names = tar.getnames()
        assert all(stat.S_IMODE(m.mode) == 0o600 for m in tar.getmembers())
    assert names[0].startswith("database.") and names[-1] == "manifest.json"
    assert len(names) == 4

    drop_everything()
    shutil.rmtree(default_storage.location)
    if connection.vendor == "sqlite":
        assert snapshot()["followup_ledgertransaction"]["rows"] == 0

    with pytest.raises(CommandError, match="--identity"):
        call_command("restore", str(archive), interactive=False, verbosity=0)
    call_command("restore", str(archive), identity=key, interactive=False, verbosity=0)

    connection.close()
    assert snapshot() == before
    assert not Session.objects.exists() and not AccessAttempt.objects.exists()
    assert [s.checksum for s in StoredFile.objects.order_by("pk")] == [k.checksum for k in kept]
    assert [read_verified(s) for s in StoredFile.objects.order_by("pk")] == [
        b"Verifikation;Belopp\n1;100\n",
        b"%PDF-1.7 ...",
    ]


def test_a_backup_without_the_regions_key_is_refused_in_production(tmp_path, settings, db):
    settings.BACKUP_AGE_RECIPIENTS = []
    settings.BACKUP_REQUIRE_ENCRYPTION = True
    with pytest.raises(CommandError, match="BACKUP_AGE_RECIPIENTS"):
        call_command("backup", output=tmp_path / "kopior", verbosity=0)
    assert not (tmp_path / "kopior").exists() or not list((tmp_path / "kopior").iterdir())


def test_the_restore_drill_prints_tables_rows_sums_and_files_of_a_scratch_database(
    distribution2023, users, tmp_path, settings, age_key, capsys
):
    key, public = age_key
    settings.BACKUP_AGE_RECIPIENTS = [public]
    load_demo_ledger(distribution2023)
    keep_two_files(distribution2023, users)
    before = snapshot()
    manifest = make_backup(tmp_path / "kopior")
    try:
        call_command("restore_drill", manifest["path"], identity=key)
    finally:
        if connection.vendor == "postgresql":
            drop_database(f"{connection.settings_dict['NAME']}_ovning")
    out = capsys.readouterr().out
    rows = sum(figure["rows"] for figure in before.values())
    assert f"Tabeller: {len(before)}, rader: {rows}, filer: 2 (" in out
    ledger = before["followup_ledgertransaction"]
    (line,) = [x for x in out.splitlines() if x.startswith("  followup_ledgertransaction:")]
    assert line.startswith(f"  followup_ledgertransaction: {ledger['rows']} rader; ")
    assert f"amount={ledger['sums']['amount']}" in line
    assert "Allt stämmer med säkerhetskopian." in out
    # The app's own database was not touched.
    assert snapshot() == before


def drop_database(name):
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_with_a_role_that_may_not_create_databases(
    distribution2023, users, tmp_path, settings, monkeypatch
):
    """The README's role (createuser statsbidrag: no CREATEDB, no superuser) restores into the
    empty database postgres made for it, and is told how when the database is gone."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    import psycopg

    settings.BACKUP_REQUIRE_ENCRYPTION = False
    keep_two_files(distribution2023, users)
    before = snapshot()
    archive = make_backup(tmp_path / "kopior", recipients=[])["path"]
    db = connection.settings_dict
    role, target = f"{db['NAME']}_tjanst", f"{db['NAME']}_tjanst_db"
    admin = psycopg.connect(
        dbname="postgres",
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        autocommit=True,
    )
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB NOSUPERUSER')
        monkeypatch.setitem(connection.settings_dict, "USER", role)
        with pytest.raises(BackupError, match=f"sudo -u postgres createdb --owner {role} {target}"):
            restore_drill(archive, database=target)
        admin.execute(f'CREATE DATABASE "{target}" OWNER "{role}"')
        result = restore_drill(archive, database=target)
        assert result["problems"] == [] and result["figures"] == before
        # Again into the same, now full, database (pg_restore --clean as its owner).
        assert restore_drill(archive, database=target)["figures"] == before
    finally:
        monkeypatch.undo()
        connection.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def hostile_archive(path, member: tarfile.TarInfo, data=b""):
    with tarfile.open(path, "w") as tar:
        tar.addfile(member, io.BytesIO(data) if member.isfile() else None)
        info = tarfile.TarInfo("manifest.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))


@pytest.mark.parametrize(
    "name, kind",
    [
        ("/etc/passwd", tarfile.REGTYPE),
        ("../../utanfor.txt", tarfile.REGTYPE),
        ("files/a/../../../x", tarfile.REGTYPE),
        ("files/lank", tarfile.SYMTYPE),
        ("files/hard", tarfile.LNKTYPE),
        ("files/mapp", tarfile.DIRTYPE),
        ("files/enhet", tarfile.CHRTYPE),
    ],
)
def test_restore_refuses_absolute_names_dotdot_links_and_devices(tmp_path, db, name, kind):
    member = tarfile.TarInfo(name)
    member.type = kind
    if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        member.linkname = "/etc/shadow"
    data = b"x" if kind == tarfile.REGTYPE else b""
    member.size = len(data)
    path = tmp_path / "fientlig.tar"
    hostile_archive(path, member, data)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(BackupError, match="vanlig fil med ett relativt namn"):
        restore_backup(path)
    assert sorted(os.listdir(tmp_path)) == before
    assert not (tmp_path.parent / "utanfor.txt").exists()


def test_retention_removes_archives_older_than_the_setting_but_never_the_newest(tmp_path):
    now = time.time()
    ages = {"statsbidrag-1.tar.age": 40, "statsbidrag-2.tar.age": 36, "statsbidrag-3.tar": 34}
    for name, days in ages.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (now - days * 86400, now - days * 86400))
    (tmp_path / "annat.tar").write_bytes(b"x")
    os.utime(tmp_path / "annat.tar", (now - 99 * 86400, now - 99 * 86400))
    assert prune_backups(tmp_path, 0, now=now) == []
    removed = prune_backups(tmp_path, 35, now=now)
    assert sorted(p.name for p in removed) == ["statsbidrag-1.tar.age", "statsbidrag-2.tar.age"]
    assert sorted(os.listdir(tmp_path)) == ["annat.tar", "statsbidrag-3.tar"]
    # Only old archives left: the newest stays whatever its age.
    assert prune_backups(tmp_path, 1, now=now + 99 * 86400) == []


def test_make_backup_and_restore_install_nothing_and_write_nothing_into_the_code():
    """On a server `make backup` / `make restore` use the installed venv as it is."""
    for target in (["backup"], ["restore", "FILE=x.tar"]):
        plan = subprocess.run(
            ["make", "-n", *target],
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "pip install" not in plan and "-m venv" not in plan and ".installed" not in plan
        assert "PYTHONDONTWRITEBYTECODE=1" in plan


def test_restore_refuses_what_is_not_a_backup(tmp_path, db):
    not_a_backup = tmp_path / "x.tar"
    import tarfile

    with tarfile.open(not_a_backup, "w"):
        pass
    with pytest.raises(CommandError, match="ingen säkerhetskopia"):
        call_command("restore", str(not_a_backup), interactive=False)
    not_a_backup.write_bytes(b"inte en tar-fil")
    with pytest.raises(CommandError, match="ingen säkerhetskopia"):
        call_command("restore", str(not_a_backup), interactive=False)
    with pytest.raises(CommandError, match="finns inte"):
        call_command("restore", str(tmp_path / "saknas.tar"), interactive=False)


def test_a_file_kept_while_the_dump_runs_is_neither_listed_nor_counted(
    distribution2023, users, tmp_path, settings, monkeypatch
):
    """The file list and the figures come from the dump's own snapshot: a file kept by another
    connection while pg_dump runs is in none of them, so no archived file lacks its row."""
    import threading

    if connection.vendor != "postgresql":
        # The test database of SQLite is shared in-memory, where threads see uncommitted rows;
        # a file database holds its read lock for the transaction. PostgreSQL is production.
        pytest.skip("PostgreSQL only")

    from operations import backup

    settings.BACKUP_REQUIRE_ENCRYPTION = False
    keep_two_files(distribution2023, users)
    dump = backup._dump_database

    def dump_while_someone_keeps_a_file(*args, **kwargs):
        dump(*args, **kwargs)

        def keep():
            do_keep_file(
                b"sent", file_name="sen.pdf", owner=distribution2023, purpose=Purpose.DOCUMENT
            )
            connection.close()

        worker = threading.Thread(target=keep)
        worker.start()
        worker.join()

    monkeypatch.setattr(backup, "_dump_database", dump_while_someone_keeps_a_file)
    manifest = make_backup(tmp_path / "kopior", recipients=[])
    assert StoredFile.objects.count() == 3
    assert len(manifest["files"]) == 2
    assert manifest["figures"]["filestore_storedfile"]["rows"] == 2
    assert "sen.pdf" not in " ".join(entry["name"] for entry in manifest["files"])


def test_an_archive_of_0_1_0_without_figures_still_restores(distribution2023, users, tmp_path):
    """Format 1 (before 0.2.0) had no figures; a restore takes it, checking files as before."""
    keep_two_files(distribution2023, users)
    before = snapshot()
    path = Path(make_backup(tmp_path / "ny.tar", recipients=[])["path"])
    old = tmp_path / "gammal.tar"
    with tarfile.open(path) as new, tarfile.open(old, "w") as tar:
        for member in new.getmembers():
            data = new.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["format"] = 1
                del manifest["figures"], manifest["excluded_tables"], manifest["encrypted"]
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    drop_everything()
    call_command("restore", str(old), interactive=False, verbosity=0)
    connection.close()
    assert snapshot() == before
