"""Benchmark: writing 100 000 transaction rows to XLSX with openpyxl and with XlsxWriter.

Run from the project directory:  .venv/bin/python scripts/bench_xlsx.py  [--rows N]

Each library writes the same rows (agreement, area, cost object, activity, period, account,
text, amount as a number with a kronor format, date with a date format) in a fresh child
process: (a) openpyxl in write-only mode, (b) XlsxWriter with constant_memory. The rows are
made before the clock starts, so only the writing is timed; peak memory is the child's
peak RSS above its RSS once the rows exist. Each writer runs --repeat times (default 2) and
the fastest run counts. The files go to var/bench/ and are read back with python-calamine
as a check.
"""

import argparse
import datetime
import multiprocessing
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / "var" / "bench"
ROWS = 100_000
HEADERS = (
    "Överenskommelse",
    "Utvecklingsområde",
    "Objekt",
    "Aktivitet",
    "Period",
    "Konto",
    "Text",
    "Belopp",
    "Datum",
)
KRONOR_FORMAT = '#,##0.00 "kr"'  # shown with the reader's own separators: 1 234,50 kr
DATE_FORMAT = "yyyy-mm-dd"
WIDTHS = (28, 30, 8, 34, 8, 7, 30, 16, 11)
MB = 1024


def make_rows(count: int, seed: int = 2023) -> list[tuple]:
    rng = random.Random(seed)
    agreements = ["God och nära vård 2023", "Psykisk hälsa 2023", "Kvinnors hälsa 2023"]
    areas = ["Primärvård", "Kompetensförsörjning", "Suicidprevention", "Förlossningsvård"]
    activities = [
        f"Insats {n}: {name}"
        for n, name in enumerate(
            [
                "Mobila team",
                "Digitala vårdbesök",
                "Utbildning ST-läkare",
                "Familjecentral",
                "Barnmorskemottagning",
                "Hälsocoacher",
                "Samverkan kommuner",
            ],
            start=1,
        )
    ]
    texts = [
        "Lön sjuksköterskor",
        "Köpta tjänster",
        "Läkemedel",
        "Resor inrikes",
        "Konsultarvode",
        "Övriga kostnader",
        "Förbrukningsmaterial",
    ]
    objects = ["9916", "9917", "9942", "9943"]
    accounts = ["4010", "4410", "5010", "5611", "6110", "7010", "7210"]
    rows = []
    for _ in range(count):
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        amount = Decimal(rng.randint(-500_000, 25_000_000)) / 100
        rows.append(
            (
                rng.choice(agreements),
                rng.choice(areas),
                rng.choice(objects),
                rng.choice(activities),
                f"2023-{month:02d}",
                rng.choice(accounts),
                rng.choice(texts),
                amount,
                datetime.date(2023, month, day),
            )
        )
    return rows


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_kb() -> int:
    return _status_kb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_baseline() -> int:
    """Reset the peak RSS to the current RSS (Linux) and return it, in kB.

    The peak is then read from VmHWM, not getrusage: a spawned child's ru_maxrss also
    carries the parent's peak from before the exec, which the reset does not clear.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return _rss_kb()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_peak() -> int:
    """Peak RSS in kB since memory_baseline()."""
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def write_openpyxl(rows, path: Path):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Transaktioner")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(HEADERS)
    for row in rows:
        amount = WriteOnlyCell(sheet, value=row[7])
        amount.number_format = KRONOR_FORMAT
        date = WriteOnlyCell(sheet, value=row[8])
        date.number_format = DATE_FORMAT
        sheet.append((*row[:7], amount, date))
    workbook.save(path)


def write_xlsxwriter(rows, path: Path):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Transaktioner")
    bold = workbook.add_format({"bold": True})
    kronor = workbook.add_format({"num_format": KRONOR_FORMAT})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    for index, width in enumerate(WIDTHS):
        sheet.set_column(index, index, width)
    sheet.write_row(0, 0, HEADERS, bold)
    write_string = sheet.write_string
    write_number = sheet.write_number
    write_datetime = sheet.write_datetime
    for number, row in enumerate(rows, start=1):
        for column in range(7):
            write_string(number, column, row[column])
        write_number(number, 7, float(row[7]), kronor)  # XlsxWriter stores numbers as float
        write_datetime(number, 8, row[8], date_format)
    workbook.close()


WRITERS = {"openpyxl": write_openpyxl, "xlsxwriter": write_xlsxwriter}


def run_writer(name: str, count: int, path: str) -> dict:
    import openpyxl  # noqa: F401  (both imported before the baseline, in both runs)
    import xlsxwriter  # noqa: F401

    rows = make_rows(count)
    base = memory_baseline()
    start = time.perf_counter()
    WRITERS[name](rows, Path(path))
    seconds = time.perf_counter() - start
    peak = memory_peak()
    return {"seconds": seconds, "base_kb": base, "peak_kb": peak}


def check_file(path: Path, count: int) -> str:
    """Read the file back: row count, amount a number, date a date."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.to_python()
    data = rows[1:]
    problems = []
    if len(data) != count:
        problems.append(f"{len(data)} data rows")
    first = data[0] if data else []
    if not isinstance(first[7], float | int):
        problems.append(f"amount is {type(first[7]).__name__}")
    if not isinstance(first[8], datetime.date):
        problems.append(f"date is {type(first[8]).__name__}")
    return "ok" if not problems else "PROBLEM: " + ", ".join(problems)


def in_child(function, *args):
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each (best counts)")
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    import openpyxl
    import xlsxwriter

    print(f"XLSX export benchmark ({args.rows:,} rows x {len(HEADERS)} columns)".replace(",", " "))
    print(
        f"  openpyxl {openpyxl.__version__} (write_only=True), "
        f"XlsxWriter {xlsxwriter.__version__} (constant_memory=True)"
    )
    print(f"  amount format {KRONOR_FORMAT!r}, date format {DATE_FORMAT!r}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(
        f"  each writer runs {args.repeat}x in a fresh process; the fastest run counts "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs at the start)"
    )
    results = {}
    for label, name in (("a", "openpyxl"), ("b", "xlsxwriter")):
        path = BENCH_DIR / f"transaktioner_{name}.xlsx"
        runs = [in_child(run_writer, name, args.rows, str(path)) for _ in range(args.repeat)]
        result = dict(min(runs, key=lambda run: run["seconds"]))
        worst = max(runs, key=lambda run: run["peak_kb"] - run["base_kb"])
        result["peak_kb"], result["base_kb"] = worst["peak_kb"], worst["base_kb"]
        result["runs"] = ", ".join(f"{run['seconds']:.2f}" for run in runs)
        result["size"] = path.stat().st_size / (1024 * 1024)
        result["check"] = check_file(path, args.rows)
        results[name] = result
        print(
            f"{label}. {name:<10} {result['seconds']:6.2f} s   "
            f"peak memory +{(result['peak_kb'] - result['base_kb']) / MB:.1f} MB "
            f"(process {result['peak_kb'] / MB:.1f} MB)   "
            f"file {result['size']:.1f} MB   read back: {result['check']}   "
            f"(runs {result['runs']} s)",
            flush=True,
        )
    fast, slow = sorted(results, key=lambda name: results[name]["seconds"])
    print(
        f"Faster: {fast}, {results[slow]['seconds'] / results[fast]['seconds']:.1f}x "
        f"faster than {slow}."
    )


if __name__ == "__main__":
    main()
