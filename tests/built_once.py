"""Fixture data built once per test session and written back cheaply for every later test.

The demo agreement, its allocations, distribution and ledger year are built through the real
actions (seconds each). `built_once(name, build)` builds the first time a test asks, inside that
test's transaction, and records what the build changed in the database: the rows it inserted,
updated and deleted, table by table. A later test that asks for the same fixture from the same
database state gets the same rows written back with plain INSERT/UPDATE/DELETE statements in its
own transaction (milliseconds), and the fixture's result read back by primary key.

"The same state" is exact: the key is a digest of every table's content before the build, so a
test whose earlier fixtures wrote something else gets its own build (and its own record). A
fixture a test does not ask for is never there. Tests that commit (`transaction=True`, the
browser tests) get the same: the rows are written back and committed. Their database is
flushed between tests and their sequences start again (`django_db_reset_sequences`, as in
tests/e2e), so the state before is the same again; where a test's sequences go on, the ids
differ and the fixture is built for real. If writing back fails for any reason, the fixture is
built for real.

On PostgreSQL the database computes the digest (each table's rows as text, sorted, hashed;
one statement); on SQLite the rows are read and hashed here. Either costs tens of
milliseconds, so it is skipped where the state is known: after a fixture was built or written
back, its digest is kept until any other statement that may store is sent on the connection
(`watching`, an autouse fixture around every test); the next fixture of the test is then
looked up by the kept digest. On PostgreSQL the rows are written back with COPY.

What a build does outside the database (kept files, the cache) is not recorded; the builders
used here write only to the database.
"""

import hashlib
import re
from contextlib import contextmanager

import psycopg
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.models import Model

_RECORDS = {}  # (name, digest of the state before) -> [changes, result shape, digest after]
_TABLES = None
_SKIPPED_TABLES = {"django_migrations", "django_session"}


def _tables(cursor):
    """Every table with its columns and primary key column (None when there is none)."""
    global _TABLES
    if _TABLES is None:
        names = [
            t for t in connection.introspection.table_names(cursor) if t not in _SKIPPED_TABLES
        ]
        found = []
        for name in sorted(names):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, name)]
            pk = connection.introspection.get_primary_key_column(cursor, name)
            found.append((name, columns, pk))
        _TABLES = found
    return _TABLES


def _state(cursor):
    """{table: {key: row}}; the key is the primary key, or the whole row when there is none."""
    qn = connection.ops.quote_name
    state = {}
    for name, columns, pk in _tables(cursor):
        cursor.execute(f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(name)}")
        rows = cursor.fetchall()
        if not rows:
            continue
        index = columns.index(pk) if pk else None
        state[name] = {(row[index] if pk else row): row for row in rows}
    if connection.vendor == "sqlite":
        cursor.execute("SELECT name, seq FROM sqlite_sequence")
        state["sqlite_sequence"] = {row[0]: row for row in cursor.fetchall()}
    return state


def _digest(state, committing: bool) -> str:
    """Of every table's rows; in a test that commits, not of SQLite's sequences, which its
    flush leaves (the rows' ids say where they started)."""
    digest = hashlib.sha256(b"committing" if committing else b"rolled back")
    for name in sorted(state):
        if committing and name == "sqlite_sequence":
            continue
        digest.update(name.encode())
        for key in sorted(state[name], key=repr):
            digest.update(repr(state[name][key]).encode())
    return digest.hexdigest()


_PG_DIGEST = None  # one statement: each table's rows as text, sorted, hashed in the database


def _fingerprint(cursor, committing: bool, state=None) -> str:
    """The digest of every table's rows. On PostgreSQL the database hashes them (one round
    trip, no rows sent); on SQLite they are hashed here (_digest), from `state` when the rows
    were just read."""
    global _PG_DIGEST
    if connection.vendor != "postgresql":
        return _digest(_state(cursor) if state is None else state, committing)
    if _PG_DIGEST is None:
        qn = connection.ops.quote_name
        _PG_DIGEST = "SELECT " + ", ".join(
            f"(SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {qn(name)} t)"
            for name, _columns, _pk in _tables(cursor)
        )
    cursor.execute(_PG_DIGEST)
    return hashlib.sha256(repr(cursor.fetchone()).encode()).hexdigest()


def _changes(before, after):
    """[(table, columns, pk, inserted, updated (old, new) pairs, deleted)] between two states."""
    changes = []
    for name, columns, pk in _tables(None):
        old, new = before.get(name, {}), after.get(name, {})
        inserted = [new[k] for k in new.keys() - old.keys()]
        deleted = [old[k] for k in old.keys() - new.keys()]
        updated = [(old[k], new[k]) for k in old.keys() & new.keys() if old[k] != new[k]]
        if inserted or deleted or updated:
            changes.append((name, columns, pk, inserted, updated, deleted))
    return changes


