"""Reading key figures saved from Kolada (RKA's open database) as JSON or CSV.

Pure: bytes in, values and named problems out. The same parser reads a file a user saved
from kolada.se and what the `fetch_kolada` command gets from the Kolada API (v2/v3 data
responses have the same ``values`` list).

JSON: ``{"values": [{"kpi": "N…", "municipality": "2380", "period": 2023,
"values": [{"gender": "T"|"K"|"M", "value": 55.3, "count": 1, "status": ""}]}]}``.
Numbers are read exactly (as Decimal), never through float.

CSV (Kolada's table export, or one made by hand): a header row with the KPI id, the
municipality id, the year, the gender and the value; semicolons or commas; decimal comma or
point. Header names accepted are in ``CSV_COLUMNS``.
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings

from common.limits import MB, LimitExceeded, check_json_depth, check_size, thousands
from common.money import AmountError, parse_decimal

GENDERS = {"T": "T", "K": "K", "M": "M", "TOTALT": "T", "KVINNOR": "K", "MÄN": "M", "ALLA": "T"}
KPI_RE = re.compile(r"^[NU]\d{5}$")
MUNICIPALITY_RE = re.compile(r"^\d{4}$")
CSV_COLUMNS = {
    "kpi": ("kpi", "kpi-id", "kpi id", "nyckeltal-id", "nyckeltals-id", "nyckeltal id", "id"),
    "municipality": (
        "municipality",
        "kommun-id",
        "kommunid",
        "kommun id",
        "område-id",
        "organisations-id",
        "region-id",
        "municipality_id",
    ),
    "period": ("period", "år", "ar", "year"),
    "gender": ("gender", "kön", "kon"),
    "value": ("value", "värde", "varde"),
}
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class KoladaValue:
    where: str  # "Rad 4" or "Post 3, kön K", for messages
    kpi: str
    municipality: str
    year: int
    gender: str
    value: Decimal | None  # None: Kolada has no value (status "Saknas" or empty)


@dataclass
class ParseResult:
    values: list[KoladaValue]
    problems: list[str]


def parse_kolada(content: bytes, file_name: str = "") -> ParseResult:
    """JSON or CSV, told apart by content (a JSON file starts with ``{``); a file over a limit
    (KOLADA_MAX_UPLOAD_MB, KOLADA_MAX_VALUES, KOLADA_MAX_DEPTH) is refused naming it."""
    try:
        check_size(len(content), settings.KOLADA_MAX_UPLOAD_MB * MB, "Kolada-filen")
    except LimitExceeded as refused:
        return ParseResult([], [str(refused)])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            return ParseResult([], ["Filen är varken UTF-8 eller Windows-1252 och kan inte läsas."])
    if not text.strip():
        return ParseResult([], ["Filen är tom."])
    if text.lstrip().startswith(("{", "[")):
        return parse_json(text)
    return parse_csv(text)


def _year(raw) -> int | None:
    text = str(raw).strip()
    if re.fullmatch(r"\d{4}", text) and 2000 <= int(text) <= 2100:
        return int(text)
    return None


def _check(where, kpi, municipality, period, gender, problems):
    ok = True
    if not KPI_RE.match(kpi):
        problems.append(
            f"{where}: nyckeltalet ”{kpi}” är inget Kolada-id (N eller U och fem siffror)."
        )
        ok = False
    if not MUNICIPALITY_RE.match(municipality):
        problems.append(
            f"{where}: kommun/region ”{municipality}” är inget Kolada-id (fyra "
            "siffror, t.ex. 2380 eller 0023)."
        )
        ok = False
    year = _year(period)
    if year is None:
        problems.append(f"{where}: perioden ”{period}” är inget år (t.ex. 2023).")
        ok = False
    code = GENDERS.get(str(gender).strip().upper())
    if code is None:
        problems.append(f"{where}: kön ”{gender}” ska vara T, K eller M.")
        ok = False
    return ok, year, code


def _too_many_values() -> str:
    return (
        f"Kolada-filen har fler än {thousands(settings.KOLADA_MAX_VALUES)} värden; gränsen "
        f"är {thousands(settings.KOLADA_MAX_VALUES)} värden. Hämta färre år eller kommuner."
    )


def parse_json(text: str) -> ParseResult:
    try:
        check_json_depth(text, settings.KOLADA_MAX_DEPTH, "Kolada-filen")
    except LimitExceeded as refused:
        return ParseResult([], [str(refused)])
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        return ParseResult([], [f"Filen är inte giltig JSON (rad {exc.lineno}: {exc.msg})."])
    except RecursionError:
        # Kolada's answer is three levels deep; a file nested thousands deep is not one.
        return ParseResult([], ["Filen är för djupt nästlad för att vara ett svar från Kolada."])
    posts = data.get("values") if isinstance(data, dict) else data
    if not isinstance(posts, list):
        return ParseResult([], ["Filen saknar listan ”values” som Kolada skriver."])
    values, problems = [], []
    if len(posts) > settings.KOLADA_MAX_VALUES or (
        sum(
            len(p["values"])
            for p in posts
            if isinstance(p, dict) and isinstance(p.get("values"), list)
        )
        > settings.KOLADA_MAX_VALUES
    ):
        return ParseResult([], [_too_many_values()])
    for number, post in enumerate(posts, start=1):
        if len(problems) >= MAX_PROBLEMS:
            problems.append("Fler fel finns; rätta de här först.")
            break
        where = f"Post {number}"
        if not isinstance(post, dict):
            problems.append(f"{where}: är inget objekt.")
            continue
        missing = [k for k in ("kpi", "municipality", "period", "values") if k not in post]
        if missing:
            problems.append(f"{where}: fältet {', '.join(missing)} saknas.")
            continue
        kpi = str(post["kpi"]).strip()
        municipality = str(post["municipality"]).strip()
        if not isinstance(post["values"], list):
            problems.append(f"{where}: ”values” är ingen lista.")
            continue
        for entry in post["values"]:
            if not isinstance(entry, dict):
                problems.append(f"{where}: ett värde är inget objekt.")
                continue
            gender = entry.get("gender", "T")
            here = f"{where} (kön {gender})"
            ok, year, code = _check(here, kpi, municipality, post["period"], gender, problems)
            raw = entry.get("value")
            if raw is None or raw == "":
                number_value = None
            elif isinstance(raw, Decimal) and not isinstance(raw, bool):
                number_value = raw
            else:
                try:
                    number_value = parse_decimal(raw)
                except AmountError:
                    problems.append(f"{here}: värdet ”{raw}” är inget tal.")
                    continue
            if ok:
                values.append(KoladaValue(here, kpi, municipality, year, code, number_value))
    return ParseResult(values, problems)


def _column_map(header: list[str]):
    names = [h.strip().strip('"').lower() for h in header]
    found, problems = {}, []
    for key, aliases in CSV_COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[key] = index
                break
    missing = [k for k in CSV_COLUMNS if k not in found and k != "gender"]
    if missing:
        wanted = {
            "kpi": "nyckeltal (KPI-id)",
            "municipality": "kommun-id",
            "period": "år",
            "value": "värde",
        }
        problems.append(
            "Rad 1: kolumnen för "
            + ", ".join(wanted[k] for k in missing)
            + " saknas. Rubrikraden ska ha t.ex. kpi;municipality;period;gender;value."
        )
    return found, problems


def parse_csv(text: str) -> ParseResult:
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > settings.KOLADA_MAX_VALUES + 1:  # and the header row
                return ParseResult([], [_too_many_values()])
    except csv.Error as exc:
        return ParseResult([], [f"Filen kan inte läsas som CSV ({exc})."])
    if not rows:
        return ParseResult([], ["Filen är tom."])
    columns, problems = _column_map(rows[0])
    if problems:
        return ParseResult([], problems)
    values = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(problems) >= MAX_PROBLEMS:
            problems.append("Fler fel finns; rätta de här först.")
            break
        where = f"Rad {number}"
        if len(row) < len(rows[0]):
            problems.append(f"{where}: har {len(row)} kolumner, rubrikraden {len(rows[0])}.")
            continue
        cell = {key: row[index].strip() for key, index in columns.items()}
        ok, year, code = _check(
            where,
            cell["kpi"],
            cell["municipality"],
            cell["period"],
            cell.get("gender", "T"),
            problems,
        )
        raw = cell["value"]
        number_value = None
        if raw not in ("", "..", "-", "–"):
            try:
                number_value = parse_decimal(raw)
            except (AmountError, InvalidOperation):
                problems.append(f"{where}: värdet ”{raw}” är inget tal.")
                continue
        if ok:
            values.append(
                KoladaValue(where, cell["kpi"], cell["municipality"], year, code, number_value)
            )
    return ParseResult(values, problems)
