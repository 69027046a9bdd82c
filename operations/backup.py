"""Backups that restore and are safe to keep: the database and the kept files in one archive.

PostgreSQL is dumped with pg_dump in its custom format and restored with pg_restore; SQLite
with its online backup API. The file list, and the figures a restore is checked against (rows
and number sums per table), are read in the same snapshot as the dump (pg_dump --snapshot of a
REPEATABLE READ transaction), so the archive holds a file for every row and no file without
one. The kept files are read through Django's storage API (a folder or S3), each checked
against its recorded SHA-256 on the way out and on the way in.

What is not kept: sessions (a session key opens the app) and the lockout logs (axes_*); their
tables come back empty. The archive is encrypted for the region's `age` recipients
(BACKUP_AGE_RECIPIENTS) and readable by the service user only (0600 in a 0700 folder).
Restoring reads the tar members by hand (no tarfile `filter=`, which Debian 12's Python 3.11.2
lacks): only regular files with plain relative names are accepted.
"""

import fnmatch
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from common.refusals import Refused
from filestore.models import StoredFile

FORMAT_VERSION = 2
# Format 1 (0.1.0) has no figures to check against; its archives still restore.
READABLE_FORMATS = (1, 2)
DB_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# Tables whose rows never go into an archive (their structure does): sign-in secrets and
# personal traces that a restore does not need.
EXCLUDED_TABLES = ("django_session", "axes_*")
ARCHIVE_PATTERNS = ("statsbidrag-*.tar", "statsbidrag-*.tar.age")


class BackupError(Refused):
    """Backup or restore could not be done; the message says why, in Swedish."""


def excluded(table: str) -> bool:
    return any(fnmatch.fnmatchcase(table, pattern) for pattern in EXCLUDED_TABLES)


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


def _run(command, env=None, **kwargs):
    result = subprocess.run(command, env=env, capture_output=True, **kwargs)
    if result.returncode != 0:
        error = result.stderr.decode(errors="replace") if isinstance(result.stderr, bytes) else ""
        raise BackupError(
            f"{command[0]} misslyckades: {(error or str(result.stderr)).strip()[:2000]}"
        )
    return result


# --- What must survive: rows and number sums per table ----------------------------------------


def _kept_models():
    for model in apps.get_models():
        if not (model._meta.proxy or not model._meta.managed or excluded(model._meta.db_table)):
            yield model


def _figures(cursor, vendor: str) -> dict:
    """Rows per table and the sum of every number column, read with plain SQL through
    `cursor` (so the restore drill can read a scratch database the same way)."""
    figures = {}
    for model in _kept_models():
        quote = connections["default"].ops.quote_name
        table = quote(model._meta.db_table)
        numbers = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.DecimalField | models.IntegerField)
            and not (field.primary_key or field.is_relation)
        ]
        if vendor == "postgresql" or not numbers:
            sums = "".join(f", SUM({quote(f.column)})" for f in numbers)
            cursor.execute(f"SELECT COUNT(*){sums} FROM {table}")
            rows, *totals = cursor.fetchone()
        else:
            # SQLite sums decimals as floats: add them up exactly here instead.
            cursor.execute(f"SELECT {', '.join(quote(f.column) for f in numbers)} FROM {table}")
            values = cursor.fetchall()
            rows = len(values)
            totals = [
                sum((Decimal(str(v[i])) for v in values if v[i] is not None), Decimal("0"))
                for i in range(len(numbers))
            ]
        figures[model._meta.db_table] = {
            "rows": rows,
            "sums": {
                f.name: str(t if t is not None else 0) for f, t in zip(numbers, totals, strict=True)
            },
        }
    return dict(sorted(figures.items()))


