"""Generated upload files of every kind: valid ones at a documented maximum and bombs over one
(rows, columns, bytes, nesting depth, decompression). Used by tests/test_upload_limits.py and
scripts/bench_uploads.py, so the test and the benchmark send the same files."""

import json

from .followup.forge import xlsx_bytes


def county_table(codes, columns: int) -> bytes:
    """A key-data file: a row per county code, `columns` value columns."""
    header = ";".join(["lanskod", "region", *(f"kolumn {n}" for n in range(1, columns + 1))])
    lines = [header]
    for code in codes:
        lines.append(";".join([code, f"Län {code}", *(str(1000 + n) for n in range(columns))]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def columns_bomb(columns: int) -> bytes:
    """A header row of `columns` columns (the one that held a worker 120 s: 200 000, 1.5 MB)."""
    header = ";".join(["lanskod", "region", *(f"k{n}" for n in range(columns))])
    return (header + "\n01;Stockholm;" + ";".join(["1"] * columns) + "\n").encode("utf-8")


def rows_bomb(rows: int, header: str = "lanskod;region;folkmangd") -> bytes:
    return (header + "\n" + "01;Stockholm;1\n" * rows).encode("utf-8")


def size_bomb(size: int, header: str = "lanskod;region;folkmangd") -> bytes:
    """A file of `size` bytes: one row with a comment column padding it out."""
    start = (header + "\n01;Stockholm;1;").encode("utf-8")
    return start + b"x" * max(size - len(start) - 1, 0) + b"\n"


def xlsx_cells_bomb() -> bytes:
    """A few bytes that declare the whole sheet (XFD1048576: 17 billion cells)."""
    return xlsx_bytes([["lanskod", "region", "folkmangd"]], dimension="A1:XFD1048576")


def xlsx_empty_rows(rows: int, header=("lanskod", "region", "folkmangd"), last="J") -> bytes:
    """`rows` rows of empty cells (A to `last`) under a header: packs a hundredfold (a million
    are 8 MB)."""
    body = "".join(
        f'<row r="{n}"><c r="A{n}"/><c r="{last}{n}" t="inlineStr"><is><t></t></is></c></row>'
        for n in range(2, rows + 2)
    )
    return xlsx_bytes([list(header)], extra=body)


def register_file(rows: int) -> bytes:
    """A state-grant register file of `rows` grants, each with one amount."""
    lines = ["Statsbidrag;Myndighet;Diarienummer;Belopp;Kommentar;Tillfälligt"]
    lines += [
        f"Statsbidrag {n};Socialstyrelsen;S2023/{n};{(n + 1) * 1000};;nej" for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


REGISTER_HEADER = "Statsbidrag;Belopp"


def kolada_json(values: int, kpi="N15428", municipality="2380") -> bytes:
    """A Kolada answer of `values` posts, one value each: the first for `municipality`, the
    rest for municipalities 1000–1999 (never a party of the plan)."""
    posts = [
        {
            "kpi": kpi,
            "municipality": municipality if n == 0 else f"{1000 + n % 1000:04d}",
            "period": 2000 + n % 100,
            "values": [{"gender": "T", "status": "", "value": n}],
        }
        for n in range(values)
    ]
    return json.dumps({"values": posts}).encode("utf-8")


def depth_bomb(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth
