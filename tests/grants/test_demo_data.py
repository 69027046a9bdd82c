"""The demo agreements hold the documents' figures to the krona."""

import csv
from decimal import Decimal

import pytest
from django.core.management import call_command

from common.money import MILLION
from grants.models import Agreement, Region

from ..conftest import SHARED_REFERENCE

MNKR = MILLION


def area_totals(agreement):
    totals = agreement.totals()
    return {area.name: totals.by_area.get(area.pk) for area in agreement.areas.all()}


def test_2023_components_add_up_to_the_agreements_total(gnv2023):
    totals = gnv2023.totals()
    assert gnv2023.national_total == Decimal("6394.5") * MNKR
    assert totals.total == gnv2023.national_total
    assert totals.unknown_amounts == 0
    # Section 1.2 and 9.1: 5 043 to regions, 1 050 to municipalities, 51,5 to SKR, 250 VFU.
    assert totals.by_recipient_group == {
        "regioner": 5043 * MNKR,
        "kommuner": 1050 * MNKR,
        "skr": Decimal("51.5") * MNKR,
        "regioner_och_kommuner": 250 * MNKR,
    }


def test_2023_areas_match_section_1_2(gnv2023):
    assert area_totals(gnv2023) == {
        "Utvecklingen av den nära vården med primärvården som nav": 3139 * MNKR,
        "Goda förutsättningar för vårdens medarbetare": 3049 * MNKR,
        "Insatser inom ramen för Vision e-hälsa 2025": 70 * MNKR,
        "Förstärkning av ambulanssjukvården": 85 * MNKR,
    }


def test_2023_components_as_in_section_7(gnv2023):
    rows = {
        (c.name, c.get_recipient_group_display()): (c.national_amount, c.ring_fenced)
        for c in gnv2023.components.all()
    }
    assert rows[("Nära vård, regionerna", "Regionerna")] == (2389 * MNKR, False)
    assert rows[("Nära vård, kommunerna", "Kommunerna via RSS")] == (750 * MNKR, False)
    assert rows[("Vårdens medarbetare, regionerna", "Regionerna")] == (1999 * MNKR, False)
    assert rows[("Vårdens medarbetare, kommunerna", "Kommunerna via RSS")] == (200 * MNKR, False)
    assert rows[("Vidareutbildning för sjuksköterskor, regionerna", "Regionerna")] == (
        400 * MNKR,
        True,
    )
    assert rows[("Vidareutbildning för sjuksköterskor, kommunerna", "Kommunerna via RSS")] == (
        100 * MNKR,
        True,
    )
    assert rows[("Karriärtjänster för specialistsjuksköterskor", "Regionerna")] == (
        100 * MNKR,
        True,
    )
    assert rows[("VFU-satsning för sjuksköterskestudenter", "Regioner och kommuner")][0] == (
        250 * MNKR
    )
    assert rows[("Vision e-hälsa 2025", "Regionerna")][0] == 70 * MNKR
    assert rows[("Ambulanssjukvård", "Regionerna")][0] == 85 * MNKR
    rural = gnv2023.components.get(name="Primärvård i landsbygd")
    assert rural.national_amount == 300 * MNKR
    assert rural.included_in.name == "Nära vård, regionerna"
    assert all(c.requirements for c in gnv2023.components.filter(recipient_group="regioner"))


def test_2023_deadlines_of_section_9(gnv2023):
    deadlines = {(d.kind, d.due_date.isoformat(), d.authority) for d in gnv2023.deadlines.all()}
    assert {
        ("vfu_redovisning", "2023-03-31", "socialstyrelsen"),
        ("rekvisition", "2023-12-01", "kammarkollegiet"),
        ("ekonomisk_redovisning", "2024-03-31", "kammarkollegiet"),
        ("aterbetalning", "2024-03-31", "kammarkollegiet"),
        ("verksamhetsrapport", "2024-03-31", "socialstyrelsen"),
    } <= deadlines


def test_2020_as_the_region_decision_gives_it(demo):
    agreement = demo[2020]
    assert agreement.region_case_number == "RS/195/2020"
    assert agreement.national_total == Decimal("6250.5") * MNKR
    assert area_totals(agreement) == {
        "Utvecklingen av den nära vården med fokus på primärvården": 2953 * MNKR,
        "Ökad tillgänglighet i barnhälsovården": Decimal("114.5") * MNKR,
        # Seed 001, section 3.1: the area was 2 919 mnkr in 2020.
        "Goda förutsättningar för vårdens medarbetare": 2919 * MNKR,
        "Insatser inom ramen för Vision e-hälsa 2025": 230 * MNKR,
    }
    totals = agreement.totals()
    # The document does not say how much went to SKR; the gap is shown, not hidden.
    assert totals.unknown_amounts == 1
    assert totals.difference_from(agreement.national_total) == 34 * MNKR


def test_2021_at_the_level_the_follow_up_gives(demo):
    agreement = demo[2021]
    assert agreement.region_case_number == "RS/116/2021"
    assert agreement.national_total == 6778 * MNKR
    # Seed 001, section 3.1: Goda förutsättningar för vårdens medarbetare 2021 was 3 281 mnkr.
    assert area_totals(agreement)["Goda förutsättningar för vårdens medarbetare"] == 3281 * MNKR
    assert agreement.areas.count() == 4
    assert agreement.totals().unknown_amounts == 4


@pytest.mark.skipif(not SHARED_REFERENCE.is_dir(), reason="../shared/reference saknas")
def test_regions_are_the_reference_table(db):
    with open(SHARED_REFERENCE / "regioner.csv", encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter=";")
        reference = [(r["lanskod"], r["lan"], r["region"]) for r in rows]
    assert list(Region.objects.values_list("county_code", "county_name", "name")) == reference


def test_load_demo_twice_keeps_one_copy_and_user_edits(db, capsys):
    call_command("load_demo")
    agreement = Agreement.objects.get(slug="god-och-nara-vard-2023")
    agreement.notes = "Ändrad av en handläggare"
    agreement.save()
    call_command("load_demo")
    assert Agreement.objects.count() == 3
    agreement.refresh_from_db()
    assert agreement.notes == "Ändrad av en handläggare"
    assert "finns redan" in capsys.readouterr().out
