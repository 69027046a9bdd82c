"""The one way the app writes CSV: semicolons, CRLF, UTF-8 with BOM so Excel opens it right.

Every cell goes through common.inert: amounts as plain numbers, text that starts like a
formula neutralised."""

import csv
import io
from collections.abc import Iterable

from .inert import csv_text


def csv_bytes(header: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(name) for name in header])
    writer.writerows([csv_text(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