def database_figures(alias="default") -> dict:
    """Rows per table and the sum of every number column, for every table an archive keeps."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return _figures(cursor, connection.vendor)


def figure_differences(expected: dict, found: dict) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            problems.append(f"{table}: väntat {expected.get(table)}, fick {found.get(table)}")
    return problems


# --- Backup ----------------------------------------------------------------------------------


@contextmanager
def _snapshot(engine: str, alias="default"):
    """A read-only transaction whose view the dump, the file list and the figures share.
    PostgreSQL: REPEATABLE READ with an exported snapshot for pg_dump; SQLite: one read
    transaction (the online backup copies that same state)."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("Säkerhetskopian måste tas utanför en pågående transaktion.")
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            if engine == "postgresql":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                yield cursor.fetchone()[0]
            else:
                cursor.execute("SELECT count(*) FROM django_migrations")
                yield None


def _dump_database(engine: str, target: Path, snapshot, alias="default") -> None:
    connection = connections[alias]
    if engine == "postgresql":
        db = connection.settings_dict
        args, env = _pg_args(db)
        excludes = [f"--exclude-table-data={pattern}" for pattern in EXCLUDED_TABLES]
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                *excludes,
                *args,
                "-f",
                str(target),
                db["NAME"],
            ],
            env,
        )
    else:
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
            tables = [
                r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for table in filter(excluded, tables):
                copy.execute(f'DELETE FROM "{table}"')
        copy.execute("VACUUM")
        copy.close()


def _applied_migrations(alias="default") -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _age_arguments(recipients: list[str]) -> list[str]:
    """`age -r KEY` for a public key, `-R FILE` for a file of them (one per line)."""
    arguments = []
    for recipient in recipients:
        recipient = recipient.strip()
        if recipient.startswith(("age1", "ssh-")):
            arguments += ["-r", recipient]
        elif recipient:
            if not Path(recipient).is_file():
                raise BackupError(f"Mottagarfilen {recipient} (BACKUP_AGE_RECIPIENTS) finns inte.")
            arguments += ["-R", recipient]
    return arguments


def private_folder(folder: Path) -> Path:
    """The backup folder, made or narrowed to the service user only (0700)."""
    folder.mkdir(parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def make_backup(output: Path, *, recipients: list[str] | None = None) -> dict:
    """Write the archive to `output` (a file, or a folder to put a dated file in); return
    the manifest. Refuses, naming the file, when a kept file is not what was recorded."""
    engine = _engine()
    if recipients is None:
        recipients = list(settings.BACKUP_AGE_RECIPIENTS)
    if not recipients and settings.BACKUP_REQUIRE_ENCRYPTION:
        raise BackupError(
            "Ingen mottagare för krypteringen: sätt BACKUP_AGE_RECIPIENTS till regionens "
            "publika age-nyckel (se README, Säkerhetskopior). Ingen säkerhetskopia skrevs."
        )
    age = _age_arguments(recipients)
    output = Path(output)
    suffix = ".tar.age" if age else ".tar"
    if output.is_dir() or not output.suffix:
        output = (
            private_folder(output) / f"statsbidrag-{timezone.localtime():%Y%m%d-%H%M%S}{suffix}"
        )
    else:
        private_folder(output.parent)
    old_umask = os.umask(0o077)
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".statsbidrag-") as scratch:
            dump = Path(scratch) / DB_MEMBER[engine]
            with _snapshot(engine) as snapshot:
                _dump_database(engine, dump, snapshot)
                rows = list(StoredFile.objects.order_by("pk").values_list("file", "checksum"))
                figures = database_figures()
                migrations = _applied_migrations()
            partial = output.with_name(output.name + ".tmp")
            manifest = {
                "format": FORMAT_VERSION,
                "created": timezone.now().isoformat(),
                "engine": engine,
                "database": DB_MEMBER[engine],
                "migrations": migrations,
                "figures": figures,
                "excluded_tables": list(EXCLUDED_TABLES),
                "encrypted": bool(age),
                "files": [],
                "path": str(output),
            }
            _write_archive(partial, age, dump, rows, manifest)
            partial.chmod(0o600)
            partial.replace(output)
    finally:
        os.umask(old_umask)
    return manifest


def _write_archive(partial: Path, age: list[str], dump: Path, rows, manifest: dict) -> None:
    if age:
        process = subprocess.Popen(
            ["age", "--encrypt", *age, "-o", str(partial)],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        target = process.stdin
    else:
        process = None
        target = open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
    try:
        with tarfile.open(fileobj=target, mode="w|") as archive:
            info = archive.gettarinfo(dump, arcname=manifest["database"])
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
            with dump.open("rb") as handle:
                archive.addfile(info, handle)
            for name, checksum in rows:
                with default_storage.open(name, "rb") as handle:
                    data = handle.read()
                if hashlib.sha256(data).hexdigest() != checksum:
                    raise BackupError(
                        f"Den sparade filen {name} stämmer inte med sin kontrollsumma; ingen "
                        "säkerhetskopia skrevs."
                    )
                _add_bytes(archive, f"files/{name}", data)
                manifest["files"].append({"name": name, "sha256": checksum, "size": len(data)})
            _add_bytes(
                archive,
                "manifest.json",
                json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"),
            )
    except BaseException:
        target.close()
        if process:
            process.wait()
        partial.unlink(missing_ok=True)
        raise
    target.close()
    if process and process.wait() != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"age misslyckades: {process.stderr.read().decode(errors='replace')}")


def prune_backups(folder: Path, keep_days: int, *, now: float | None = None) -> list[Path]:
    """Remove the archives in `folder` older than `keep_days` (0: keep all), never the newest.
    Returns what was removed."""
    if keep_days <= 0:
        return []
    archives = sorted(
        (p for pattern in ARCHIVE_PATTERNS for p in Path(folder).glob(pattern)),
        key=lambda p: p.stat().st_mtime,
    )
    limit = (now if now is not None else time.time()) - keep_days * 86400
    removed = [p for p in archives[:-1] if p.stat().st_mtime < limit]
    for path in removed:
        path.unlink()
    return removed


# --- Restore ---------------------------------------------------------------------------------


def safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _checked_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Every member, refused unless a regular file with a plain relative name (no absolute
    path, no `..`, no link, device or folder): checked by hand, as Python 3.11.2 has no
    extraction filters."""
    members = {}
    for member in archive.getmembers():
        if not member.isfile() or not safe_member_name(member.name):
            raise BackupError(
                f"Säkerhetskopian innehåller {member.name!r}, som inte är en vanlig fil med ett "
                "relativt namn; inget har ändrats."
            )
        members[member.name] = member
    return members


@contextmanager
def open_archive(archive_path: Path, identity: Path | None = None):
    """The archive's manifest and a reader of its members, decrypted when it is `.age`."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"Filen {archive_path} finns inte.")
    with tempfile.TemporaryDirectory(prefix="statsbidrag-restore-") as scratch:
        plain = archive_path
        if archive_path.name.endswith(".age"):
            if identity is None:
                raise BackupError(
                    "Säkerhetskopian är krypterad: ange regionens privata age-nyckel med "
                    "--identity FIL."
                )
            plain = Path(scratch) / "archive.tar"
            _run(["age", "--decrypt", "-i", str(identity), "-o", str(plain), str(archive_path)])
        try:
            archive = tarfile.open(plain, "r")
        except tarfile.TarError as exc:
            raise BackupError(f"{archive_path} är ingen säkerhetskopia från Statsbidrag.") from exc
        with archive:
            members = _checked_members(archive)
            if "manifest.json" not in members:
                raise BackupError(f"{archive_path} är ingen säkerhetskopia från Statsbidrag.")
            manifest = json.load(archive.extractfile(members["manifest.json"]))
            if manifest.get("format") not in READABLE_FORMATS:
                raise BackupError("Säkerhetskopian har ett okänt format.")
            wanted = {"manifest.json", manifest["database"]}
            wanted |= {f"files/{entry['name']}" for entry in manifest["files"]}
            if unexpected := sorted(set(members) - wanted):
                raise BackupError(f"Säkerhetskopian innehåller okända filer: {unexpected[:5]}")

            def read(name):
                if name not in members:
                    raise BackupError(f"{name} saknas i säkerhetskopian.")
                return archive.extractfile(members[name])

            yield manifest, read, Path(scratch)


def _verified_files(manifest: dict, read) -> dict[str, bytes]:
    contents = {}
    for entry in manifest["files"]:
        if not safe_member_name(entry["name"]):
            raise BackupError(f"Filnamnet {entry['name']!r} i säkerhetskopian är inte tillåtet.")
        data = read(f"files/{entry['name']}").read()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BackupError(f"Filen {entry['name']} i säkerhetskopian är skadad.")
        contents[entry["name"]] = data
    return contents


def _restore_postgresql(dump: Path, alias="default", name=None) -> None:
    connection = connections[alias]
    db = connection.settings_dict
    connection.close()
    args, env = _pg_args(db)
    name = name or db["NAME"]
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
        text=True,
    ).stdout.strip()
    if exists != "1":
        try:
            _run(["createdb", *args, "--maintenance-db", maintenance, name], env)
        except BackupError as exc:
            owner = db.get("USER") or "statsbidrag"
            raise BackupError(
                f"Databasen {name} finns inte och kunde inte skapas ({exc}). Skapa den tom "
                f"som postgres och kör återställningen igen: sudo -u postgres createdb "
                f"--owner {owner} {name}"
            ) from exc
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


