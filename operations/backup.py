"""Backups that restore: the database and the kept files together in one tar archive.

PostgreSQL is dumped with pg_dump in its custom format and restored with pg_restore; SQLite
with its online backup API. The kept files are read through Django's storage API (a folder or
S3), each checked against its recorded SHA-256 on the way out and written back on the way in.
A manifest names the database engine, the migrations and every file with its checksum.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from filestore.models import StoredFile

FORMAT_VERSION = 1
DB_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """Backup or restore could not be done; the message says why, in Swedish."""


def _engine(alias="default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"Säkerhetskopiering stöds för PostgreSQL och SQLite, inte {vendor}.")
    return vendor


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} misslyckades: {result.stderr.strip()[:2000]}")
    return result


def _dump_database(engine: str, target: Path, alias="default") -> None:
    connection = connections[alias]
    if engine == "postgresql":
        db = connection.settings_dict
        args, env = _pg_args(db)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *args,
                "-f",
                str(target),
                db["NAME"],
            ],
            env,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()


def _applied_migrations(alias="default") -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def make_backup(output: Path) -> dict:
    """Write the archive to `output` (a file, or a folder to put a dated file in); return
    the manifest. Refuses, naming the file, when a kept file is not what was recorded."""
    engine = _engine()
    output = Path(output)
    if output.is_dir() or not output.suffix:
        output.mkdir(parents=True, exist_ok=True)
        output = output / f"statsbidrag-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
    files = []
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DB_MEMBER[engine]
        _dump_database(engine, dump)
        partial = output.with_name(output.name + ".tmp")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=DB_MEMBER[engine])
            for stored in StoredFile.objects.order_by("pk").iterator():
                with default_storage.open(stored.file.name, "rb") as handle:
                    data = handle.read()
                if hashlib.sha256(data).hexdigest() != stored.checksum:
                    raise BackupError(
                        f"Den sparade filen {stored.file.name} stämmer inte med sin "
                        "kontrollsumma; ingen säkerhetskopia skrevs."
                    )
                _add_bytes(archive, f"files/{stored.file.name}", data)
                files.append({"name": stored.file.name, "sha256": stored.checksum})
            manifest = {
                "format": FORMAT_VERSION,
                "created": timezone.now().isoformat(),
                "engine": engine,
                "database": DB_MEMBER[engine],
                "migrations": _applied_migrations(),
                "files": files,
                "path": str(output),
            }
            _add_bytes(
                archive,
                "manifest.json",
                json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"),
            )
        partial.replace(output)
    return manifest


def _restore_postgresql(dump: Path, alias="default") -> None:
    connection = connections[alias]
    db = connection.settings_dict
    connection.close()
    args, env = _pg_args(db)
    name = db["NAME"]
    maintenance = db.get("OPTIONS", {}).get("maintenance_db", "postgres")
    exists = _run(
        [
            "psql",
            *args,
            "-d",
            maintenance,
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name.replace(chr(39), chr(39) * 2)}'",
        ],
        env,
    ).stdout.strip()
    if exists != "1":
        _run(["createdb", *args, "--maintenance-db", maintenance, name], env)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "-d",
            name,
            str(dump),
        ],
        env,
    )


def _restore_sqlite(dump: Path, alias="default") -> None:
    connection = connections[alias]
    connection.ensure_connection()
    with sqlite3.connect(dump) as source:
        source.backup(connection.connection)
    source.close()


def restore_backup(archive_path: Path) -> dict:
    """Put the database and the kept files back as they were in the archive."""
    engine = _engine()
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"Filen {archive_path} finns inte.")
    with tarfile.open(archive_path, "r") as archive, tempfile.TemporaryDirectory() as scratch:
        try:
            manifest = json.load(archive.extractfile("manifest.json"))
        except KeyError as exc:
            raise BackupError(f"{archive_path} är ingen säkerhetskopia från Statsbidrag.") from exc
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError("Säkerhetskopian har ett okänt format.")
        if manifest["engine"] != engine:
            raise BackupError(
                f"Säkerhetskopian är från {manifest['engine']}, databasen här är {engine}."
            )
        # Check every file before anything is changed.
        contents = {}
        for entry in manifest["files"]:
            data = archive.extractfile(f"files/{entry['name']}").read()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise BackupError(f"Filen {entry['name']} i säkerhetskopian är skadad.")
            contents[entry["name"]] = data
        archive.extract(manifest["database"], scratch, filter="data")
        dump = Path(scratch) / manifest["database"]
        if engine == "postgresql":
            _restore_postgresql(dump)
        else:
            _restore_sqlite(dump)
    for name, data in contents.items():
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            raise BackupError(f"Filen {name} kunde inte återställas under sitt namn ({saved}).")
    return manifest


def backup_dir() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups"))
