"""Issue 24 end to end in Chromium: copy 2023 to 2024, paste seed 001's table of money for
primärvård i landsbygd into its component, confirm, and find the amounts in the allocation
table; axe-core on every page added (`make test-browser`)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from allocations.models import DecidedAmount
from grants.models import Agreement
from tests.allocations.test_paste_page import NATIONAL_TABLE

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Bilaga 4 of seed 001 as its text layer gives it (the lines an officer selects and copies in
# the PDF viewer), from the table's caption to the source line below "Totalt".
SEED_TABLE = Path(__file__).parent / "data" / "seed-001-bilaga-4-landsbygd.txt"
RURAL = "Primärvård i landsbygd"


def test_officer_copies_2023_to_2024_and_pastes_the_rural_table(
    page, axe_check, users, allocations2023
):
    log_in(page, "hospa")
    page.goto(allocations2023.get_absolute_url())
    page.get_by_role("link", name="Kopiera till nytt år").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kopiera God och nära vård 2023 till 2024"
    )
    axe_check(page)
    page.get_by_role("button", name="Skapa utkast för 2024").click()

    copy = Agreement.objects.get(year=2024)
    expect(page).to_have_url(re.compile(rf"/overenskommelser/{copy.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("God och nära vård 2024 Utkast")
    expect(page.locator("#draft-notice")).to_contain_text("God och nära vård 2023")
    expect(page.get_by_text("att bekräfta").first).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Fördelning till regionerna").click()
    page.get_by_role("link", name=f"Klistra in tabell för {RURAL}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Klistra in tabell: {RURAL}")
    axe_check(page)

    page.get_by_label("Tabell").fill(SEED_TABLE.read_text("utf-8"))
    page.get_by_label("Källa").fill("Bilaga 4, God och nära vård 2023 (seed 001)")
    page.get_by_role("button", name="Granska").click()
    expect(page.locator("#match-summary")).to_contain_text("21 av 21 rader")
    expect(page.locator("#match-summary")).to_contain_text("Alla regioner och län finns med")
    rows = page.get_by_role("table", name="Raderna i tabellen")
    expect(rows.locator("tbody tr")).to_have_count(21)
    expect(rows.get_by_role("row", name=re.compile(r"^\d+ Jämtland "))).to_contain_text(
        "Region Jämtland Härjedalen"
    )
    sums = page.get_by_role("table", name="Summor per kolumn").locator("tbody tr")
    # The table's own total row and the rows' sum; as published they differ by 2 kr.
    expect(sums).to_contain_text(re.compile(r"299\s999\s998\skr"))
    expect(sums).to_contain_text(re.compile(r"300\s000\s000\skr"))
    expect(sums).to_contain_text(re.compile(r"−2\skr"))
    assert not DecidedAmount.objects.filter(component__agreement=copy).exists()
    axe_check(page)

    page.get_by_role("button", name="Bekräfta och spara").click()
    expect(page).to_have_url(re.compile(rf"/overenskommelser/{copy.pk}/fordelning/regioner/"))
    expect(page.locator(".messages")).to_contain_text(RURAL)
    table = page.get_by_role("region", name=re.compile(r"^Regionerna: belopp per region"))
    own = table.locator("tbody tr.own-region")
    expect(own).to_contain_text(re.compile(r"14\s897\s341"))
    decided = DecidedAmount.objects.filter(component__agreement=copy, component__name=RURAL)
    assert decided.count() == 21
    assert sum(d.amount for d in decided) == 299_999_998
    axe_check(page)

    # The agreement list marks the draft.
    page.goto("/overenskommelser/")
    expect(page.get_by_role("row", name=re.compile("God och nära vård 2024"))).to_contain_text(
        "Utkast"
    )
    axe_check(page)
    # The national amounts' paste page, empty and with its preview.
    page.goto(f"/overenskommelser/{copy.pk}/nationella-belopp/")
    expect(page.get_by_label("Tabell")).to_have_value(re.compile(r"^Nära vård, regionerna\t"))
    axe_check(page)
    page.get_by_label("Tabell").fill(NATIONAL_TABLE)
    page.get_by_role("button", name="Granska").click()
    expect(page.locator("#national-sum")).to_contain_text("summan är lika med den")
    axe_check(page)
    # The key data page's SCB form.
    page.goto("/nyckeldata/")
    expect(page.get_by_role("button", name="Hämta från SCB")).to_be_visible()
    axe_check(page)
