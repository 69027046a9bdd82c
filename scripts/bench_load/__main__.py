"""The load benchmark's command: python -m scripts.bench_load [options] (see the package's
docstring, or --help)."""

import argparse
import datetime
import json
import signal
import sys
import time

from . import BENCH_DIR, BIN, DB_NAME, DEMO_SLUG_2023, PG_SERVER, ROOT, USERNAME
from . import __doc__ as PACKAGE_DOC
from .database import (
    DEMO_COMMANDS,
    app_env,
    create_database,
    drop_database,
    empty_cache,
    manage,
    pg_admin_db,
    pg_query,
    run_child,
)
from .locust_run import clear_cpu_notes, read_cpu_notes, run_locust
from .machine import LoadSampler, busy_share, load_average, machine_cpu, process_tree_cpu
from .report import report
from .server import (
    free_port,
    smoke_and_warm,
    start_gunicorn,
    stop_gunicorn,
    wait_until_idle,
    wait_until_up,
)

CPU_DIR = BENCH_DIR / "cpu"
# The list pages whose tables are timed against a plain template loop (reference.py).
REFERENCE_PAGES = [
    ("/oversikt/aktiviteter/?year=2023", "/oversikt/aktiviteter/?year=2023"),
    ("/overenskommelser/", "/overenskommelser/"),
]
LOAD_EVERY = 5.0  # seconds between the samples of the machine's load during the run


def parse_args():
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench_load", description=PACKAGE_DOC.split("\n\n")[0]
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="think time between a user's requests, seconds",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="CONN_MAX_AGE via the URL (default: the app's own; 0 = a connection per request)",
    )
    parser.add_argument(
        "--change-every",
        type=float,
        default=30,
        help="seconds between the finance officer's changes to the data (0: no changes)",
    )
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--agreements", type=int, default=20, help="per year")
    parser.add_argument("--activities", type=int, default=300, help="per agreement")
    parser.add_argument("--keep-db", action="store_true", help=f"keep {DB_NAME} afterwards")
    parser.add_argument("--reuse-db", action="store_true", help=f"use a kept {DB_NAME} as is")
    return parser.parse_args()


def generated_years(count: int) -> list[int]:
    this_year = datetime.date.today().year
    return list(range(this_year - count + 1, this_year + 1))


