"""End to end in Chromium: the allocation table and its exports, rules, decided amounts and
key data (reading, editing, importing a file), with axe-core checks (`make test-browser`)."""

import re

import pytest
from playwright.sync_api import expect

from allocations.models import KeyDataSet
from grants.models import Region

from .test_browser import GNV_2023, log_in

pytestmark = [
    pytest.mark.browser,
    # The live server sees only committed data (conftest.py puts the reference data back).
    pytest.mark.django_db(transaction=True),
]

POPULATION_2022 = "Befolkning 2022-11-01"
POPULATION_2023 = "Befolkning 2023-11-01"


def main_nav(page):
    return page.get_by_role("navigation", name="Huvudmeny")


def axe_check_whole_table(page, axe_check):
    """axe cannot judge the contrast of cells scrolled out of sight in `.table-scroll` (it
    lists them as "incomplete", not as violations), so check again with the whole
    allocation table on screen. The page keeps the wider layout until the next navigation."""
    size = page.viewport_size
    page.set_viewport_size({"width": 4400, "height": size["height"]})
    # Through the CSSOM: the Content-Security-Policy blocks an added <style> tag.
    page.evaluate(
        "() => document.querySelectorAll('.wrap').forEach(e => { e.style.maxWidth = 'none'; })"
    )
    assert page.evaluate(
        "() => { const s = document.querySelector('.table-scroll');"
        " return s.scrollWidth <= s.clientWidth; }"
    ), "the allocation table is still wider than its scroll region"
    axe_check(page)
    page.set_viewport_size(size)


def test_officer_reads_the_allocation_table_rules_and_exports(
    page, axe_check, users, allocations2023
):
    log_in(page, "hospa")
    page.goto(allocations2023.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(GNV_2023)
    page.get_by_role("link", name="Fördelning till regionerna").click()
    expect(page).to_have_url(
        re.compile(rf"/overenskommelser/{allocations2023.pk}/fordelning/regioner/$")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fördelning: {GNV_2023}")
    tabs = page.get_by_role("navigation", name="Mottagare")
    expect(tabs.get_by_role("link", name="Regionerna")).to_have_attribute("aria-current", "page")

    table = page.get_by_role("region", name=re.compile(r"^Regionerna: belopp per region"))
    expect(table.locator("tbody tr")).to_have_count(21)
    own = table.locator("tbody tr.own-region")
    expect(own).to_have_count(1)
    expect(own.get_by_role("rowheader")).to_contain_text("Region Jämtland Härjedalen")
    expect(own).to_contain_text("egen region")
    # The published rural outcome adds up to 2 kr less than the component's amount
    # (JavaScript's \s takes in the no-break spaces of the amounts).
    expect(
        page.get_by_role("note").filter(has_text=re.compile(r"299\s999\s998\skr"))
    ).to_have_count(1)
    # Some computed amounts differ from the decided ones: their contrast is checked below.
    expect(table.locator("td.flagged")).not_to_have_count(0)
    axe_check(page)

    # The XLSX export is a download named after the agreement and the group.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner Excel (xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    assert download.failure() is None

    axe_check_whole_table(page, axe_check)

    tabs.get_by_role("link", name="Kommunerna via RSS").click()
    expect(page).to_have_url(
        re.compile(rf"/overenskommelser/{allocations2023.pk}/fordelning/kommuner/$")
    )
    expect(tabs.get_by_role("link", name="Kommunerna via RSS")).to_have_attribute(
        "aria-current", "page"
    )
    table = page.get_by_role("region", name=re.compile(r"^Kommunerna via RSS: belopp per län"))
    expect(table.locator("tbody tr")).to_have_count(21)
    axe_check(page)

    # The rule and the decided amounts of a component, from the regions' table.
    tabs.get_by_role("link", name="Regionerna").click()
    rules = page.get_by_role("region", name="Fördelningsregler och beslutade belopp")
    rules.get_by_role("link", name="Regel för Vision e-hälsa 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fördelningsregel: Vision e-hälsa 2025"
    )
    expect(page.get_by_label("Grundbelopp per mottagare")).to_have_value(re.compile(r"^500\s000"))
    axe_check(page)

    page.go_back()
    rules.get_by_role("link", name="Beslutade belopp för Vision e-hälsa 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Beslutade belopp: Vision e-hälsa 2025"
    )
    expect(page.get_by_label("Region Jämtland Härjedalen")).not_to_have_value("")
    axe_check(page)


def test_officer_reads_edits_and_imports_key_data(
    page, axe_check, users, allocations2023, tmp_path
):
    log_in(page, "hospa")
    main_nav(page).get_by_role("link", name="Nyckeldata").click()
    expect(page).to_have_url(re.compile(r"/nyckeldata/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nyckeldata")
    page.get_by_role("link", name=POPULATION_2022, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(POPULATION_2022)
    values = page.get_by_role("table", name="Värden per län")
    expect(values.locator("tbody tr")).to_have_count(21)
    expect(values.locator("tbody tr.own-region")).to_contain_text("egen region")
    expect(values.locator("tbody tr.own-region td.num")).to_have_text(re.compile(r"^\d{3}\s\d{3}$"))
    axe_check(page)

    page.get_by_role("link", name="Ändra värden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ändra värden: {POPULATION_2022}")
    expect(page.get_by_label("Jämtland Härjedalen, folkmangd")).not_to_have_value("")
    axe_check(page)

    main_nav(page).get_by_role("link", name="Nyckeldata").click()
    page.get_by_role("link", name="Läs in nyckeldata").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Läs in nyckeldata")
    page.get_by_label("Namn").fill(POPULATION_2023)
    page.get_by_label("Mått").select_option(label="Befolkning 1 november")
    page.get_by_label("Referensdatum").fill("2023-11-01")
    page.get_by_label("Källa").fill("SCB")

    codes = list(Region.objects.values_list("county_code", flat=True))
    assert len(codes) == 21
    bad = tmp_path / "befolkning-fel.csv"
    bad.write_text(
        "lanskod;folkmangd\n"
        + f"{codes[0]};-5\n"
        + "99;1000\n"
        + "".join(f"{code};{1000 + i}\n" for i, code in enumerate(codes[1:])),
        encoding="utf-8",
    )
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(bad)
    page.get_by_role("button", name="Läs in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("inget har sparats")
    expect(summary).to_contain_text("Rad 2, kolumn ”folkmangd”: värdet får inte vara negativt.")
    expect(summary).to_contain_text("Rad 3, kolumn ”lanskod”: okänd länskod ”99”.")
    assert not KeyDataSet.objects.filter(name=POPULATION_2023).exists()
    axe_check(page)

    good = tmp_path / "befolkning.csv"
    good.write_text(
        "lanskod;folkmangd\n" + "".join(f"{code};{1000 + i}\n" for i, code in enumerate(codes)),
        encoding="utf-8",
    )
    # The form keeps what was typed, but a browser never keeps the chosen file.
    expect(page.get_by_label("Namn")).to_have_value(POPULATION_2023)
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(good)
    page.get_by_role("button", name="Läs in").click()
    expect(page).to_have_url(re.compile(r"/nyckeldata/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(POPULATION_2023)
    expect(page.get_by_role("status")).to_contain_text("har lästs in")
    values = page.get_by_role("table", name="Värden per län")
    expect(values.locator("tbody tr")).to_have_count(21)
    expect(values.locator("tbody tr").first.locator("td.num")).to_have_text(re.compile(r"^1\s000$"))
    assert KeyDataSet.objects.get(name=POPULATION_2023).columns.get().values.count() == 21
