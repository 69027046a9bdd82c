"""Population per county from SCB's open statistics API (PxWebApi v1), read exactly.

The agreements' keys use the population on 1 November the year before. SCB's table
BE0101A/BefolkManad gives the population at the end of each month, so 1 November 2022 is
the period `2022M10`. The query selects the 21 counties (value set `vs:RegionLän07`), the
content `000003O5` (folkmängd) and that month; age and sex are left out, so SCB sums over
them. The answer is JSON-stat 2.0 (`"format": "json-stat2"`), read with Decimal.

    POST {SCB_API_URL}/BE/BE0101/BE0101A/BefolkManad
"""

import datetime
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from math import prod

from django.conf import settings

from common.limits import MB, LimitExceeded, check_json_depth, check_size
from common.refusals import Refused

TABLE = "BE/BE0101/BE0101A/BefolkManad"
TABLE_ID = "BE0101A/BefolkManad"
CONTENT = "000003O5"
COUNTY_VALUE_SET = "vs:RegionLän07"
# The 290 municipalities on the same table (four-digit codes, the first two the county's).
MUNICIPALITY_VALUE_SET = "vs:RegionKommun07"
COLUMN = "folkmangd"  # as in the population files read in by hand, so rules move on to it
TIMEOUT_SECONDS = 30
# JSON-stat nests five levels; an answer deeper than this is not one (and is never parsed).
MAX_DEPTH = 20


def max_bytes() -> int:
    return settings.SCB_MAX_ANSWER_MB * MB


class ScbError(Refused):
    """SCB could not be asked, or its answer cannot be used; the message is Swedish."""


def api_url() -> str:
    return settings.SCB_API_URL.rstrip("/")


def period_for(reference_date: datetime.date) -> str:
    """The month whose end is the day before `reference_date`: 2022-11-01 -> `2022M10`."""
    if reference_date.day != 1:
        raise ScbError(
            "SCB redovisar folkmängden vid varje månads slut. Ange den första dagen i "
            "månaden efter, t.ex. 2023-11-01 för folkmängden den 31 oktober 2023."
        )
    end = reference_date - datetime.timedelta(days=1)
    return f"{end.year}M{end.month:02d}"


def population_query(
    reference_date: datetime.date, county_codes, value_set: str = COUNTY_VALUE_SET
) -> dict:
    return {
        "query": [
            {
                "code": "Region",
                "selection": {"filter": value_set, "values": sorted(county_codes)},
            },
            {"code": "ContentsCode", "selection": {"filter": "item", "values": [CONTENT]}},
            {
                "code": "Tid",
                "selection": {"filter": "item", "values": [period_for(reference_date)]},
            },
        ],
        "response": {"format": "json-stat2"},
    }


def post_query(url: str, query: dict) -> bytes:
    """POST the query; the answer's bytes. Raises ScbError naming what went wrong."""
    request = urllib.request.Request(
        url,
        data=json.dumps(query).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            content = response.read(max_bytes() + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 403:
            raise ScbError("SCB nekade frågan (för många värden eller anrop, HTTP 403).") from exc
        if exc.code == 404:
            raise ScbError(f"SCB har ingen tabell på {url} (HTTP 404).") from exc
        raise ScbError(f"SCB svarade med HTTP {exc.code}.") from exc
    except (OSError, ValueError) as exc:
        raise ScbError(f"SCB kunde inte nås ({exc}).") from exc
    try:
        check_size(len(content), max_bytes(), "SCB:s svar")
    except LimitExceeded as refused:
        raise ScbError(str(refused)) from refused
    return content


@dataclass(frozen=True)
class Population:
    period: str
    values: dict[str, Decimal]  # county code -> population
    label: str
    source: str
    updated: str


def read_population(content: bytes, county_codes, period: str, what: str = "län") -> Population:
    """The population per county (or per municipality, `what="kommun"`) from a JSON-stat 2.0
    answer; every one asked for or refused."""
    try:
        check_json_depth(content.decode("utf-8"), MAX_DEPTH, "SCB:s svar")
        data = json.loads(content, parse_float=Decimal, parse_int=Decimal)
    except LimitExceeded as refused:
        raise ScbError(str(refused)) from refused
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ScbError("SCB:s svar är inte JSON-stat (JSON kunde inte läsas).") from exc
    if not isinstance(data, dict) or data.get("class") != "dataset":
        raise ScbError("SCB:s svar är inte ett JSON-stat 2.0-dataset.")
    try:
        ids = list(data["id"])
        sizes = [int(s) for s in data["size"]]
        dimensions = data["dimension"]
        values = data["value"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ScbError("SCB:s svar saknar id, size, dimension eller value.") from exc
    if "Region" not in ids or len(ids) != len(sizes):
        raise ScbError("SCB:s svar har ingen dimension Region.")
    if isinstance(values, dict):  # the sparse form: index -> value
        values = [values.get(str(i)) for i in range(prod(sizes))]
    if len(values) != prod(sizes):
        raise ScbError("SCB:s svar har fel antal värden för sina dimensioner.")

    def index_of(dimension):
        index = dimensions[dimension]["category"]["index"]
        if isinstance(index, list):
            return {code: i for i, code in enumerate(index)}
        return {code: int(i) for code, i in index.items()}

    fixed = {}
    for dimension, size in zip(ids, sizes, strict=True):
        if dimension == "Region":
            continue
        if size != 1:
            raise ScbError(f"SCB:s svar har {size} värden för {dimension}; frågan bad om ett.")
        fixed[dimension] = 0
    if "Tid" in ids and period not in index_of("Tid"):
        raise ScbError(f"SCB:s svar gäller inte perioden {period}.")
    regions = index_of("Region")
    stride = prod(sizes[ids.index("Region") + 1 :])
    missing = sorted(set(county_codes) - set(regions))
    if missing:
        plural = "länen" if what == "län" else "kommunerna"
        raise ScbError(f"SCB:s svar saknar {plural} " + ", ".join(missing) + ".")
    population = {}
    for code in sorted(county_codes):
        value = values[regions[code] * stride]
        if value is None:
            raise ScbError(f"SCB:s svar saknar folkmängden för {what} {code}.")
        value = Decimal(value)
        if value < 0 or value != value.to_integral_value():
            raise ScbError(f"SCB:s folkmängd för {what} {code} är inte ett antal: {value}.")
        population[code] = value
    return Population(
        period=period,
        values=population,
        label=str(data.get("label", "")),
        source=str(data.get("source", "")),
        updated=str(data.get("updated", "")),
    )


def fetch_population(
    reference_date: datetime.date, county_codes, value_set: str = COUNTY_VALUE_SET
) -> tuple[Population, str]:
    """Ask SCB; (the population per county, or per municipality with
    `value_set=MUNICIPALITY_VALUE_SET`, the URL asked)."""
    query = population_query(reference_date, county_codes, value_set)
    url = f"{api_url()}/{TABLE}"
    content = post_query(url, query)
    what = "kommun" if value_set == MUNICIPALITY_VALUE_SET else "län"
    return read_population(content, county_codes, period_for(reference_date), what), url
