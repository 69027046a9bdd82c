"""What the health endpoint checks: the database answers, every migration is applied, the
cache answers (Redis when CACHE_URL names it), the file storage takes a write. Each check
returns None when fine, else a short reason.

A call writes nothing: the storage (and the cache's write) is tried at most once every
HEALTH_STORAGE_CHECK_SECONDS per process and the answer kept until then; each call only
reads (SELECT 1, the migration table, one cache read).
"""

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.dispatch import receiver

CACHE_PROBE_KEY = "operations:halsa"

_lock = threading.Lock()
# (monotonic time of the last write check, its results) for this process.
_written: dict[str, tuple[float, dict[str, str | None]]] = {}


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


def check_cache_read():
    try:
        cache.get(CACHE_PROBE_KEY)
    except Exception as error:  # noqa: BLE001
        return f"cachen svarar inte ({type(error).__name__})"
    return None


def check_cache_write():
    token = uuid.uuid4().hex
    try:
        cache.set(CACHE_PROBE_KEY, token, timeout=2 * settings.HEALTH_STORAGE_CHECK_SECONDS)
        ok = cache.get(CACHE_PROBE_KEY) == token
    except Exception as error:  # noqa: BLE001
        return f"cachen svarar inte ({type(error).__name__})"
    return None if ok else "cachen behåller inte det som skrivs"


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


def forget_write_checks() -> None:
    """The next call tries the writes again (tests; a changed storage setting)."""
    _written.clear()


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting in ("STORAGES", "CACHES", "HEALTH_STORAGE_CHECK_SECONDS"):
        forget_write_checks()


def write_checks(now: float | None = None) -> dict[str, str | None]:
    """The cache's and the storage's write, at most once every HEALTH_STORAGE_CHECK_SECONDS."""
    now = time.monotonic() if now is None else now
    with _lock:
        kept = _written.get("results")
        if kept is None or now - kept[0] >= settings.HEALTH_STORAGE_CHECK_SECONDS:
            kept = (now, {"cache": check_cache_write(), "fillagring": check_storage()})
            _written["results"] = kept
        return kept[1]


def run_checks() -> dict[str, str | None]:
    results = {"databas": check_database()}
    # Without a database the migration state cannot be read either.
    results["migreringar"] = check_migrations() if results["databas"] is None else "okänt"
    written = write_checks()
    # A cache that stopped answering since the last write check is seen at once.
    results["cache"] = check_cache_read() or written["cache"]
    results["fillagring"] = written["fillagring"]
    return results
