"""Benchmark: worker time per upload kind at its documented maximum, and the time to refuse a
file over each limit (issue 23: accepted within 10 s, refused within 5 s).

Run from the project directory:  .venv/bin/python scripts/bench_uploads.py  [--skip-ledger]

Each upload goes through the page a user posts it to (Django's test client in this process:
the view, its form, the parse and the writes), on PostgreSQL, in a transaction rolled back
afterwards, so the database is left as it was. The files are the tests' own generated ones
(tests/upload_bombs.py), at the limits the settings give (config/settings.py). Parts that
have no page of their own here are timed at their function: the signed copy's check, SCB's
answer. Prints one line per case: kind, case, file size, outcome, seconds.

The database is DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test, as
scripts/bench_ledger.py); it must exist. Kept files go to a scratch folder under var/bench/.
"""

import argparse
import io
import os
import sys
import tempfile
import time
import zlib
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["SECURE_SSL_REDIRECT"] = "0"
(ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
os.environ.setdefault("FILES_ROOT", tempfile.mkdtemp(dir=ROOT / "var" / "bench"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from tests.upload_bombs import (  # noqa: E402
    columns_bomb,
    county_table,
    depth_bomb,
    kolada_json,
    register_file,
    rows_bomb,
    size_bomb,
    xlsx_cells_bomb,
    xlsx_empty_rows,
)

MB = 1024 * 1024
RESULTS = []


class Rollback(Exception):
    pass


def officer_client(role):
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username=f"bench-{role.value}")
    user.groups.add(Group.objects.get(name=role.value))
    client = Client()
    client.force_login(user)
    return client


def measure(kind, case, size, run, expect):
    """Run `run()` in a transaction rolled back afterwards; `expect(result)` says the outcome.
    Prints the wall time and this process's CPU time (the database server's is in the wall
    time only): on a busy machine the CPU time is the steadier figure."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic():
            result = run()
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            outcome = expect(result)
            raise Rollback
    except Rollback:
        pass
    RESULTS.append((kind, case, size, outcome, seconds, cpu))
    print(
        f"{kind:<12} {case:<46} {size / MB:>7.2f} MB  {outcome:<44} {seconds:>6.2f} s {cpu:>6.2f} s"
    )


def page_outcome(response):
    if response.status_code == 302:
        return "accepted (302)"
    text = " ".join(response.content.decode().split())
    for marker in ("gränsen", "Rad ", "Filen"):
        at = text.find(marker)
        if at >= 0:
            return f"refused ({response.status_code}): {text[at : at + 28]}…"
    return f"status {response.status_code}"


def key_data(codes):
    from common.roles import Role

    client = officer_client(Role.OFFICER)

    def post(name, content):
        return lambda: client.post(
            reverse("allocations:dataset_import"),
            {
                "name": "Bänk",
                "measure": "befolkning",
                "reference_date": "2023-11-01",
                "file": SimpleUploadedFile(name, content),
            },
        )

    cases = [
        (
            f"max: 21 rows × {settings.KEYDATA_MAX_COLUMNS} columns",
            "max.csv",
            county_table(codes, settings.KEYDATA_MAX_COLUMNS),
        ),
        ("over: 200 000 columns (the found file)", "k.csv", columns_bomb(200_000)),
        (
            f"over: {settings.KEYDATA_MAX_ROWS + 1} rows",
            "r.csv",
            rows_bomb(settings.KEYDATA_MAX_ROWS + 1),
        ),
        ("over: bytes (limit + 1)", "b.csv", size_bomb(settings.KEYDATA_MAX_UPLOAD_MB * MB + 1)),
        ("over: XLSX declaring XFD1048576", "c.xlsx", xlsx_cells_bomb()),
        ("over: XLSX of 1 000 000 empty rows", "e.xlsx", xlsx_empty_rows(1_000_000)),
    ]
    for case, name, content in cases:
        measure("key data", case, len(content), post(name, content), page_outcome)


def register():
    from common.roles import Role

    client = officer_client(Role.OFFICER)

    def post(name, content):
        return lambda: client.post(
            reverse("reporting:register_import", args=[2023]),
            {"file": SimpleUploadedFile(name, content)},
        )

    rows = settings.REGISTER_MAX_ROWS
    cases = [
        (f"max: {rows} grants", "max.csv", register_file(rows)),
        ("over: 200 000 rows, 6 MB (the found file)", "r.csv", register_file(200_000)),
        (f"over: {rows + 1} rows", "r1.csv", register_file(rows + 1)),
        ("over: 100 columns", "k.csv", columns_bomb(100)),
        ("over: XLSX of 1 000 000 empty rows", "e.xlsx", xlsx_empty_rows(1_000_000)),
    ]
    for case, name, content in cases:
        measure("register", case, len(content), post(name, content), page_outcome)


def kolada():
    from common.roles import Role
    from plan.demo import load_plan_setup
    from tests.plan.conftest import plan_data

    client = officer_client(Role.OFFICER)
    values = settings.KOLADA_MAX_VALUES

    data = plan_data()
    data.pop("links")
    data.pop("agreement_indicators")
    plan = load_plan_setup(data)

    def post(name, content):
        return lambda: client.post(
            reverse("plan:kolada", args=[plan.pk]), {"file": SimpleUploadedFile(name, content)}
        )

    cases = [
        (f"max: {values} values", "max.json", kolada_json(values)),
        (f"over: {values + 1} values", "v.json", kolada_json(values + 1)),
        ("over: nested 1 000 000 deep", "d.json", depth_bomb(1_000_000)),
        ("over: bytes (limit + 1)", "b.json", b" " * (settings.KOLADA_MAX_UPLOAD_MB * MB + 1)),
    ]
    for case, name, content in cases:
        measure("kolada", case, len(content), post(name, content), page_outcome)


def ledger(skip):
    from common.roles import Role
    from distribution.models import CostObject
    from followup.demo import DEMO_MAPPING
    from followup.models import LedgerSource
    from grants.models import Agreement, DevelopmentArea

    client = officer_client(Role.FINANCE)
    header = ";".join(DEMO_MAPPING.values())

    def setup():
        agreement = Agreement.objects.create(
            year=2023,
            short_name="Bänk",
            name="Bänk 2023",
            slug="bank-2023",
            national_total=Decimal("1000000000"),
        )
        area = DevelopmentArea.objects.create(agreement=agreement, name="Nära vård")
        for number in ("9916", "9917"):
            CostObject.objects.create(year=2023, number=number, name=number, area=area)
        return LedgerSource.objects.create(name="Bänkkälla", mapping=DEMO_MAPPING)

    def post(name, content):
        def run():
            source = setup()
            return client.post(
                reverse("followup:imports"),
                {"source": source.pk, "file": SimpleUploadedFile(name, content)},
            )

        return run

    def csv_at(size):
        # Columns in DEMO_MAPPING's order: Objekt, Belopp, Period, Bokf.datum, Konto, Ansvar,
        # Aktivitet, Verifikationsnr, Text; one row in 50 on a grant object.
        lines, total, n = [header], 0, 0
        while total < size - 200:
            obj = "9916" if n % 50 == 0 else f"{5000 + n % 3000}"
            month = f"{n % 12 + 1:02d}"
            line = f"{obj};{n % 9000},50;2023{month};2023-{month}-10;5410;1;;V{n};Rad {n}"
            lines.append(line)
            total += len(line) + 2
            n += 1
        return ("\r\n".join(lines) + "\r\n").encode("cp1252"), n

    def sie_at(size):
        head = (
            '#FLAGGA 0\r\n#SIETYP 4\r\n#RAR 0 20230101 20231231\r\n#DIM 1 "Kst"\r\n'
            '#OBJEKT 1 "9916" "Bänk"\r\n'
        )
        parts, total, n = [head], len(head), 0
        while total < size - 300:
            obj = "9916" if n % 50 == 0 else f"{5000 + n % 3000}"
            month = f"{n % 12 + 1:02d}"
            block = (
                f'#VER A {n + 1} 2023{month}10 "Ver {n}"\r\n{{\r\n'
                f'   #TRANS 5410 {{1 "{obj}"}} {n % 9000}.50\r\n'
                f"   #TRANS 1930 {{}} -{n % 9000}.50\r\n}}\r\n"
            )
            parts.append(block)
            total += len(block)
            n += 1
        return "".join(parts).encode("cp437"), n

    def post_sie(content):
        def run():
            setup()
            return client.post(
                reverse("followup:imports"),
                {"source": "", "file": SimpleUploadedFile("max.se", content)},
            )

        return run

    limit = settings.LEDGER_MAX_UPLOAD_MB * MB
    cells = settings.LEDGER_XLSX_MAX_CELLS
    cases = [
        ("over: XLSX declaring XFD1048576", "c.xlsx", xlsx_cells_bomb()),
        (
            "over: XLSX of 1 000 000 rows × 11 empty cells",
            "e.xlsx",
            xlsx_empty_rows(1_000_000, DEMO_MAPPING.values(), last="K"),
        ),
        (
            f"at the cell limit: {cells // 10} rows × 10 empty cells",
            "m.xlsx",
            xlsx_empty_rows(cells // 10 - 1, DEMO_MAPPING.values(), last="J"),
        ),
    ]
    if not skip:
        content, rows = csv_at(limit)
        cases.insert(
            0, (f"max: {limit // MB} MB CSV, {rows} rows, 2 % on grants", "max.csv", content)
        )
    for case, name, content in cases:
        measure("ledger", case, len(content), post(name, content), page_outcome)
    sie_limit = settings.LEDGER_SIE_MAX_UPLOAD_MB * MB
    content, vouchers = sie_at(sie_limit)
    case = f"max: {sie_limit // MB} MB SIE, {vouchers} vouchers, 2 % on grants"
    measure("ledger", case, len(content), post_sie(content), page_outcome)
    over = content + b"#TRANS 1930 {} 1.00\r\n" * 20
    measure("ledger", "over: SIE of its limit + 1 line", len(over), post_sie(over), page_outcome)


def signed_copy():
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    from reporting.signed_copies import SignedCopyRefused, check_signed_copy

    def pdf_with_stream(data, flate=False):
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        stream = StreamObject()
        stream._data = data
        if flate:
            stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    def check(content):
        def run():
            try:
                check_signed_copy(content)
                return "accepted"
            except SignedCopyRefused as refused:
                return f"refused: {str(refused)[:38]}"

        return run

    limit = settings.SIGNED_COPY_MAX_UPLOAD_MB * MB
    at_max = pdf_with_stream(os.urandom(limit - 2000))
    packer = zlib.compressobj(9)
    bomb = b"".join(packer.compress(b"\0" * MB) for _ in range(1024)) + packer.flush()
    for case, content in [
        (f"max: {limit // MB} MB PDF (check only)", at_max),
        ("over: 1 GiB flate bomb (check only)", pdf_with_stream(bomb, flate=True)),
    ]:
        measure("signed copy", case, len(content), check(content), lambda r: r)


def scb():
    from allocations.scb import ScbError, read_population

    def run():
        try:
            read_population(depth_bomb(1_000_000), ["23"], "2023M10")
        except ScbError as refused:
            return f"refused: {str(refused)[:38]}"
        return "accepted"

    measure("scb", "over: nested 1 000 000 deep", 2 * 1_000_000, run, lambda r: r)


KINDS = {
    "key-data": lambda codes, skip: key_data(codes),
    "register": lambda codes, skip: register(),
    "kolada": lambda codes, skip: kolada(),
    "signed-copy": lambda codes, skip: signed_copy(),
    "scb": lambda codes, skip: scb(),
    "ledger": lambda codes, skip: ledger(skip),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-ledger", action="store_true", help="no 100 MB ledger CSV")
    parser.add_argument("--only", nargs="*", choices=list(KINDS), help="these kinds only")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from grants.models import Region

    codes = list(Region.objects.values_list("county_code", flat=True))
    print(f"{'kind':<12} {'case':<46} {'size':>10}  {'outcome':<44} {'wall':>8} {'CPU':>8}")
    chosen = args.only or KINDS
    for kind in chosen:
        with transaction.atomic():  # users and the plan made for the runs go too
            KINDS[kind](codes=codes, skip=args.skip_ledger)
            transaction.set_rollback(True)
    print()
    print("Worst per kind, wall (CPU): accepted at the maximum (10 s), refused over a limit (5 s)")
    for kind in dict.fromkeys(r[0] for r in RESULTS):
        accepted = [r for r in RESULTS if r[0] == kind and r[1].startswith(("max", "at "))]
        refused = [r for r in RESULTS if r[0] == kind and r[1].startswith("over")]
        print(
            f"  {kind:<12} accepted {max((r[4] for r in accepted), default=0):6.2f} s "
            f"({max((r[5] for r in accepted), default=0):5.2f} s)   "
            f"refused {max((r[4] for r in refused), default=0):6.2f} s "
            f"({max((r[5] for r in refused), default=0):5.2f} s)"
        )


if __name__ == "__main__":
    main()
