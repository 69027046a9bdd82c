"""Issue 24: population per county from SCB's PxWebApi, kept as key data."""

import csv
import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from allocations import scb
from allocations.actions import do_copy_agreement
from allocations.models import KeyDataSet, KeyDataValue, MunicipalityValue

from .scb_server import RECORDED, ScbServer, stand_in

with (RECORDED.parent / "reference" / "kommuner.csv").open(encoding="utf-8") as f:
    KOMMUNER = [r["kommunkod"] for r in csv.DictReader(f, delimiter=";")]
COUNTIES = [
    f"{c:02d}" for c in (1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, 24, 25)
]


@pytest.fixture
def scb_api(settings):
    with ScbServer() as server:
        settings.SCB_API_URL = server.url
        yield server


def test_the_query_is_the_documented_pxweb_shape():
    query = scb.population_query(datetime.date(2023, 11, 1), COUNTIES)
    by_code = {q["code"]: q["selection"] for q in query["query"]}
    assert by_code["Region"] == {"filter": "vs:RegionLän07", "values": COUNTIES}
    assert by_code["ContentsCode"]["values"] == ["000003O5"]
    assert by_code["Tid"]["values"] == ["2023M10"]
    assert query["response"] == {"format": "json-stat2"}
    with pytest.raises(scb.ScbError, match="första dagen"):
        scb.period_for(datetime.date(2023, 10, 31))


def test_the_recorded_answer_reads_exactly():
    content = (RECORDED / "befolkmanad-lan-2022M10.json").read_bytes()
    population = scb.read_population(content, COUNTIES, "2022M10")
    assert population.values["23"] == Decimal("132484")
    assert sum(population.values.values()) == 10_514_719


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(value=d["value"][:-1]), "fel antal"),
        (lambda d: d["value"].__setitem__(3, None), "saknar folkmängden"),
        (lambda d: d["value"].__setitem__(3, 1.5), "inte ett antal"),
        (lambda d: d["dimension"]["Tid"]["category"].update(index={"2021M10": 0}), "perioden"),
        (lambda d: d.pop("class"), "JSON-stat"),
    ],
)
def test_a_wrong_answer_is_refused(change, message):
    data = json.loads((RECORDED / "befolkmanad-lan-2022M10.json").read_text("utf-8"))
    change(data)
    with pytest.raises(scb.ScbError, match=message):
        scb.read_population(json.dumps(data).encode(), COUNTIES, "2022M10")


def test_fetch_scb_keeps_a_key_data_set_with_source_table_and_date(db, scb_api):
    call_command("fetch_scb", "--date", "2022-11-01", "--name", "Befolkning SCB 2022-11-01")
    dataset = KeyDataSet.objects.get(name="Befolkning SCB 2022-11-01")
    assert dataset.measure == "befolkning"
    assert dataset.reference_date == datetime.date(2022, 11, 1)
    assert "BE0101A/BefolkManad" in dataset.source and "2022M10" in dataset.source
    values = KeyDataValue.objects.filter(column__dataset=dataset, column__code="folkmangd")
    assert values.count() == 21
    assert sum(v.value for v in values) == 10_514_719
    path, query = scb_api.queries[-1]
    assert path.endswith("/BE/BE0101/BE0101A/BefolkManad")
    assert query == scb.population_query(datetime.date(2022, 11, 1), COUNTIES)
    # The same name twice: refused, nothing more saved.
    with pytest.raises(CommandError, match="finns redan"):
        call_command("fetch_scb", "--date", "2022-11-01", "--name", "Befolkning SCB 2022-11-01")


def test_fetch_scb_names_what_scb_does_not_have(db, scb_api):
    with pytest.raises(CommandError, match="HTTP 400"):
        call_command("fetch_scb", "--date", "2031-11-01")
    assert not KeyDataSet.objects.exists()


