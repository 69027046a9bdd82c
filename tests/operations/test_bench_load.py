"""The load benchmark's report and CPU notes (scripts/bench_load): each page's CPU per request
is the mean of what gunicorn's hooks noted for that page in the steady state, each list page
has its plain-loop reference below it, and the machine's load is printed. No timing: the
figures are made up."""

import json
import types
import urllib.parse
from argparse import Namespace

from scripts.bench_load import gunicorn_hooks
from scripts.bench_load.report import report

ARGS = Namespace(
    users=2,
    spawn_rate=2,
    change_every=0,
    duration=10,
    wait=(1.0, 2.0),
    workers=2,
    threads=1,
    conn_max_age=0,
)
CPU = {
    "busy_before": 0.05,
    "load_before": 0.4,
    "every": 5.0,
    "load_samples": [(0.5, 1.0), (0.7, 1.5)],
    "busy_during": 0.6,
    "machine_busy_seconds": 12.0,
    "gunicorn_seconds": 4.0,
    "locust_seconds": 1.0,
}


def test_each_page_has_its_cpu_per_request_and_a_list_page_its_reference(capsys):
    t0 = 1000.0
    samples = [
        ["login POST /logga-in/", 300, None, t0 + 1],  # the last login: steady from t0 + 1
        ["/overenskommelser/", 100, None, t0 + 2],
        ["/overenskommelser/", 120, None, t0 + 3],
        ["/start/", 50, None, t0 + 4],
        ["/oversikt/?ar=2020", 90, None, t0 + 5],
    ]
    notes = [
        {"page": "login POST /logga-in/", "cpu_ms": 200.0, "time": t0 + 1},
        {"page": "/overenskommelser/", "cpu_ms": 500.0, "time": t0 + 0.5},  # before: left out
        {"page": "/overenskommelser/", "cpu_ms": 30.0, "time": t0 + 2},
        {"page": "/overenskommelser/", "cpu_ms": 50.0, "time": t0 + 3},
        {"page": "/start/", "cpu_ms": 10.0, "time": t0 + 4},
        {"page": "/oversikt/?ar=2020", "cpu_ms": 20.0, "time": t0 + 5},
    ]
    references = {
        "/overenskommelser/": {"rows": 50, "table_ms": 40.0, "plain_ms": 5.0},
        "/oversikt/aktiviteter/?year=2023": {"rows": 50, "table_ms": 60.0, "plain_ms": 6.0},
    }
    run = {"samples": samples, "spawned": [t0 + 0.5]}

    report(run, {"/start/": 40.0}, ARGS, None, CPU, notes, references)

    out = capsys.readouterr().out
    lines = out.splitlines()
    agreements = next(i for i, line in enumerate(lines) if "/overenskommelser/ " in line)
    assert lines[agreements].split()[-1] == "40.0"  # (30 + 50) / 2, the early 500 left out
    assert (
        lines[agreements + 1].split()
        == (
            "its 50 rows' table: django-tables2 40.0 ms CPU, the same rows by a plain "
            "template loop 5.0 ms (reference)"
        ).split()
    )
    assert next(line for line in lines if "/start/ " in line).split()[-1] == "10.0"
    year = next(line for line in lines if "<generated year>" in line)
    assert year.split()[-1] == "20.0"
    everything = next(line for line in lines if "ALL PAGES (steady state)" in line)
    assert everything.split()[-1] == "27.5"  # (30 + 50 + 10 + 20) / 4, logins apart
    # A page not in this run gets no reference line.
    assert "60.0 ms CPU" not in out
    assert "before the run: busy 10 % in the 3 s before, load average 0.40" in out
    assert "during the run: busy 120 % (every 5 s: min 100 %, max 140 %)" in out
    assert "gunicorn 4.0, locust 1.0, the rest 7.0" in out


def test_the_hooks_note_a_named_requests_cpu_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setattr(gunicorn_hooks, "_DIR", str(tmp_path))
    monkeypatch.setattr(gunicorn_hooks, "_files", {})
    worker = types.SimpleNamespace(pid=4242)
    page = "POST prognos (ändrar data)"
    named = types.SimpleNamespace(headers=[("X-BENCH-PAGE", urllib.parse.quote(page))])
    unnamed = types.SimpleNamespace(headers=[("HOST", "127.0.0.1")])
    for req in (named, unnamed):
        gunicorn_hooks.pre_request(worker, req)
        sum(range(10_000))
        gunicorn_hooks.post_request(worker, req, {}, None)
    for out in gunicorn_hooks._files.values():
        out.close()

    (note,) = [json.loads(line) for line in (tmp_path / "cpu-4242.jsonl").read_text().splitlines()]
    assert note["page"] == page
    assert note["cpu_ms"] >= 0
