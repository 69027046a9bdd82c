"""The scratch database, the environment the app runs in, and the shared cache."""

import os
import secrets
import subprocess
import sys

from . import BENCH_DIR, DB_NAME, PG_SERVER, REDIS_URL, ROOT

DEMO_COMMANDS = [
    "load_demo",
    "load_demo_allocations",
    "load_demo_distribution",
    "load_demo_ledger",
    "load_demo_reports",
    "create_demo_users",
]


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_admin_db(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{DB_NAME}", autocommit=True) as conn:
        conn.execute(sql)


def pg_query(sql: str, params=()):
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{DB_NAME}") as conn:
        return conn.execute(sql, params).fetchall()


def create_database() -> None:
    import psycopg

    try:
        pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {PG_SERVER} ({exc}). Start it, e.g. "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        ) from exc
    pg_admin(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def app_env(conn_max_age: int | None) -> dict:
    """The environment the app runs in: production-like, the scratch database, no .env."""
    url = f"{PG_SERVER}/{DB_NAME}"
    if conn_max_age is not None:  # else the app's own default (config/settings.py)
        url += f"?conn_max_age={conn_max_age}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        # Plain HTTP on the loopback: no redirect to HTTPS (production's proxy ends TLS).
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        STATSBIDRAG_ENV_FILE=str(BENCH_DIR / "no-such.env"),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
        # One cache shared by the gunicorn workers, as production with several workers has:
        # Redis, a database of its own that the run empties first (BENCH_REDIS_URL).
        CACHE_URL=REDIS_URL,
    )
    return env


def manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")


def run_child(env: dict, module: str, *args: str, timeout: int = 600) -> str:
    """Runs `python -m scripts.bench_load.<module>` with Django's environment; its last line
    of output (JSON) is the answer."""
    result = subprocess.run(
        [sys.executable, "-m", f"scripts.bench_load.{module}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"scripts.bench_load.{module} failed ({result.returncode})")
    return result.stdout.strip().splitlines()[-1]


def empty_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