def _write_dump(manifest, read, scratch: Path) -> Path:
    dump = scratch / manifest["database"]
    with dump.open("wb") as out:
        shutil.copyfileobj(read(manifest["database"]), out)
    return dump


def restore_backup(archive_path: Path, *, identity: Path | None = None) -> dict:
    """Put the database and the kept files back as they were in the archive, then check the
    database's figures against the archive's."""
    engine = _engine()
    with open_archive(archive_path, identity) as (manifest, read, scratch):
        if manifest["engine"] != engine:
            raise BackupError(
                f"Säkerhetskopian är från {manifest['engine']}, databasen här är {engine}."
            )
        contents = _verified_files(manifest, read)  # every file checked before anything changes
        dump = _write_dump(manifest, read, scratch)
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
    connections["default"].close()
    expected = manifest.get("figures")
    if expected is not None and (problems := figure_differences(expected, database_figures())):
        raise BackupError("Återställd databas skiljer sig från kopian: " + "; ".join(problems[:5]))
    return manifest


def restore_drill(archive_path: Path, *, identity=None, database=None) -> dict:
    """Restore the archive into a scratch database (never the app's) and return what it holds:
    tables, rows, sums and files, each checked against the archive's own figures, and every
    file row against the files in the archive (none missing, none without a row)."""
    engine = _engine()
    default = connections["default"].settings_dict
    with open_archive(archive_path, identity) as (manifest, read, scratch):
        if manifest["engine"] != engine:
            raise BackupError(f"Säkerhetskopian är från {manifest['engine']}, här {engine}.")
        contents = _verified_files(manifest, read)
        dump = _write_dump(manifest, read, scratch)
        if engine == "postgresql":
            name = database or f"{default['NAME']}_ovning"
            if name == default["NAME"]:
                raise BackupError("Övningen återställer aldrig i appens egen databas.")
            _restore_postgresql(dump, name=name)
        else:
            name = database or str(scratch / "ovning.sqlite3")
            shutil.copyfile(dump, name)
        # A connection of its own to the scratch database, beside the app's.
        scratch_db = type(connections["default"])({**default, "NAME": name}, "default")
        try:
            with scratch_db.cursor() as cursor:
                figures = _figures(cursor, engine)
                table = scratch_db.ops.quote_name(StoredFile._meta.db_table)
                cursor.execute(f"SELECT file, checksum FROM {table}")
                rows = dict(cursor.fetchall())
        finally:
            scratch_db.close()
    in_archive = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
    problems = figure_differences(manifest.get("figures", figures), figures)
    problems += [f"filen {n} saknas i kopian" for n in sorted(set(rows) - set(in_archive))]
    problems += [f"filen {n} saknar rad" for n in sorted(set(in_archive) - set(rows))]
    problems += [
        f"filen {n} har fel kontrollsumma"
        for n in in_archive
        if n in rows and rows[n] != in_archive[n]
    ]
    return {
        "database": name,
        "created": manifest["created"],
        "figures": figures,
        "files": len(contents),
        "file_bytes": sum(len(data) for data in contents.values()),
        "problems": problems,
    }


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)
