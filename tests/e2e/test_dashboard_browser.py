"""A manager's path: log in, read the dashboard, drill down to the list behind a number,
export it; axe-core on every page visited."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .test_browser import log_in, plain_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_the_dashboard_drills_down_and_exports(page, axe_check, users, ledger2023):
    log_in(page, "chef")
    # Managers land on the start page with Att göra, and go on to Översikt (issue 16).
    expect(page).to_have_url(re.compile(r"/start/$"))
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Översikt").click()
    expect(page).to_have_url(re.compile(r"/oversikt/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("2023")
    assert plain_text(page.locator("#received")) == "75 422 690 kr"
    # Charts are images with a name, and their numbers are a table behind "Siffrorna".
    expect(
        page.get_by_role("img", name="Fördelat, utfall och kvar per utvecklingsområde")
    ).to_be_visible()
    axe_check(page)

    page.get_by_label("Visa avvikelser större än (procent)").fill("5")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_label("Visa avvikelser större än (procent)")).to_have_value("5")
    axe_check(page)

    page.locator("#outcome").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transaktioner")
    axe_check(page)
    page.get_by_label("Objekt").fill("9943")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.get_by_role("table")).to_contain_text("9943")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som Excel (xlsx)").click()
    path = download.value.path()
    *rows, total = list(
        load_workbook(io.BytesIO(open(path, "rb").read()))["Transaktioner"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert rows and all(row[1] == "9943" for row in rows)
    assert total[0] == "Summa"

    page.goto("/oversikt/aktiviteter/?year=2023&status=beslutad")
    expect(page.get_by_role("table")).to_contain_text("Utveckling av ambulanssjukvården")
    axe_check(page)
