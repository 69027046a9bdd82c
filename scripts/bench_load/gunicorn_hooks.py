"""gunicorn's configuration for the benchmark (gunicorn -c this file): each request's CPU.

Only the benchmark uses it; the app is not changed and production does not load it. Around
every request that names its page in an X-Bench-Page header (the locustfile's requests),
the worker notes the CPU its thread used, from before the app is called to after the response
is sent and closed (closing runs the dashboards' build-ahead, which that request caused), and
appends `{"page", "cpu_ms", "ahead_ms", "time"}` as a JSON line to
BENCH_CPU_DIR/cpu-<worker pid>.jsonl: `ahead_ms` is the part of it spent in
dashboard.pages.build_ahead (the pages a write made old, built once the response is sent: the
data's cost, once per change, not the page's), `cpu_ms` the rest, the request's own.
time.thread_time() counts the request's own thread only, so it holds with --threads too.
"""

import json
import os
import threading
import time
import urllib.parse

_DIR = os.environ.get("BENCH_CPU_DIR", "")
_files = {}
_lock = threading.Lock()  # --threads: one line at a time
_ahead = threading.local()  # CPU seconds in build_ahead during this thread's request


def post_worker_init(worker):
    """Times dashboard.pages.build_ahead in this worker (build_ahead_after's closer looks the
    function up in its module when it runs, so it finds the timed one)."""
    from dashboard import pages

    build_ahead = pages.build_ahead

    def timed(*args, **kwargs):
        started = time.thread_time()
        try:
            return build_ahead(*args, **kwargs)
        finally:
            _ahead.seconds = getattr(_ahead, "seconds", 0.0) + time.thread_time() - started

    pages.build_ahead = timed


def pre_request(worker, req):
    _ahead.seconds = 0.0
    req.bench_cpu_started = time.thread_time()


def post_request(worker, req, environ, resp):
    started = getattr(req, "bench_cpu_started", None)
    page = next((value for name, value in req.headers if name == "X-BENCH-PAGE"), None)
    if not _DIR or started is None or page is None:
        return
    ahead = getattr(_ahead, "seconds", 0.0)
    note = {
        "page": urllib.parse.unquote(page),
        "cpu_ms": 1000 * (time.thread_time() - started - ahead),
        "ahead_ms": 1000 * ahead,
        "time": time.time(),
    }
    with _lock:
        out = _files.get(worker.pid)
        if out is None:
            # Line-buffered, open as long as the worker runs.
            out = _files[worker.pid] = open(  # noqa: SIM115
                os.path.join(_DIR, f"cpu-{worker.pid}.jsonl"), "a", buffering=1, encoding="utf-8"
            )
        out.write(json.dumps(note) + "\n")
