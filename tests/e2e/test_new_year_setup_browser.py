"""Issue 24: the whole setup of a 2024 agreement done in the browser, step by step, as an
officer would: copy 2023, fetch the population from SCB, paste the national amounts and the
annex tables, confirm the deadlines and the agreement. Prints each step's time and what had to
be typed (`pytest -m browser tests/e2e/test_new_year_setup_browser.py -s`); it asserts the
result, not the times."""

import csv
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from allocations.models import DecidedAmount, KeyDataSet
from grants.models import Agreement
from tests.allocations.scb_server import ScbServer, stand_in
from tests.allocations.test_paste_page import NATIONAL_TABLE

from .test_browser import log_in
from .test_new_year_browser import SEED_TABLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "reference"


def excel_copy(file_name, columns):
    """The annex table as Excel puts it on the clipboard: tab-separated, with its heading."""
    with (REFERENCE / file_name).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    name = "region" if "region" in rows[0] else "lan"
    lines = ["\t".join(["Region", *columns])]
    for row in rows:
        lines.append(
            "\t".join([row[name], *(f"{int(row[c]):,}".replace(",", " ") for c in columns)])
        )
    total = ["Totalt", *(f"{sum(int(r[c]) for r in rows):,}".replace(",", " ") for c in columns)]
    lines.append("\t".join(total))
    return "\n".join(lines)


class Steps:
    def __init__(self):
        self.rows = []
        self.start = time.perf_counter()
        self.last = self.start

    def done(self, what, typed=""):
        now = time.perf_counter()
        self.rows.append((what, now - self.last, typed))
        self.last = now

    def report(self):
        print("\nSetup of God och nära vård 2024 in the browser:")
        for what, seconds, typed in self.rows:
            print(f"  {seconds:6.1f} s  {what}" + (f"  [typed: {typed}]" if typed else ""))
        print(f"  {time.perf_counter() - self.start:6.1f} s  in all (machine time)")


def paste_into(page, component, text, *, columns=None):
    page.get_by_role("link", name=f"Klistra in tabell för {component}").click()
    page.get_by_label("Tabell").fill(text)
    page.get_by_role("button", name="Granska").click()
    for number, name in (columns or {}).items():
        page.get_by_label(f"Kolumn {number} till delområde", exact=False).select_option(label=name)
    if columns:
        page.get_by_role("button", name="Granska").click()
    expect(page.locator("#match-summary")).to_contain_text("21 av 21 rader")
    page.get_by_role("button", name="Bekräfta och spara").click()
    expect(page.locator(".messages")).to_contain_text("har sparats")


def test_the_whole_setup_of_2024(page, users, allocations2023, settings):
    steps = Steps()
    log_in(page, "hospa")
    steps.done("log in", "user name, password")

    page.goto(allocations2023.get_absolute_url())
    page.get_by_role("link", name="Kopiera till nytt år").click()
    page.get_by_role("button", name="Skapa utkast för 2024").click()
    copy = Agreement.objects.get(year=2024)
    steps.done("copy 2023 to a 2024 draft (2 clicks)")

    with ScbServer(extra={"2023M10": stand_in("2023M10")}) as scb:
        settings.SCB_API_URL = scb.url
        page.goto("/nyckeldata/")
        page.get_by_label("Referensdatum").fill("2023-11-01")
        page.get_by_role("button", name="Hämta från SCB").click()
        expect(page.locator(".messages")).to_contain_text("har hämtats från SCB")
    steps.done("fetch population 2023-11-01 from SCB", "the date (prefilled)")

    page.goto(copy.get_absolute_url())
    page.get_by_role("link", name="Klistra in nationella belopp").click()
    page.get_by_label("Tabell").fill(NATIONAL_TABLE)
    page.get_by_label("Källa").fill("Överenskommelsen 2024")
    page.get_by_role("button", name="Granska").click()
    page.get_by_role("button", name="Bekräfta och spara").click()
    expect(page.locator(".messages")).to_contain_text("nationella beloppen har sparats")
    steps.done(
        "paste the national amounts (12 components and the total)",
        "the source; the table's names as the app's",
    )

    page.get_by_role("link", name="Fördelning till regionerna").click()
    paste_into(
        page,
        "Nära vård, regionerna",
        excel_copy(
            "gnv-2023-bilaga3-regioner.csv",
            [
                "nara_vard",
                "vardens_medarbetare",
                "vidareutbildning",
                "karriartjanster",
                "vision_e_halsa",
                "ambulans",
            ],
        ),
        columns={
            2: "Vårdens medarbetare, regionerna",
            3: "Vidareutbildning för sjuksköterskor, regionerna",
            4: "Karriärtjänster för specialistsjuksköterskor",
            5: "Vision e-hälsa 2025",
            6: "Ambulanssjukvård",
        },
    )
    steps.done("paste bilaga 3 from Excel: 6 columns into 6 components", "5 column choices")
    paste_into(page, "Primärvård i landsbygd", SEED_TABLE.read_text("utf-8"))
    steps.done("paste bilaga 4 as copied from the PDF")

    page.goto(f"/overenskommelser/{copy.pk}/fordelning/kommuner/")
    paste_into(
        page,
        "Nära vård, kommunerna",
        excel_copy(
            "gnv-2023-bilaga2-kommuner.csv",
            ["nara_vard", "vardens_medarbetare", "vidareutbildning"],
        ),
        columns={
            2: "Vårdens medarbetare, kommunerna",
            3: "Vidareutbildning för sjuksköterskor, kommunerna",
        },
    )
    steps.done("paste bilaga 2 from Excel: 3 columns into 3 components", "2 column choices")

    page.goto(copy.get_absolute_url())
    count = copy.deadlines.count()
    for _ in range(count):
        page.get_by_role("button", name=re.compile("^Bekräfta datumet")).first.click()
        expect(page.locator(".messages")).to_contain_text("är bekräftad")
    steps.done(f"confirm {count} deadlines (one click each, after checking the date)")
    page.get_by_role("button", name="Bekräfta överenskommelsen").click()
    expect(page.locator(".messages")).to_contain_text("är bekräftad")
    steps.done("confirm the agreement")

    page.goto(f"/overenskommelser/{copy.pk}/fordelning/regioner/")
    steps.done("open the allocation table")
    steps.report()

    copy.refresh_from_db()
    assert not copy.is_draft and copy.national_total == 6_394_500_000
    assert DecidedAmount.objects.filter(component__agreement=copy).count() == 21 * 10
    assert "Befolkning 2023-11-01" in (
        copy.components.get(name="Ambulanssjukvård").allocation_rule.describe()
    )
    assert KeyDataSet.objects.filter(name="Befolkning 2023-11-01").exists()
    # Computed beside decided, with the differences flagged as for 2023.
    table = page.get_by_role("region", name=re.compile(r"^Regionerna: belopp per region"))
    expect(table.locator("tbody tr")).to_have_count(21)
    expect(table.locator("td.flagged")).not_to_have_count(0)
