"""The one way the app writes CSV: semicolons, CRLF, UTF-8 with BOM so Excel opens it right."""

import csv
import io
from collections.abc import Iterable


def csv_bytes(header: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