def test_the_button_fetches_and_copied_rules_use_it_at_once(
    allocations2023, client_for, scb_api, settings
):
    """The 2024 copy's rules move on to population 2023-11-01 when it is fetched; served
    here from the 2022 recording renamed (no real 2023 answer is on this machine)."""
    copy = do_copy_agreement(allocations2023)
    scb_api.server.extra["2023M10"] = stand_in("2023M10")
    response = client_for("officer").post(
        reverse("allocations:dataset_fetch_scb"), {"reference_date": "2023-11-01"}
    )
    dataset = KeyDataSet.objects.get(name="Befolkning 2023-11-01")
    assert response["Location"] == dataset.get_absolute_url()
    rule = copy.components.get(name="Vision e-hälsa 2025").allocation_rule
    assert "Befolkning 2023-11-01" in rule.describe()
    page = client_for("officer").get(reverse("allocations:dataset_list")).content.decode()
    assert "Hämta från SCB" in page


def test_the_button_says_why_nothing_was_fetched(db, users, client_for, settings):
    settings.SCB_API_URL = "http://127.0.0.1:9/none"
    response = client_for("officer").post(
        reverse("allocations:dataset_fetch_scb"), {"reference_date": "2023-11-01"}, follow=True
    )
    assert "Inget hämtades från SCB" in response.content.decode()
    assert not KeyDataSet.objects.exists()


def test_the_municipality_query_and_its_recorded_answer():
    codes = KOMMUNER
    query = scb.population_query(datetime.date(2022, 11, 1), codes, scb.MUNICIPALITY_VALUE_SET)
    by_code = {q["code"]: q["selection"] for q in query["query"]}
    assert by_code["Region"] == {"filter": "vs:RegionKommun07", "values": sorted(codes)}
    content = (RECORDED / "befolkmanad-kommun-2022M10.json").read_bytes()
    population = scb.read_population(content, codes, "2022M10", "kommun")
    assert len(population.values) == 290
    assert sum(population.values.values()) == 10_514_719
    with pytest.raises(scb.ScbError, match="saknar kommunerna 9999"):
        scb.read_population(content, [*codes, "9999"], "2022M10", "kommun")


def test_fetch_scb_per_kommun_keeps_each_municipality_and_the_sums_per_county(db, scb_api):
    call_command("fetch_scb", "--date", "2022-11-01", "--per-kommun")
    dataset = KeyDataSet.objects.get(name="Befolkning 2022-11-01 per kommun")
    assert "vs:RegionKommun07" in dataset.source and "summerade per län" in dataset.source
    path, query = scb_api.queries[-1]
    assert query["query"][0]["selection"]["filter"] == "vs:RegionKommun07"
    assert len(query["query"][0]["selection"]["values"]) == 290
    per_municipality = MunicipalityValue.objects.filter(dataset=dataset).select_related(
        "municipality__county"
    )
    assert per_municipality.count() == 290
    sums = {}
    for value in per_municipality:
        code = value.municipality.county.county_code
        sums[code] = sums.get(code, Decimal(0)) + value.value
    county_values = {
        v.region.county_code: v.value
        for v in KeyDataValue.objects.filter(column__dataset=dataset).select_related("region")
    }
    assert county_values == sums
    # The same as SCB's figures per county (the county recording).
    county_answer = json.loads((RECORDED / "befolkmanad-lan-2022M10.json").read_text("utf-8"))
    assert [county_values[c] for c in COUNTIES] == county_answer["value"]


def test_the_button_fetches_per_municipality(db, users, client_for, scb_api):
    response = client_for("officer").post(
        reverse("allocations:dataset_fetch_scb"),
        {"reference_date": "2022-11-01", "per_municipality": "on"},
    )
    dataset = KeyDataSet.objects.get(name="Befolkning 2022-11-01 per kommun")
    assert response["Location"] == dataset.get_absolute_url()
    assert dataset.municipality_values.count() == 290
    shown = client_for("officer").get(dataset.get_absolute_url()).content.decode()
    assert "Per kommun (290 kommuner" in shown and "Strömsund" in shown
    page = client_for("officer").get(reverse("allocations:dataset_list")).content.decode()
    assert "Per kommun" in page
