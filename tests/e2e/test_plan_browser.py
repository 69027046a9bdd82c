"""End to end in Chromium: the joint primary-care plan. A manager goes from the dashboard's
indicator to its values and from a plan activity to the money behind it; an officer types
in a value and changes a status. axe-core on every page on the way (`make test-browser`)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from followup.demo import load_demo_ledger
from plan.demo import load_plan_setup
from tests.built_once import built_once

from .test_browser import log_in, plain_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "plan" / "gemensam-plan-primarvard.json"
FAST_CONTACT = "Andel i befolkningen med namngiven fast läkarkontakt i primärvården"
FAST_CONTACTS_ACTIVITY = "Utveckla rutiner och arbetssätt för fasta kontakter"
HEALTH_CHOICE = "24 mkr fördelas till samtliga vårdenheter inom hälsovalet"


@pytest.fixture
def plan_with_money(distribution2023):
    def build():
        load_demo_ledger(distribution2023)
        return load_plan_setup(json.loads(PLAN_FILE.read_text("utf-8")))

    return built_once("plan_with_money", build)


def test_manager_from_indicator_to_values_and_from_plan_to_money(
    page, axe_check, users, plan_with_money
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "chef")
    expect(page).to_have_url(re.compile(r"/start/$"))  # the start page with Att göra
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Översikt").click()
    expect(page).to_have_url(re.compile(r"/oversikt/$"))
    section = page.get_by_role("region", name="Indikatorer mot mål")
    expect(section).to_be_visible()
    row = section.locator("#plan-indicators tbody tr").filter(
        has=page.get_by_role("link", name=FAST_CONTACT)
    )
    expect(row).to_contain_text("Minst 55 %")
    # The dashboard's year is 2023 (the agreement's): the value known for 2023, 52,4 %.
    expect(row).to_contain_text("52,4 %")
    expect(row).to_contain_text("Ej uppfyllt")
    expect(page.get_by_role("img", name=f"Utveckling: {FAST_CONTACT}")).to_be_visible()
    axe_check(page)

    row.get_by_role("link", name=FAST_CONTACT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FAST_CONTACT)
    values = page.locator("#values")
    women_2023 = (
        values.locator("tbody tr")
        .filter(has=page.get_by_role("rowheader", name="Region Jämtland Härjedalen, kvinnor"))
        .filter(has_text="2023")
    )
    expect(women_2023).to_contain_text("54,9 %")
    expect(women_2023).to_contain_text("Ej uppfyllt")
    total_2024 = (
        values.locator("tbody tr")
        .filter(has=page.get_by_role("rowheader", name="Region Jämtland Härjedalen", exact=True))
        .filter(has_text="2024")
    )
    expect(total_2024).to_contain_text("56,1 %")
    expect(total_2024).to_contain_text("Uppfyllt")
    expect(total_2024).to_contain_text("↑ ökat")
    # A manager reads but does not edit.
    expect(page.get_by_role("heading", name="Lägg till värde")).to_have_count(0)
    axe_check(page)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Gemensam plan"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gemensam plan för primärvårdsnivå i Jämtland Härjedalen"
    )
    axe_check(page)
    page.get_by_role("link", name=FAST_CONTACTS_ACTIVITY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FAST_CONTACTS_ACTIVITY)
    money = page.locator("#money")
    money_row = money.locator("tbody tr").filter(has_text=HEALTH_CHOICE)
    expect(money_row).to_contain_text(re.compile(r"24\s000\s000\skr"))
    outcome = plain_text(page.locator("#money-outcome"))
    assert outcome.endswith("kr") and outcome != "0 kr"
    axe_check(page)

    money_row.get_by_role("link", name=HEALTH_CHOICE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Utvecklingen av den nära vården med primärvården som nav"
    )
    expect(page.locator(".plan-links").first).to_contain_text(FAST_CONTACTS_ACTIVITY)
    axe_check(page)


def test_officer_types_a_value_and_changes_a_status(page, axe_check, users, plan_with_money):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "hospa")
    page.goto("/plan/")
    page.get_by_role("link", name="Kontinuitetsindex, kronisk sjukdom, primärvård (region)").click()
    form = page.get_by_role("region", name="Lägg till värde")
    form.get_by_label("Part").select_option(label="Region Jämtland Härjedalen")
    form.get_by_role("spinbutton", name=re.compile(r"^År")).fill("2025")
    form.get_by_label("Värde").fill("0,34")
    form.get_by_label("Kommentar").fill("Preliminärt värde")
    form.get_by_role("button", name="Spara värdet").click()
    expect(page.get_by_role("status")).to_contain_text("Värdet har sparats")
    row = page.locator("#values tbody tr").filter(has_text="2025").first
    expect(row).to_contain_text("0,34")
    expect(row).to_contain_text("Uppfyllt")  # 0,34 is above 2024's 0,33
    expect(row).to_contain_text("↑ ökat")
    axe_check(page)

    page.goto("/plan/")
    page.get_by_role("link", name="Kartlägga behov av samverkan vid egenmonitorering").click()
    article = page.get_by_role("article", name="Kartlägga behovet")
    article.get_by_label("Ny status").select_option(label="Pågår")
    article.get_by_label("Kommentar").fill("Start i Fredagsgruppen")
    article.get_by_role("button", name="Ändra status").click()
    expect(page.get_by_role("status")).to_contain_text("är nu Pågår")
    history = page.get_by_role("table", name="Statushistorik för Kartlägga behovet")
    expect(history).to_contain_text("Start i Fredagsgruppen")
    expect(history).to_contain_text("Ej påbörjat")
    axe_check(page)
