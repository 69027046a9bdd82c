"""What the health endpoint checks: the database answers, every migration is applied, the
file storage takes a write. Each check returns None when fine, else a short reason."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def check_database():
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001  (any failure means "not reachable")
        return f"databasen svarar inte ({type(error).__name__})"
    return None


def check_migrations():
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} migreringar är inte körda"
    return None


def check_storage():
    name = f"halsa/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        with default_storage.open(saved) as stored:
            ok = stored.read() == b"ok"
        default_storage.delete(saved)
    except Exception as error:  # noqa: BLE001
        return f"fillagringen går inte att skriva till ({type(error).__name__})"
    return None if ok else "fillagringen gav tillbaka fel innehåll"


def run_checks() -> dict[str, str | None]:
    results = {"databas": check_database()}
    # Without a database the migration state cannot be read either.
    results["migreringar"] = check_migrations() if results["databas"] is None else "okänt"
    results["fillagring"] = check_storage()
    return results
