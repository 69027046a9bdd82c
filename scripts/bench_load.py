"""Load test: the managers' pages under 20 concurrent users, served as in production.

Run from the project directory:  .venv/bin/python scripts/bench_load.py  [options]
Needs gunicorn and locust in the venv (dev dependencies) and PostgreSQL on 127.0.0.1.

1. Drops and recreates a scratch PostgreSQL database (statsbidrag_bench), migrates it, loads
   the demo data with the management commands of `make demo`, and generates a large data set
   on top: 10 years x 20 agreements x 300 activities x 12 months of outcome (one ledger row
   per activity and month, 720 000 rows, written with COPY), then VACUUM ANALYZE.
2. Runs collectstatic and serves the app with gunicorn on 127.0.0.1 (a free port), 4 sync
   workers by default (the pages are CPU-bound and the machine has 2 cores; after a write one
   worker builds the dashboards ahead: 4 gave p95 126 ms where 3 gave 147 ms), with DEBUG=0,
   a random SECRET_KEY and ALLOWED_HOSTS=127.0.0.1. The local .env is not read.
   SECURE_COOKIES=0 and SECURE_SSL_REDIRECT=0 because the benchmark speaks plain HTTP on the
   loopback; production sits behind TLS.
3. Logs in once and requests every page a few times (a smoke check that also warms the
   workers; the first view of the dashboard builds every year's page after its response) and
   waits until gunicorn is idle. Then runs locust headless for 60 s: 20 managers log in once
   as `chef` (the demo manager) and loop, 1-3 s apart, over the dashboard (most weight), the
   dashboard of another year (none viewed before the run), the 2023 activity list, the
   agreement list, the 2023 agreement and its follow-up, the start page and the search; one
   finance officer (`ekonom`) changes an activity's forecast every 30 s (--change-every), so
   that every dashboard has new data to show several times during the run.
4. Prints requests per second, p50/p95/p99 and errors per page against the targets (every
   page's p95 under 300 ms, all pages' p95 under 150 ms, no errors) for the steady state (all
   users started and logged in), then the whole run with its ramp-up, the logins and each
   year's first view; and the CPU the machine and gunicorn used (other processes on a shared
   machine inflate latencies). Stops gunicorn and drops the scratch database. The shared
   cache is Redis (BENCH_REDIS_URL, database 9 by default, emptied first). Samples, logs and
   the generated locustfile stay in var/bench/.

Everything runs on 127.0.0.1 and stops by itself. Options: --workers/--threads for gunicorn,
--users/--spawn-rate/--duration/--wait for locust, --conn-max-age to try persistent database
connections (via DATABASE_URL), --keep-db to keep the scratch database afterwards and
--reuse-db to run against a kept one without loading it again.
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
# BENCH_DB_NAME lets several checkouts on one machine each run the benchmark on their own database.
DB_NAME = os.environ.get("BENCH_DB_NAME", "statsbidrag_bench")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DEMO_COMMANDS = [
    "load_demo",
    "load_demo_allocations",
    "load_demo_distribution",
    "load_demo_ledger",
    "load_demo_reports",
    "create_demo_users",
]
USERNAME = "chef"
WRITER = "ekonom"  # the demo finance officer, who changes forecasts during the run
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
DEMO_SLUG_2023 = "god-och-nara-vard-2023"
# The targets: every page's p95 under 300 ms, and all pages' p95 together under 150 ms.
TARGET_P95_MS = 300.0
TARGET_ALL_P95_MS = 150.0
LOGIN_PAGES = ("login GET /logga-in/", "login POST /logga-in/")


# --- The scratch database -----------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
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


def app_env(conn_max_age: int) -> dict:
    """The environment the app runs in: production-like, the scratch database, no .env."""
    url = f"{PG_SERVER}/{DB_NAME}"
    if conn_max_age:
        url += f"?conn_max_age={conn_max_age}&conn_health_checks=true"
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


# --- The generated data set (runs in a child process with django.setup()) ------------------

AREA_THEMES = [
    "Nära vård och primärvård",
    "Vårdens medarbetare",
    "Vision e-hälsa 2025",
    "Ambulanssjukvård",
    "Barnhälsovård",
    "Psykisk hälsa",
    "Kvinnors hälsa",
    "Cancervård",
    "Tillgänglighet",
    "Jämlik vård",
]


def generate(years: list[int], agreements_per_year: int, activities_per_area: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from allocations.models import DecidedAmount
    from distribution.models import Activity, ActivityStatus, CostObject
    from followup.models import LedgerImport, LedgerTransaction
    from grants.models import Agreement, Component, Deadline, DevelopmentArea, Region

    rng = random.Random(20231)
    started = time.perf_counter()
    regions = list(Region.objects.all())
    own = next(r for r in regions if r.county_code == settings.OWN_REGION_CODE)
    statuses = [s.value for s in ActivityStatus]
    with transaction.atomic():
        agreements = Agreement.objects.bulk_create(
            Agreement(
                year=year,
                short_name=f"Bidrag {year}-{n:02d}",
                slug=f"bench-bidrag-{year}-{n:02d}",
                name=f"Genererad överenskommelse {n} för {year}",
                national_total=10**9,
            )
            for year in years
            for n in range(agreements_per_year)
        )
        areas = DevelopmentArea.objects.bulk_create(
            # The same themes every year, as real areas recur (the years chart groups them).
            DevelopmentArea(
                agreement=a, name=AREA_THEMES[i % agreements_per_year % len(AREA_THEMES)]
            )
            for i, a in enumerate(agreements)
        )
        components = Component.objects.bulk_create(
            Component(
                agreement=a,
                area=area,
                name="Medel till regionerna",
                recipient_group="regioner",
                national_amount=10**8,
            )
            for a, area in zip(agreements, areas, strict=True)
        )
        DecidedAmount.objects.bulk_create(
            (
                DecidedAmount(
                    component=c,
                    region=r,
                    # The own region's share about covers its 300 activities (~1 Mkr each).
                    amount=activities_per_area * 1_050_000
                    if r.pk == own.pk
                    else rng.randrange(2_000_000, 20_000_000),
                )
                for c in components
                for r in regions
            ),
            batch_size=5000,
        )
        cost_objects = CostObject.objects.bulk_create(
            CostObject(year=a.year, number=f"{a.year}{n:03d}", name=f"Objekt {n}", area=area)
            for n, (a, area) in enumerate(zip(agreements, areas, strict=True))
        )
        Deadline.objects.bulk_create(
            Deadline(
                agreement=a,
                kind=kind,
                due_date=datetime.date(a.year + shift, month, day),
                authority="kammarkollegiet",
            )
            for a in agreements
            for kind, shift, month, day in (
                ("rekvisition", 0, 12, 1),
                ("ekonomisk_redovisning", 1, 3, 31),
            )
        )
        activities = []
        for area, cost_object in zip(areas, cost_objects, strict=True):
            for i in range(activities_per_area):
                is_new = rng.random() < 0.1
                exit_plan = "Tas in i ordinarie budget" if rng.random() < 0.8 else ""
                activities.append(
                    Activity(
                        area=area,
                        position=i + 1,
                        name=f"Insats {i + 1}",
                        amount=1000 * rng.randrange(10, 2000),
                        responsible=f"Ansvarig {i % 37}",
                        cost_object=cost_object,
                        status=rng.choice(statuses),
                        private_providers=None if rng.random() < 0.03 else rng.random() < 0.5,
                        is_new=is_new,
                        exit_plan=exit_plan if is_new else "",
                        forecast=None if rng.random() < 0.5 else 1000 * rng.randrange(10, 2000),
                    )
                )
        activities = Activity.objects.bulk_create(activities, batch_size=10000)
        ledger = LedgerImport.objects.create(
            file_name="genererad-huvudbok.csv", file_format="csv", checksum="0" * 64
        )
        # One outcome row per activity and month, written with COPY: bulk_create of 720 000
        # rows takes minutes, COPY seconds.
        fields = [
            "ledger_import",
            "cost_object",
            "activity",
            "year",
            "month",
            "account",
            "responsibility",
            "activity_code",
            "voucher",
            "text",
            "amount",
            "is_budget",
            "line",
        ]
        columns = ", ".join(LedgerTransaction._meta.get_field(f).column for f in fields)
        table = LedgerTransaction._meta.db_table
        rows = 0
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                chunk = []
                for activity in activities:
                    monthly = int(activity.amount) / 12
                    year = activity.cost_object.year
                    for month in range(1, 13):
                        rows += 1
                        amount = round(monthly * rng.uniform(0.5, 1.5), 2)
                        chunk.append(
                            f"{ledger.pk}\t{activity.cost_object_id}\t{activity.pk}\t{year}\t"
                            f"{month}\t4010\t{4100 + rows % 50}\t\tV{rows}\t"
                            f"Genererad rad\t{amount:.2f}\tf\t{rows}\n"
                        )
                    if len(chunk) >= 60000:
                        copy.write("".join(chunk))
                        chunk = []
                copy.write("".join(chunk))
        LedgerImport.objects.filter(pk=ledger.pk).update(rows_total=rows, rows_kept=rows)
    return {
        "agreements": len(agreements),
        "activities": len(activities),
        "ledger_rows": rows,
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- gunicorn -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--error-logfile",
        str(BENCH_DIR / "gunicorn.log"),
    ]
    # The app's request log (JSON lines on stdout) goes to a file, not to the report.
    log = open(BENCH_DIR / "app.log", "w")  # noqa: SIM115 (open as long as gunicorn runs)
    return subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
    )


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the master stops its own workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only gunicorn's processes
        process.wait(timeout=10)


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped ({process.returncode}); see var/bench/gunicorn.log")
        try:
            with urllib.request.urlopen(base + "/logga-in/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s; see var/bench/gunicorn.log")


def wait_until_idle(pid: int, timeout: float = 300) -> None:
    """Until gunicorn has used under 0.05 CPU-s in each of two seconds in a row."""
    deadline = time.monotonic() + timeout
    quiet, last = 0, process_tree_cpu(pid)
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(1)
        now = process_tree_cpu(pid)
        quiet = quiet + 1 if now - last < 0.05 else 0
        last = now


def empty_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base: str, password: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(base + "/logga-in/", timeout=30) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    body = urllib.parse.urlencode(
        {"username": USERNAME, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    try:
        opener.open(base + "/logga-in/", body, timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code != 302 or "logga-in" in exc.headers.get("Location", ""):
            raise SystemExit(f"Login as {USERNAME} failed: HTTP {exc.code}") from exc
    else:
        raise SystemExit(f"Login as {USERNAME} failed: the login page came back")
    return opener


def smoke_and_warm(base: str, password: str, pages: list[tuple[str, str]], rounds: int):
    """Every page must answer 200; the requests also warm each worker. Returns the medians."""
    opener = login(base, password)
    times: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, path in pages:
            started = time.perf_counter()
            try:
                with opener.open(base + path, timeout=60) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            if status != 200:
                raise SystemExit(f"{path} answered HTTP {status} before the load test")
            times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


# --- CPU accounting (this machine is shared: others' work shows as "busy before") ---------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def busy_share(before, after) -> float:
    return (after[0] - before[0]) / max(after[1] - before[1], 1e-9)


def process_tree_cpu(root_pid: int) -> float:
    """CPU seconds used so far by a process and its children (gunicorn's master and workers)."""
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        rest = text[text.rindex(")") + 2 :].split()
        pid = int(stat.parent.name)
        parents[pid] = int(rest[1])
        times[pid] = (int(rest[11]) + int(rest[12])) / CLOCK_TICKS  # utime + stime
    tree, todo = set(), [root_pid]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return sum(times.get(pid, 0.0) for pid in tree)


# --- locust -------------------------------------------------------------------------------

LOCUSTFILE = """\"\"\"Generated by scripts/bench_load.py: the managers' pages, and one
finance officer who changes the data now and then.\"\"\"

import json
import os
import random
import re
import time
import urllib.parse

import gevent
from locust import FastHttpUser, between, constant, events, task

PASSWORD = os.environ["BENCH_PASSWORD"]
USERNAME = os.environ["BENCH_USERNAME"]
WRITER = os.environ["BENCH_WRITER"]
YEARS = [int(y) for y in os.environ["BENCH_YEARS"].split(",")]
AGREEMENT = int(os.environ["BENCH_AGREEMENT"])
ACTIVITIES = [int(a) for a in os.environ["BENCH_ACTIVITIES"].split(",")]
CHANGE_EVERY = float(os.environ["BENCH_CHANGE_EVERY"])
SEARCHES = ["9916", "utbildning", "ambulans", "4010", "genererad", "V12345"]
SAMPLES = []
SPAWNED = []
# The users work once all of them have logged in: a login hashes a password, slowly on purpose,
# and the pages are measured without twenty logins in the same seconds.
USERS = int(os.environ["BENCH_USERS"])
LOGGED_IN = [0]


@events.request.add_listener
def _record(request_type, name, response_time, exception, **kwargs):
    SAMPLES.append((name, response_time, str(exception) if exception else None, time.time()))


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    SPAWNED.append(time.time())


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["BENCH_SAMPLES"], "w") as out:
        json.dump({"samples": SAMPLES, "spawned": SPAWNED[:1]}, out)


class LoggedIn(FastHttpUser):
    abstract = True
    username = USERNAME

    def on_start(self):
        page = self.client.get("/logga-in/", name="login GET /logga-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        body = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            }
        )
        with self.client.post(
            "/logga-in/",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="login POST /logga-in/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "logga-in" in location:
                response.failure(f"login failed: HTTP {response.status_code}")
            else:
                response.success()
        LOGGED_IN[0] += 1
        while LOGGED_IN[0] < USERS:
            gevent.sleep(0.05)
        # Not all in the same instant: each begins within one think time.
        gevent.sleep(random.uniform(0, float(os.environ["BENCH_WAIT_MAX"])))

    def _get(self, path, name):
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
            return response.text or ""


class Manager(LoggedIn):
    wait_time = between(float(os.environ["BENCH_WAIT_MIN"]), float(os.environ["BENCH_WAIT_MAX"]))

    @task(6)
    def dashboard(self):
        self._get("/oversikt/", "/oversikt/")

    @task(2)
    def dashboard_year(self):
        # Named by year so that the report can tell each year's first view from the rest.
        year = random.choice(YEARS)
        self._get(f"/oversikt/?ar={year}", f"/oversikt/?ar={year}")

    @task(1)
    def activities(self):
        self._get("/oversikt/aktiviteter/?year=2023", "/oversikt/aktiviteter/?year=2023")

    @task(1)
    def agreements(self):
        self._get("/overenskommelser/", "/overenskommelser/")

    @task(1)
    def agreement(self):
        self._get(f"/overenskommelser/{AGREEMENT}/", "/overenskommelser/<2023>/")

    @task(1)
    def start_page(self):  # not `start`: that is locust's own User.start
        self._get("/start/", "/start/")

    @task(1)
    def search(self):
        self._get(f"/sok/?q={random.choice(SEARCHES)}", "/sok/?q=<word>")

    @task(1)
    def followup(self):
        self._get(
            f"/overenskommelser/{AGREEMENT}/uppfoljning/", "/overenskommelser/<2023>/uppfoljning/"
        )


class Finance(LoggedIn):
    \"\"\"Changes an activity's forecast every CHANGE_EVERY seconds: each change is new data for
    every dashboard, which the app then builds again.\"\"\"

    fixed_count = 1 if CHANGE_EVERY > 0 else 0
    username = WRITER
    wait_time = constant(CHANGE_EVERY)

    @task
    def change_forecast(self):
        path = f"/uppfoljning/aktivitet/{random.choice(ACTIVITIES)}/prognos/"
        page = self._get(path, "GET prognosformulär")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        version = re.search(r'name="version" value="([^"]*)"', page)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "version": version.group(1) if version else "",
                "forecast": str(1000 * random.randrange(10, 2000)),
            }
        )
        with self.client.post(
            path,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": path},
            name="POST prognos (ändrar data)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
"""


def run_locust(
    base: str, env: dict, args, password: str, agreement_pk: int, years, activities
) -> dict:
    locustfile = BENCH_DIR / "locustfile.py"
    locustfile.write_text(LOCUSTFILE, encoding="utf-8")
    samples = BENCH_DIR / "locust-samples.json"
    samples.unlink(missing_ok=True)
    locust_env = dict(
        os.environ,
        BENCH_PASSWORD=password,
        BENCH_USERNAME=USERNAME,
        BENCH_YEARS=",".join(map(str, years)),
        BENCH_AGREEMENT=str(agreement_pk),
        BENCH_SAMPLES=str(samples),
        BENCH_WAIT_MIN=str(args.wait[0]),
        BENCH_WAIT_MAX=str(args.wait[1]),
        BENCH_WRITER=WRITER,
        BENCH_ACTIVITIES=",".join(map(str, activities)),
        BENCH_CHANGE_EVERY=str(args.change_every),
        BENCH_USERS=str(args.users + (1 if args.change_every > 0 else 0)),
    )
    command = [
        str(BIN / "locust"),
        "-f",
        str(locustfile),
        "--headless",
        "-u",
        str(args.users + (1 if args.change_every > 0 else 0)),  # the managers and finance
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{args.duration}s",
        "--stop-timeout",
        "15",  # let requests in flight at the end finish and be counted
        "--host",
        base,
        "--csv",
        str(BENCH_DIR / "locust"),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    with open(BENCH_DIR / "locust.log", "w") as log:
        subprocess.run(
            command,
            cwd=BENCH_DIR,
            env=locust_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=args.duration + 120,
            check=True,
        )
    return json.loads(samples.read_text())


# --- Report -------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))  # nearest rank
    return sorted_values[int(rank) - 1]


def report_row(label: str, samples: list, seconds: float) -> str:
    times = sorted(s[1] for s in samples)
    errors = sum(1 for s in samples if s[2])
    return (
        f"  {label:<40} {len(samples):>6} {len(samples) / seconds:>7.1f} {errors:>6} "
        f"{percentile(times, 50):>7.0f} {percentile(times, 95):>7.0f} "
        f"{percentile(times, 99):>7.0f} {times[-1] if times else float('nan'):>7.0f}"
    )


YEAR_PAGE = re.compile(r"^/oversikt/\?ar=(\d{4})$")


def report(run: dict, warm: dict, args, data: dict | None, cpu: dict) -> bool:
    """The figures, and whether the targets are met. They are judged on the steady state:
    from when every user has been started and has logged in (a login hashes a password on
    purpose slowly, and twenty managers do not log in within the same four seconds) to the end.
    The whole run, ramp-up included, is printed too."""
    samples = run["samples"]
    logins = [s for s in samples if s[0] in LOGIN_PAGES]
    everything = [s for s in samples if s[0] not in LOGIN_PAGES]
    if not everything:
        print("No requests were recorded; see var/bench/locust.log")
        return False
    started = min(s[3] - s[1] / 1000 for s in samples)
    ended = max(s[3] for s in samples)
    steady_from = max([started, *run["spawned"], *(s[3] for s in logins)])
    # Each year's first view in the run: nobody had asked for that year before it.
    first_views, seen = [], set()
    for s in sorted(everything, key=lambda s: s[3] - s[1] / 1000):
        match = YEAR_PAGE.match(s[0])
        if match and match.group(1) not in seen:
            seen.add(match.group(1))
            first_views.append(s)

    def label(name):
        return "/oversikt/?ar=<generated year>" if YEAR_PAGE.match(name) else name

    everything = [(label(s[0]), *s[1:]) for s in everything]
    loop = [s for s in everything if s[3] - s[1] / 1000 >= steady_from]
    seconds = ended - steady_from
    pages = sorted({s[0] for s in loop}, key=lambda n: -sum(1 for s in loop if s[0] == n))
    header = (
        f"  {'page':<40} {'reqs':>6} {'req/s':>7} {'errors':>6} "
        f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}   (ms)"
    )
    print()
    print(
        f"Load test: {args.users} managers (spawn {args.spawn_rate}/s) and one finance officer "
        f"who changes a forecast every {args.change_every:g} s (0 = never), {args.duration} s, "
        f"wait {args.wait[0]:g}-{args.wait[1]:g} s between requests; gunicorn "
        f"{args.workers} workers x {args.threads} threads"
        f"{' (gthread)' if args.threads > 1 else ' (sync)'}, "
        f"CONN_MAX_AGE={args.conn_max_age}, DEBUG=0, PostgreSQL {DB_NAME}, cache Redis"
    )
    if data:
        print(
            f"Data: demo + generated {data['agreements']} agreements, {data['activities']} "
            f"activities, {data['ledger_rows']} ledger rows ({data['seconds']} s to generate)"
        )
    print(
        f"Steady state: {seconds:.1f} s, from {steady_from - started:.1f} s into the run, when "
        f"every user had started and logged in"
    )
    print(header)
    for name in pages:
        print(report_row(name, [s for s in loop if s[0] == name], seconds))
    print(report_row("ALL PAGES (steady state)", loop, seconds))
    print()
    whole = ended - started
    print(f"  Whole run, ramp-up and logins included ({whole:.1f} s):")
    print(report_row("all pages", everything, whole))
    if logins:
        print(report_row("login (once per user, GET + POST)", logins, whole))
    if first_views:
        print(report_row("first view of a year (not viewed before)", first_views, whole))
    print()
    print("  Single request, unloaded (median of the warm-up requests, ms):")
    for name, ms in warm.items():
        print(f"    {name:<40} {ms:>7.0f}")
    print()
    print(
        f"  CPU (2 cores = 200 %): machine busy {200 * cpu['busy_before']:.0f} % in the 3 s "
        f"before the run (other processes), {200 * cpu['busy_during']:.0f} % during it; "
        f"gunicorn used {cpu['gunicorn_seconds']:.1f} CPU-s, "
        f"{1000 * cpu['gunicorn_seconds'] / len(samples):.0f} ms per request (PostgreSQL "
        f"not counted)"
    )
    if cpu["busy_before"] > 0.15:
        print(
            "  WARNING: other processes were using the CPU before the run; latencies are "
            "inflated. Run again on a quiet machine."
        )
    errors = [s for s in samples if s[2]]
    if errors:
        print()
        print("  Errors:")
        kinds: dict[tuple[str, str], int] = {}
        for s in errors:
            kinds[(s[0], s[2])] = kinds.get((s[0], s[2]), 0) + 1
        for (name, message), count in sorted(kinds.items(), key=lambda kv: -kv[1])[:10]:
            print(f"    {count:>5} x {name}: {message[:100]}")
    p95 = percentile(sorted(s[1] for s in loop), 95)
    slow = [
        n for n in pages if percentile(sorted(s[1] for s in loop if s[0] == n), 95) >= TARGET_P95_MS
    ]
    met = p95 < TARGET_ALL_P95_MS and not slow and not errors
    print()
    print(
        f"Target all pages' p95 under {TARGET_ALL_P95_MS:.0f} ms, every page's p95 under "
        f"{TARGET_P95_MS:.0f} ms, no errors: {'MET' if met else 'NOT MET'} (p95 {p95:.0f} ms, "
        f"{len(errors)} errors, {len(loop) / seconds:.1f} req/s)"
    )
    if slow:
        print(f"Pages with p95 at or over {TARGET_P95_MS:.0f} ms: {', '.join(slow)}")
    return met


# --- Main ---------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--users", type=int, default=20)
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
    parser.add_argument("--conn-max-age", type=int, default=0, help="CONN_MAX_AGE via the URL")
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
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "_generate",
                    json.dumps([years, args.agreements, args.activities]),
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if result.returncode:
                sys.stderr.write(result.stdout + result.stderr)
                raise SystemExit("Generating the data set failed")
            data = json.loads(result.stdout.strip().splitlines()[-1])
            pg_admin_db("VACUUM ANALYZE")
            print(f"  database ready in {time.perf_counter() - started:.0f} s", flush=True)
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        password = (ROOT / "var" / "demo-password.txt").read_text(encoding="utf-8").strip()
        agreement_pk = pg_query(
            "SELECT id FROM grants_agreement WHERE slug = %s", (DEMO_SLUG_2023,)
        )[0][0]

        empty_cache()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(env, port, args.workers, args.threads)
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
        cpu = {"busy_before": busy_share(idle_check, machine_cpu())}
        print(f"Running locust for {args.duration} s ...", flush=True)
        machine_start, server_start = machine_cpu(), process_tree_cpu(gunicorn.pid)
        activities = [
            pk
            for (pk,) in pg_query(
                "SELECT a.id FROM distribution_activity a "
                "JOIN grants_developmentarea d ON a.area_id = d.id "
                "JOIN grants_agreement g ON d.agreement_id = g.id "
                "WHERE g.year = %s ORDER BY a.id LIMIT 200",
                (datetime.date.today().year,),
            )
        ]
        # Managers ask for the other years, none of which anyone has viewed yet.
        other_years = [y for y in years if y != datetime.date.today().year]
        samples = run_locust(base, env, args, password, agreement_pk, other_years, activities)
        cpu["busy_during"] = busy_share(machine_start, machine_cpu())
        cpu["gunicorn_seconds"] = process_tree_cpu(gunicorn.pid) - server_start
        report(samples, warm, args, data, cpu)
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


def pg_admin_db(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{DB_NAME}", autocommit=True) as conn:
        conn.execute(sql)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "_generate":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(generate(*json.loads(sys.argv[2]))))
        sys.exit(0)
    sys.exit(main())
