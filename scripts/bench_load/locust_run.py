"""Running locust, and reading the CPU notes gunicorn's hooks wrote per request."""

import json
import os
import resource
import subprocess
from pathlib import Path

from . import BENCH_DIR, BIN, USERNAME, WRITER

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def clear_cpu_notes(cpu_dir: Path) -> None:
    cpu_dir.mkdir(parents=True, exist_ok=True)
    for old in cpu_dir.glob("cpu-*.jsonl"):
        old.unlink()


def read_cpu_notes(cpu_dir: Path) -> list[dict]:
    """Every noted request: {"page", "cpu_ms", "time"}."""
    notes = []
    for path in cpu_dir.glob("cpu-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                notes.append(json.loads(line))
    return notes


def run_locust(
    base: str, env: dict, args, password: str, agreement_pk: int, years, activities
) -> dict:
    """Runs locust headless with the locustfile; returns its samples, with the CPU locust
    itself used (on the same machine as gunicorn)."""
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
        BENCH_ACTIVITIES=",".join(f"{pk}:{outcome}" for pk, outcome in activities),
        BENCH_CHANGE_EVERY=str(args.change_every),
        BENCH_USERS=str(args.users + (1 if args.change_every > 0 else 0)),
    )
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = json.loads(samples.read_text())
    run["locust_cpu_seconds"] = (after.ru_utime + after.ru_stime) - (
        before.ru_utime + before.ru_stime
    )
    return run
