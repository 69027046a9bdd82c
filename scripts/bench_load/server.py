"""gunicorn serving the app on the loopback, and a logged-in client for the warm-up."""

import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from . import BENCH_DIR, BIN, ROOT, USERNAME
from .machine import process_tree_cpu

HOOKS = Path(__file__).with_name("gunicorn_hooks.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    env: dict, port: int, workers: int, threads: int, cpu_dir: Path
) -> subprocess.Popen:
    """gunicorn with the benchmark's hooks, which note each request's CPU in cpu_dir."""
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--config",
        str(HOOKS),
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
        command,
        cwd=ROOT,
        env={**env, "BENCH_CPU_DIR": str(cpu_dir)},
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
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
