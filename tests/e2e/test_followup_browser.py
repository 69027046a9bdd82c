"""End to end in Chromium: the ledger follow-up. Finance maps a new ledger source and imports
a file (a bad one refused first), reads budget against outcome for a period and downloads the
reconciliation, closes and reopens a month; an officer enters a forecast. axe-core checks the
pages on the way (`make test-browser`)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from common.money import format_amount
from distribution.models import Activity
from followup.demo import load_demo_ledger
from followup.models import ClosedPeriod, LedgerImport, LedgerSource, LedgerTransaction

from ..followup.test_ledger_import import ROWS, csv_bytes
from .test_browser import log_in, plain_text

pytestmark = [
    pytest.mark.browser,
    # The live server sees only committed data (conftest.py puts the reference data back).
    pytest.mark.django_db(transaction=True),
]

SOURCE = "Agresso huvudbok"
TERTIAL_2 = "Tertial 2 (maj–augusti)"


def file_field(page):
    return page.get_by_label(re.compile(r"^Fil\b"))


def main_nav(page):
    return page.get_by_role("navigation", name="Huvudmeny")


def test_finance_maps_a_source_and_imports_a_ledger_file(
    page, axe_check, users, distribution2023, tmp_path
):
    sample = tmp_path / "exempel.csv"
    sample.write_bytes(csv_bytes())
    bad = tmp_path / "huvudbok-fel.csv"
    bad.write_bytes(csv_bytes(ROWS + ["V6;2023-03-13;5410;1234;9916;;Fel belopp;202303;tolv"]))
    good = tmp_path / "huvudbok-2023.csv"
    good.write_bytes(csv_bytes())

    log_in(page, "ekonom")
    main_nav(page).get_by_role("link", name="Huvudbok").click()
    expect(page).to_have_url(re.compile(r"/uppfoljning/importer/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Utfall från huvudboken")
    expect(page.get_by_role("table", name="Senaste importerna")).to_contain_text(
        "Inga importer ännu."
    )
    axe_check(page)

    # Step 1: a sample file, whose header row is read.
    page.get_by_role("link", name="Ny källa (kolumner)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny källa för huvudbok")
    page.get_by_label("Namn på källan").fill(SOURCE)
    page.get_by_label("Exempelfil").set_input_files(sample)
    axe_check(page)
    page.get_by_role("button", name="Läs filen").click()

    # Step 2: the file's first rows, the header row found below the title line, and a
    # column of the file for each field; most are guessed from the headers.
    expect(page.get_by_role("button", name="Spara källan")).to_be_visible()
    preview = page.get_by_role("table", name=re.compile("Filens första rader"))
    expect(preview).to_contain_text("Huvudbok 2023")
    expect(preview).to_contain_text("Mobilt team mars")
    expect(page.get_by_role("combobox", name="Rubrikrad")).to_have_value("3")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(tmp_path / "mapping.png"), full_page=True)
    expect(page.get_by_label("Objekt", exact=True)).to_have_value("Objekt")
    expect(page.get_by_label("Belopp", exact=True)).to_have_value("Belopp")
    expect(page.get_by_label("Period", exact=True)).to_have_value("Period")
    # The date column is mapped too (issue 22: it was left empty).
    expect(page.get_by_label("Datum", exact=True)).to_have_value("Bokföringsdatum")
    axe_check(page)
    page.get_by_role("button", name="Spara källan").click()
    expect(page).to_have_url(re.compile(r"/uppfoljning/importer/$"))
    expect(page.get_by_role("status")).to_contain_text(f"Källan ”{SOURCE}” är sparad")
    mapping = LedgerSource.objects.get(name=SOURCE).mapping
    assert mapping["date"] == "Bokföringsdatum" and mapping["amount"] == "Belopp"

    # A non-numeric amount on a grant object: the row and column named, nothing saved.
    page.get_by_label("Källa (kolumner)").select_option(label=SOURCE)
    file_field(page).set_input_files(bad)
    page.get_by_role("button", name="Läs in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("”huvudbok-fel.csv” kunde inte läsas in – inget har sparats")
    expect(alert).to_contain_text("Rad 9, kolumn ”Belopp”: ”tolv” är inte ett tal.")
    expect(page.get_by_role("table", name="Senaste importerna")).to_contain_text(
        "Inga importer ännu."
    )
    assert not LedgerImport.objects.exists() and not LedgerTransaction.objects.exists()
    axe_check(page)

    expect(page.get_by_label("Källa (kolumner)")).to_have_value(
        str(LedgerSource.objects.get(name=SOURCE).pk)
    )
    file_field(page).set_input_files(good)
    page.get_by_role("button", name="Läs in").click()
    expect(page.get_by_role("status")).to_contain_text(
        "”huvudbok-2023.csv” är inläst: 4 rader på statsbidragsobjekt, "
        "1 rader på andra objekt ignorerade."
    )
    expect(page.get_by_role("alert")).to_have_count(0)
    row = page.get_by_role("table", name="Senaste importerna").locator("tbody tr")
    expect(row).to_have_count(1)
    cells = [plain_text(cell) for cell in row.locator("td").all()]
    assert cells[1:8] == ["ekonom", "huvudbok-2023.csv", "CSV", "2023-03, 2023-04", "4", "1", "0"]
    assert cells[8] == "14 595,75 kr"

    # A corrected March for 9916: the rows it replaces are kept and shown on its page.
    corrected = tmp_path / "huvudbok-rattelse.csv"
    corrected.write_bytes(csv_bytes([ROWS[0].replace("12 345,50", "10 000,00")]))
    page.get_by_label("Källa (kolumner)").select_option(label=SOURCE)
    file_field(page).set_input_files(corrected)
    page.get_by_role("button", name="Läs in").click()
    expect(page.get_by_role("status")).to_contain_text("”huvudbok-rattelse.csv” är inläst")
    page.get_by_role("link", name="huvudbok-rattelse.csv", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import av ”huvudbok-rattelse.csv”")
    replaced = page.get_by_role("table", name="Ersatta rader (2)")
    expect(replaced).to_contain_text("Mobilt team mars")
    expect(replaced).to_contain_text("huvudbok-2023.csv")
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
    axe_check(page)


def test_finance_reads_a_tertial_and_downloads_the_reconciliation(
    page, axe_check, users, distribution2023
):
    load_demo_ledger(distribution2023)
    log_in(page, "ekonom")
    page.goto(distribution2023.get_absolute_url())
    page.get_by_role("link", name="Uppföljning: budget mot utfall").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uppföljning: God och nära vård 2023")
    assert plain_text(page.locator(".money-box dd").first) == "75 422 690 kr"
    expect(
        page.get_by_role("heading", level=2, name="Årsbokslut (januari–december)")
    ).to_be_visible()
    axe_check(page)

    page.get_by_label("Period").select_option(label=TERTIAL_2)
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?period=T2$"))
    expect(page.get_by_label("Period")).to_have_value("T2")
    expect(page.get_by_role("heading", level=2, name=TERTIAL_2)).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("tertial 2 (maj–augusti)")
    axe_check(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner avstämning (xlsx)").click()
    name = download.value.suggested_filename
    assert name.endswith(".xlsx"), name
    assert name == "avstamning-god-och-nara-vard-2023-T2.xlsx"
    assert download.value.path().read_bytes()[:2] == b"PK"


def test_finance_closes_and_reopens_march(page, axe_check, users, gnv2023):
    reason = "Sen faktura från Länstrafiken"
    log_in(page, "ekonom")
    page.goto(reverse("followup:overview", args=[gnv2023.pk]))
    page.get_by_role("link", name="Perioder 2023").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Perioder 2023")
    expect(page).to_have_title("Perioder 2023 – Statsbidrag")
    months = page.get_by_role("table", name="Månader och status")
    march = months.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Mars"))
    expect(march).to_contain_text("Öppen")

    march.get_by_role("button", name="Stäng mars").click()
    expect(page.get_by_role("status")).to_contain_text("Mars 2023 är stängd.")
    expect(march).to_contain_text(re.compile(r"Stängd \d{4}-\d\d-\d\d av ekonom"))
    assert ClosedPeriod.objects.filter(year=2023, month=3).exists()
    axe_check(page)

    march.get_by_label("Skäl att öppna mars").fill(reason)
    march.get_by_role("button", name="Öppna").click()
    expect(page.get_by_role("status")).to_contain_text("Mars 2023 är öppnad igen.")
    expect(march).to_contain_text("Öppen")
    assert not ClosedPeriod.objects.exists()
    history = page.get_by_role("table", name="Stängningar och öppningar").locator("tbody tr")
    expect(history).to_have_count(2)
    reopened = history.filter(has_text="Öppnad")
    expect(reopened).to_have_count(1)
    for text in ("ekonom", "2023-03", reason):
        expect(reopened).to_contain_text(text)
    axe_check(page)


def test_officer_enters_a_forecast(page, axe_check, users, distribution2023):
    activity = (
        Activity.objects.filter(area__agreement=distribution2023, cost_object__isnull=False)
        .order_by("pk")
        .first()
    )
    log_in(page, "hospa")
    page.goto(reverse("followup:overview", args=[distribution2023.pk]))
    row = page.locator(".followup-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=activity.name, exact=True)
    )
    expect(row).to_have_count(1)
    # Until someone enters a forecast, the outcome so far (none) plus the budget profile's
    # remaining months (no ledger read: the whole budget) stands in for it, marked so.
    budget = format_amount(activity.amount).replace("\u00a0", " ")
    assert plain_text(row.locator("td").last).startswith(f"{budget} (utfall + budgetprofil)")
    row.get_by_role("link", name=f"Ändra prognos för {activity.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Prognos: {activity.name}")
    axe_check(page)

    page.get_by_label("Prognos för året").fill("1 234 567")
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(rf"/overenskommelser/{distribution2023.pk}/uppfoljning/$"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Prognosen för ”{activity.name}” är sparad."
    )
    forecast = plain_text(row.locator("td").last)
    assert forecast.startswith("1 234 567 kr (angiven)")
    activity.refresh_from_db()
    assert activity.forecast == 1_234_567
