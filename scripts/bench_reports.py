"""Benchmark: time to generate the 2023 decision document and activity report as PDF.

Sets up a scratch SQLite database with the demo data (agreements, allocation, distribution,
a year of ledger) in var/bench/, then renders each document several times and prints the
fastest and median times. Target: under 3 s each. Run with `make bench`.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
scratch = Path(tempfile.mkdtemp(prefix="bench-reports-", dir=ROOT / "var"))
os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'db.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
RUNS = 5


def main():
    import django

    django.setup()
    from django.core.management import call_command

    from grants.models import Agreement, DocumentKind
    from reporting.pdf import render_document

    started = time.perf_counter()
    for command in [
        "migrate",
        "load_demo",
        "load_demo_allocations",
        "load_demo_distribution",
        "load_demo_ledger",
    ]:
        call_command(command, verbosity=0)
    print(f"Report benchmark (demo data loaded in {time.perf_counter() - started:.1f} s)")
    agreement = Agreement.objects.get(slug="god-och-nara-vard-2023")
    for kind in (DocumentKind.DECISION, DocumentKind.ACTIVITY_REPORT):
        render_document(kind, "pdf", agreement=agreement)  # warm the template and font caches
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            content = render_document(kind, "pdf", agreement=agreement)
            times.append(time.perf_counter() - start)
        print(
            f"  {kind.label}: fastest {min(times):.2f} s, median {statistics.median(times):.2f} s "
            f"over {RUNS} runs, {len(content) // 1024} kB   (target under 3 s)"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        for path in sorted(scratch.glob("*"), reverse=True):
            path.unlink()
        scratch.rmdir()
