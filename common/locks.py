"""Named locks that serialise transactions doing the same multi-row write.

On PostgreSQL a transaction-scoped advisory lock: held until the surrounding transaction
commits or rolls back, so what a transaction checks under the lock stays true until its
writes are visible. SQLite has a single writer and serialisable transactions, so there the
rule holds without a lock.
"""

from django.db import connection

# The ledger's rows and what ties them to activities: imports, period closing, activity links,
# and the deletion of an activity (which unties its rows). Named here, below the apps that
# take it, so that distribution (an activity's deletion) and followup share one lock.
LEDGER_LOCK = "followup.ledger"


def lock_for_transaction(name: str) -> None:
    """Wait for, then hold until the end of the current transaction, the lock `name`."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_for_transaction must be called inside transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