def _condition(columns, row):
    """A WHERE clause matching exactly this row (NULL-safe), with its parameters."""
    qn = connection.ops.quote_name
    parts, params = [], []
    for column, value in zip(columns, row, strict=True):
        if value is None:
            parts.append(f"{qn(column)} IS NULL")
        else:
            parts.append(f"{qn(column)} = %s")
            params.append(value)
    return " AND ".join(parts), params


def _copy(cursor, table, columns, rows):
    """The rows into the table with PostgreSQL's COPY (json columns come back from Django's
    psycopg as their text, and go in as it)."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _write_back(cursor, changes):
    qn = connection.ops.quote_name
    for name, columns, pk, inserted, updated, deleted in changes:
        table = qn(name)
        for row in deleted:
            where, params = _condition(columns, row)
            cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
            if cursor.rowcount != 1:
                raise DatabaseError(f"{name}: the row to delete is not there")
        for old, new in updated:
            where, params = _condition(columns, old)
            sets = ", ".join(f"{qn(c)} = %s" for c in columns)
            cursor.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*new, *params])
            if cursor.rowcount != 1:
                raise DatabaseError(f"{name}: the row to update is not as it was")
        if inserted:
            if connection.vendor == "sqlite":
                marks = ", ".join(["%s"] * len(columns))
                names = ", ".join(qn(c) for c in columns)
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", inserted)
            else:  # COPY: a tenth of the time of INSERTs with parameters
                _copy(cursor, table, columns, inserted)
            if pk and connection.vendor == "postgresql":
                # Later inserts in the test take ids after these, as after a real build.
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), max({qn(pk)})) FROM {table}"
                    f" HAVING max({qn(pk)}) IS NOT NULL AND pg_get_serial_sequence(%s, %s)"
                    " IS NOT NULL",
                    [table, pk, table, pk],
                )


class _Unrecordable(Exception):
    pass


def _shape(result):
    """The fixture's result as something to read back: model instances by primary key."""
    if isinstance(result, Model):
        if result.pk is None:
            raise _Unrecordable
        return ("model", result._meta.label, result.pk)
    if isinstance(result, dict):
        return ("dict", [(k, _shape(v)) for k, v in result.items()])
    if isinstance(result, (list, tuple)):
        return (type(result).__name__, [_shape(v) for v in result])
    if result is None or isinstance(result, (str, int, bool)):
        return ("value", result)
    raise _Unrecordable


def _read_back(shape):
    kind, value = shape[0], shape[1:]
    if kind == "model":
        label, pk = value
        return apps.get_model(label)._default_manager.get(pk=pk)
    if kind == "dict":
        return {k: _read_back(v) for k, v in value[0]}
    if kind == "list":
        return [_read_back(v) for v in value[0]]
    if kind == "tuple":
        return tuple(_read_back(v) for v in value[0])
    return value[0]


class _Known:
    """The digest of the database's state when it is known without reading every table: after
    a fixture was built or written back, until anything else sends a statement that may
    store (`watching`, around each test). Only in tests that roll back."""

    digest = None
    writing = False

    def __call__(self, execute, sql, params, many, context):
        if not self.writing and not READING.match(sql):
            self.digest = None
        return execute(sql, params, many, context)


# A statement that stores nothing: a read or a savepoint (the form fuzz test uses it too).
READING = re.compile(r"\s*(?:SELECT|SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK\s+TO)\b", re.I)
_KNOWN = _Known()


@contextmanager
def watching():
    """Around a test: the state is unknown at its start, and forgotten at any statement but
    a read or a savepoint that is not built_once's own."""
    _KNOWN.digest = None
    with connection.execute_wrapper(_KNOWN):
        yield


def built_once(name, build):
    """`build()`'s result, built for real the first time from this database state and written
    back from the record afterwards (see the module's docstring)."""
    committing = not connection.in_atomic_block  # a test with transaction=True
    with connection.cursor() as cursor:
        before = None  # the rows before, when they were read (on SQLite, for the digest)
        digest = None if committing else _KNOWN.digest
        if digest is None:
            if connection.vendor != "postgresql":
                before = _state(cursor)
            digest = _fingerprint(cursor, committing, before)
        key = (name, digest)
        record = _RECORDS.get(key)
        if record is not None:
            changes, shape, after = record
            _KNOWN.writing = True
            try:
                with transaction.atomic():
                    _write_back(cursor, changes)
                    result = _read_back(shape)
                if after is None:  # the state a write-back leaves, read the first time
                    after = _RECORDS[key][2] = _fingerprint(cursor, committing)
                _KNOWN.digest = None if committing else after
                return result
            except (DatabaseError, psycopg.Error):
                _RECORDS.pop(key, None)
                _KNOWN.digest = None
            finally:
                _KNOWN.writing = False
        if before is None:
            before = _state(cursor)
        result = build()
        try:
            shape = _shape(result)
        except _Unrecordable:
            return result
        after = _state(cursor)
        _RECORDS[key] = [_changes(before, after), shape, None]
        _KNOWN.digest = None if committing else _fingerprint(cursor, committing, after)
        return result
