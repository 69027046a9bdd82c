"""Load test: the managers' pages under 50 concurrent users, served as in production.

Run from the project directory:  .venv/bin/python -m scripts.bench_load  [options]
Needs gunicorn and locust in the venv (dev dependencies) and PostgreSQL on 127.0.0.1.

1. Drops and recreates a scratch PostgreSQL database (statsbidrag_bench), migrates it, loads
   the demo data with the management commands of `make demo`, and generates a large data set
   on top: 10 years x 20 agreements x 300 activities x 12 months of outcome (one ledger row
   per activity and month, 720 000 rows, written with COPY), then VACUUM ANALYZE.
2. Runs collectstatic, and times the list pages' tables: the 50 rows a list page shows,
   rendered by django-tables2 as the page does and by a plain template loop as the reference;
   and a year's first view with the cache empty (first_view.py): the dashboard of the oldest
   generated year and one of its agreements' follow-up, best of 3 builds against the 200 ms
   target, with the machine's load average (the cache is emptied again before the run, so the
   run's own first views stay first).
   Serves the app with gunicorn on 127.0.0.1 (a free port), 4 sync
   workers by default (the pages are CPU-bound and the machine has 2 cores; after a write one
   worker builds the dashboards ahead: 4 gave p95 126 ms where 3 gave 147 ms), with DEBUG=0,
   a random SECRET_KEY and ALLOWED_HOSTS=127.0.0.1. The local .env is not read.
   SECURE_COOKIES=0 and SECURE_SSL_REDIRECT=0 because the benchmark speaks plain HTTP on the
   loopback; production sits behind TLS. gunicorn's own hooks (gunicorn_hooks.py, not the
   app) note each request's CPU, so that the report has CPU per page.
3. Logs in once and requests every page a few times (a smoke check that also warms the
   workers; the first view of the dashboard builds every year's page after its response) and
   waits until gunicorn is idle. Then runs locust headless for 60 s (locustfile.py): 50
   managers log in once as `chef` (the demo manager) and loop, 1-3 s apart, over the dashboard
   (most weight), the dashboard of another year (none viewed before the run), the 2023
   activity list, the agreement list, the 2023 agreement and its follow-up, the start page and
   the search; one finance officer (`ekonom`) changes an activity's forecast every 30 s
   (--change-every), so that every dashboard has new data to show several times during the
   run.
4. Prints the machine's load before the run and during it, then requests per second,
   p50/p95/p99, errors and gunicorn's CPU per request for each page against the targets
   (every page's p95 under 300 ms, all pages' p95 under 150 ms, no errors) for the steady
   state (all users started and logged in), then the whole run with its ramp-up, the logins
   and each year's first view; and the CPU the machine and gunicorn used (other processes on a
   shared machine inflate latencies). Stops gunicorn and drops the scratch database. The
   shared cache is Redis (BENCH_REDIS_URL, database 9 by default, emptied first). Samples and
   logs stay in var/bench/.

Everything runs on 127.0.0.1 and stops by itself. Options: --workers/--threads for gunicorn,
--users/--spawn-rate/--duration/--wait for locust, --conn-max-age to try another lifetime of
a worker's database connection (via DATABASE_URL; the app's own is 600 s, 0 = one connection
per request), --keep-db to keep the scratch database afterwards and --reuse-db to run against
a kept one without loading it again.

The parts: __main__ (the command and its steps), database (the scratch database and the
app's environment), generate (the generated data set), reference (the list pages' tables
against a plain loop), first_view (a year's first view, cache empty), server (gunicorn, login,
warm-up), gunicorn_hooks (CPU per request),
machine (CPU and load of the machine), locustfile (the users), locust_run (running locust,
reading the CPU notes), report (the figures).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_DIR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
# BENCH_DB_NAME lets several checkouts on one machine each run the benchmark on their own database.
DB_NAME = os.environ.get("BENCH_DB_NAME", "statsbidrag_bench")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
USERNAME = "chef"
WRITER = "ekonom"  # the demo finance officer, who changes forecasts during the run
DEMO_SLUG_2023 = "god-och-nara-vard-2023"
