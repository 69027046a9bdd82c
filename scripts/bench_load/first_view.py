"""A year's first view with the cache empty: the pages that build a whole year's figures (the
dashboard of a year, an agreement's follow-up), timed as a manager's first request would meet
them, nothing built ahead.

Runs in a child process with django.setup() on the benchmark's database:
python -m scripts.bench_load.first_view '<year>' '<agreement pk>' '<user>' prints, per page,
the best and the median wall milliseconds of REPEAT builds, the least CPU milliseconds of the
app's process, the queries one build makes, and the machine's load average, as JSON. The
dashboard: the shared cache emptied, then what a view that finds no kept page does
(data_version, then page_body, which builds and keeps it). The follow-up: the shared cache
emptied (the page keeps its report, followup.reads.followup_report), then the page requested
through Django's test client as the manager.
"""

import json
import statistics
import sys
import time

REPEAT = 3
TARGET_MS = 200


def _timed(run) -> dict:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    times, cpu = [], []
    for _ in range(REPEAT):
        queries.clear()
        with connection.execute_wrapper(count):
            started, cpu_started = time.perf_counter(), time.process_time()
            run()
            times.append(1000 * (time.perf_counter() - started))
            cpu.append(1000 * (time.process_time() - cpu_started))
    return {
        "best_ms": min(times),
        "median_ms": statistics.median(times),
        # The app's own CPU (PostgreSQL's not counted): steadier than wall time on a busy machine.
        "cpu_ms": min(cpu),
        "queries": len(queries),
    }


def measure(year: int, agreement_pk: int, username: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from dashboard.pages import DEFAULT_THRESHOLD, page_body
    from followup.versions import data_version

    from .machine import load_average

    today = timezone.localdate()

    def dashboard():
        cache.clear()  # the benchmark's own Redis database: nothing kept, nothing built ahead
        page_body(year, DEFAULT_THRESHOLD, today, data_version(year))

    setup_test_environment()  # the test client's host is allowed
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    path = f"/overenskommelser/{agreement_pk}/uppfoljning/"

    def followup():
        cache.clear()  # nothing kept: the report is built in this request
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered HTTP {response.status_code}")

    results = {"repeat": REPEAT, "target_ms": TARGET_MS, "load_before": load_average()}
    results["pages"] = {
        f"/oversikt/?ar={year}": _timed(dashboard),
        f"/overenskommelser/<{year}>/uppfoljning/": _timed(followup),
    }
    results["load_after"] = load_average()
    cache.clear()
    return results


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])))
