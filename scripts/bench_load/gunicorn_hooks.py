"""gunicorn's configuration for the benchmark (gunicorn -c this file): each request's CPU.

Only the benchmark uses it; the app is not changed and production does not load it. Around
every request that names its page in an X-Bench-Page header (the locustfile's requests),
the worker notes the CPU its thread used, from before the app is called to after the response
is sent and closed (closing runs the dashboards' build-ahead, which that request caused), and
appends `{"page", "cpu_ms", "time"}` as a JSON line to BENCH_CPU_DIR/cpu-<worker pid>.jsonl.
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


def pre_request(worker, req):
    req.bench_cpu_started = time.thread_time()


def post_request(worker, req, environ, resp):
    started = getattr(req, "bench_cpu_started", None)
    page = next((value for name, value in req.headers if name == "X-BENCH-PAGE"), None)
    if not _DIR or started is None or page is None:
        return
    note = {
        "page": urllib.parse.unquote(page),
        "cpu_ms": 1000 * (time.thread_time() - started),
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
