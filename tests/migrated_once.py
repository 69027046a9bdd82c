"""The test database migrated once per set of migrations, not once per worker and run.

Running the migrations takes 20-30 s (Django renders the model states again for each of about
450 operations). Every pytest-xdist worker of every run used to do it. Here the migrations run
once, for real (`manage.py migrate` into a database of its own), and the result is kept,
named by a digest of every migration file Django loads (the project's and the installed
apps'), Django's version and the database's vendor: a changed, added or removed migration
gives another name, and so a fresh migrate.

- PostgreSQL: a database `statsbidrag_tmpl_<digest>` on the test server; each worker's test
  database is created from it (`TEST["TEMPLATE"]`), which takes about a second.
- SQLite: a file `statsbidrag-<digest>.sqlite3` in the cache folder; each worker copies it
  into its in-memory test database with SQLite's backup API.

`migrate` still runs on each test database, as before, and finds nothing to apply. Workers
take a file lock while one of them builds, so a set of migrations is migrated once on a
machine. Older kept databases are removed when a new one is built.
"""

import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

PREFIX = "statsbidrag_tmpl_"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "statsbidrag"
_KEEP_OPEN = []  # the in-memory database lives while one connection to it is open


def migration_files() -> dict:
    """{(app, migration name): its file} for every migration Django loads."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        key: Path(sys.modules[migration.__module__].__file__)
        for key, migration in loader.disk_migrations.items()
    }


def digest(vendor: str, files: dict | None = None) -> str:
    """Of every migration file (name and content), Django's version and the vendor."""
    files = migration_files() if files is None else files
    hashed = hashlib.sha256(f"{django.__version__}:{vendor}".encode())
    for key in sorted(files):
        hashed.update(repr(key).encode())
        hashed.update(files[key].read_bytes())
    return hashed.hexdigest()[:16]


@contextmanager
def _lock(vendor: str):
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"migrate-{vendor}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate(database_url: str):
    """`manage.py migrate` into that database, in a process of its own, as a deployment would."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
    )


def _database_url(name: str) -> str:
    """DATABASE_URL (the tests' server) with another database name."""
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def _postgres_template() -> str:
    name = PREFIX + digest("postgresql")
    server = psycopg.connect(_database_url("postgres"), autocommit=True)
    with _lock("postgresql"), server, server.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"])
        existing = {row[0] for row in cursor.fetchall()}
        if name not in existing:
            building = name + "_building"
            cursor.execute(f'DROP DATABASE IF EXISTS "{building}"')
            cursor.execute(f'CREATE DATABASE "{building}"')
            _migrate(_database_url(building))
            cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            for old in existing - {name}:
                if not old.endswith("_building"):
                    cursor.execute(f'DROP DATABASE IF EXISTS "{old}"')
    return name


def _sqlite_file() -> Path:
    path = CACHE / f"statsbidrag-{digest('sqlite')}.sqlite3"
    with _lock("sqlite"):
        if not path.exists():
            building = path.with_suffix(".building")
            building.unlink(missing_ok=True)
            _migrate(f"sqlite:///{building}")
            building.rename(path)
            for old in CACHE.glob("statsbidrag-*.sqlite3"):
                if old != path:
                    old.unlink(missing_ok=True)
    return path


def prepare() -> dict:
    """Point the test database at the kept migrated one (connection.settings_dict is
    settings.DATABASES["default"]); the keyword arguments for `setup_databases`."""
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "postgresql":
        test["TEMPLATE"] = _postgres_template()
        return {}
    if connection.vendor == "sqlite" and not test.get("NAME"):
        name = "file:memorydb_default?mode=memory&cache=shared"
        memory = sqlite3.connect(name, uri=True)
        with sqlite3.connect(_sqlite_file()) as source:
            source.backup(memory)
        _KEEP_OPEN.append(memory)
        test["NAME"] = name
        return {"keepdb": True}  # the in-memory database as filled; it goes with the process
    return {}
