"""The 2023 rules reproduce the agreement's published tables (bilaga 2, 3 and 4)."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from allocations.reads import build_allocation_table

from ..conftest import SHARED_REFERENCE

# The oracle is the shared reference when it is there, else the project's copy of it.
REFERENCE = (
    SHARED_REFERENCE
    if SHARED_REFERENCE.is_dir()
    else Path(settings.BASE_DIR) / "fixtures" / "reference"
)


def published(filename, column):
    with open(REFERENCE / filename, encoding="utf-8") as f:
        return {row["lanskod"]: int(row[column]) for row in csv.DictReader(f, delimiter=";")}


def column(table, label):
    return next(c for c in table.columns if c.label == label)


def computed(table, label):
    return {code: cell.computed for code, cell in column(table, label).cells.items()}


REGION_COLUMNS = [
    ("vardens_medarbetare", "Vårdens medarbetare, regionerna", 1_999_000_000),
    ("vidareutbildning", "Vidareutbildning för sjuksköterskor, regionerna", 400_000_000),
    ("karriartjanster", "Karriärtjänster för specialistsjuksköterskor", 100_000_000),
    ("vision_e_halsa", "Vision e-hälsa 2025", 70_000_000),
    ("ambulans", "Ambulanssjukvård", 85_000_000),
]
MUNICIPAL_COLUMNS = [
    ("nara_vard", "Nära vård, kommunerna", 750_000_000),
    ("vardens_medarbetare", "Vårdens medarbetare, kommunerna", 200_000_000),
    ("vidareutbildning", "Vidareutbildning för sjuksköterskor, kommunerna", 100_000_000),
]


@pytest.mark.parametrize(("csv_column", "label", "national"), REGION_COLUMNS)
def test_regions_within_two_kronor_of_bilaga_3(allocations2023, csv_column, label, national):
    table = build_allocation_table(allocations2023, "regioner")
    expected = published("gnv-2023-bilaga3-regioner.csv", csv_column)
    result = computed(table, label)
    assert len(result) == 21
    assert sum(result.values()) == national
    assert sum(expected.values()) == national
    for code, amount in result.items():
        assert abs(amount - expected[code]) <= 2, (label, code, amount, expected[code])


@pytest.mark.parametrize(("csv_column", "label", "national"), MUNICIPAL_COLUMNS)
def test_counties_within_two_kronor_of_bilaga_2(allocations2023, csv_column, label, national):
    table = build_allocation_table(allocations2023, "kommuner")
    expected = published("gnv-2023-bilaga2-kommuner.csv", csv_column)
    result = computed(table, label)
    assert sum(result.values()) == national
    for code, amount in result.items():
        assert abs(amount - expected[code]) <= 2, (label, code, amount, expected[code])


def test_regions_nara_vard_within_0_2_percent_and_difference_shown(allocations2023):
    table = build_allocation_table(allocations2023, "regioner")
    nara = column(table, "Nära vård, regionerna")
    expected = published("gnv-2023-bilaga3-regioner.csv", "nara_vard")
    assert nara.total.computed == 2_389_000_000
    for code, cell in nara.cells.items():
        assert cell.decided == expected[code]
        assert cell.difference == cell.computed - expected[code]
        # Percent to one decimal, as the reports show it: Gotland is the furthest off,
        # 55 447 kr or 0,205 %, the rest at most 0,177 %.
        percent = abs(cell.difference) / expected[code] * 100
        assert percent.quantize(Decimal("0.1")) <= Decimal("0.2"), (code, percent)
    # The published column is not exactly the rule, and the table says where.
    assert any(cell.flagged for cell in nara.cells.values())


def test_rural_outcome_short_by_two_kronor_is_noted_and_still_sums_exactly(allocations2023):
    table = build_allocation_table(allocations2023, "regioner")
    rural = column(table, "varav Primärvård i landsbygd")
    published_outcome = published("landsbygdsnyckel-utfall-2023.csv", "belopp_kr")
    assert sum(published_outcome.values()) == 299_999_998
    assert rural.total.computed == 300_000_000
    assert rural.total.decided == 299_999_998
    note = "299\u00a0999\u00a0998\u00a0kr, 2\u00a0kr mindre"
    assert any(note in text for text in table.notes)
    for code, cell in rural.cells.items():
        assert abs(cell.computed - published_outcome[code]) <= 1


def test_every_column_total_is_the_national_amount(allocations2023):
    for group, total in (("regioner", 5_043_000_000), ("kommuner", 1_050_000_000)):
        table = build_allocation_table(allocations2023, group)
        for col in table.columns:
            if col.kind == "component":
                assert col.total.computed == col.component.national_amount
        assert column(table, "Totalt").total.computed == total
        assert column(table, "Totalt").total.decided == total


def test_own_region_is_marked(allocations2023):
    table = build_allocation_table(allocations2023, "regioner")
    own = [r for r in table.recipients if r.is_own]
    assert [(r.code, r.name) for r in own] == [("23", "Region Jämtland Härjedalen")]
    total = column(table, "Totalt").cells["23"]
    assert total.decided == 75_422_690