def main() -> int:
    args = parse_args()
    for tool in ("gunicorn", "locust"):
        if not (BIN / tool).exists():
            raise SystemExit(f"{tool} is missing from the venv: .venv/bin/pip install -e '.[dev]'")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = app_env(args.conn_max_age)
    years = generated_years(args.years)
    data = None
    gunicorn = None
    # A SIGTERM ends the run the same way Ctrl+C does: gunicorn stopped, database dropped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        started = time.perf_counter()
        if not args.reuse_db:
            print(f"Creating {DB_NAME}, migrating and loading the demo data ...", flush=True)
            create_database()
            manage(env, "migrate", "--no-input")
            for command in DEMO_COMMANDS:
                manage(env, command)
            print(
                f"Generating {args.years} years x {args.agreements} agreements x "
                f"{args.activities} activities x 12 months ...",
                flush=True,
            )
            data = json.loads(
                run_child(env, "generate", json.dumps([years, args.agreements, args.activities]))
            )
            pg_admin_db("VACUUM ANALYZE")
            print(f"  database ready in {time.perf_counter() - started:.0f} s", flush=True)
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        password = (ROOT / "var" / "demo-password.txt").read_text(encoding="utf-8").strip()
        agreement_pk = pg_query(
            "SELECT id FROM grants_agreement WHERE slug = %s", (DEMO_SLUG_2023,)
        )[0][0]

        print("Timing the list pages' tables against a plain template loop ...", flush=True)
        references = json.loads(
            run_child(env, "reference", json.dumps(dict(REFERENCE_PAGES)), USERNAME)
        )

        # A year's first view, nothing kept: a generated year other than the one run's pages.
        first_year = years[0] if len(years) > 1 else years[-1]
        first_agreement = pg_query(
            "SELECT id FROM grants_agreement WHERE year = %s ORDER BY slug LIKE 'bench-%%' "
            "DESC, id LIMIT 1",
            (first_year,),
        )[0][0]
        print(f"Timing a year's first view ({first_year}, cache empty) ...", flush=True)
        first_views = json.loads(
            run_child(env, "first_view", str(first_year), str(first_agreement), USERNAME)
        )

        empty_cache()
        clear_cpu_notes(CPU_DIR)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(env, port, args.workers, args.threads, CPU_DIR)
        wait_until_up(base, gunicorn)
        pages = [
            ("/oversikt/", "/oversikt/"),
            ("/oversikt/aktiviteter/?year=2023", "/oversikt/aktiviteter/?year=2023"),
            ("/overenskommelser/", "/overenskommelser/"),
            ("/overenskommelser/<2023>/", f"/overenskommelser/{agreement_pk}/"),
            (
                "/overenskommelser/<2023>/uppfoljning/",
                f"/overenskommelser/{agreement_pk}/uppfoljning/",
            ),
            ("/start/", "/start/"),
            ("/sok/?q=<word>", "/sok/?q=utbildning"),
        ]
        print(f"Serving on {base}; smoke check and warm-up ...", flush=True)
        warm = smoke_and_warm(base, password, pages, rounds=max(3, args.workers * args.threads))
        # The first view of the dashboard built every year's page after its response; the run
        # starts when that is done, as it would be long before managers come in the morning.
        print("Waiting for the dashboards built ahead ...", flush=True)
        wait_until_idle(gunicorn.pid)
        idle_check = machine_cpu()
        time.sleep(3)
        cpu = {
            "busy_before": busy_share(idle_check, machine_cpu()),
            "load_before": load_average(),
            "every": LOAD_EVERY,
        }
        print(
            f"Machine before the run: busy {200 * cpu['busy_before']:.0f} % of 200 %, load "
            f"average {cpu['load_before']:.2f}",
            flush=True,
        )
        print(f"Running locust for {args.duration} s ...", flush=True)
        machine_start, server_start = machine_cpu(), process_tree_cpu(gunicorn.pid)
        sampler = LoadSampler(LOAD_EVERY)
        sampler.start()
        # The activities whose forecast the finance officer changes, with their outcome so far:
        # a forecast below what is spent is refused (issue 22), so the new one is above it.
        activities = pg_query(
            "SELECT a.id, COALESCE(CEIL(SUM(t.amount)), 0)::bigint "
            "FROM distribution_activity a "
            "JOIN grants_developmentarea d ON a.area_id = d.id "
            "JOIN grants_agreement g ON d.agreement_id = g.id "
            "LEFT JOIN followup_ledgertransaction t ON t.activity_id = a.id "
            "AND NOT t.is_budget AND t.amount > 0 "
            "WHERE g.year = %s GROUP BY a.id ORDER BY a.id LIMIT 200",
            (datetime.date.today().year,),
        )
        # Managers ask for the other years, none of which anyone has viewed yet.
        other_years = [y for y in years if y != datetime.date.today().year]
        samples = run_locust(base, env, args, password, agreement_pk, other_years, activities)
        machine_end = machine_cpu()
        cpu["load_samples"] = sampler.stop()
        cpu["busy_during"] = busy_share(machine_start, machine_end)
        cpu["machine_busy_seconds"] = machine_end[0] - machine_start[0]
        cpu["gunicorn_seconds"] = process_tree_cpu(gunicorn.pid) - server_start
        cpu["locust_seconds"] = samples["locust_cpu_seconds"]
        report(samples, warm, args, data, cpu, read_cpu_notes(CPU_DIR), references, first_views)
        return 0
    except KeyboardInterrupt:
        print("Interrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if not args.keep_db:
            try:
                drop_database()
            except Exception as exc:  # report it, do not hide the run's own error
                print(f"Could not drop {DB_NAME}: {exc}", file=sys.stderr)
        else:
            print(f"Kept the database {DB_NAME} ({PG_SERVER}/{DB_NAME}).")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
