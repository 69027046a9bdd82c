"""End to end in Chromium: logging in, reading an agreement, adding a deadline, roles, and
axe-core accessibility checks of the pages on the way (`make test-browser`)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    # The live server sees only committed data (conftest.py puts the reference data back).
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "lösen-för-test"
GNV_2023 = "God och nära vård 2023"


def log_in(page, username):
    """Sign in through the real login form, starting from wherever the page is."""
    if "/logga-in/" not in page.url:
        page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def plain_text(locator):
    """The text with no-break and narrow no-break spaces as single ordinary spaces."""
    text = locator.inner_text().replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text).strip()


def test_officer_logs_in_and_reads_an_agreement(page, axe_check, users, demo):
    page.goto("/logga-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    axe_check(page)

    log_in(page, "hospa")
    # Everyone lands on the start page with Att göra (issue 16).
    expect(page).to_have_url(re.compile(r"/start/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Statsbidrag")
    agreements_2023 = page.locator("h3", has_text=re.compile(r"^2023$")).locator(
        "xpath=following-sibling::ul[1]"
    )
    agreement_link = agreements_2023.get_by_role("link", name=GNV_2023, exact=True)
    expect(agreement_link).to_be_visible()
    axe_check(page)

    agreement_link.click()
    expect(page).to_have_url(re.compile(rf"/overenskommelser/{demo[2023].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(GNV_2023)
    assert plain_text(page.locator("#national-total")) == "6 394 500 000 kr"
    # An officer may edit (the manager's test checks that these are gone for a manager).
    expect(page.get_by_role("link", name="Ändra uppgifter")).to_be_visible()
    expect(page.get_by_role("link", name="Ny frist")).to_be_visible()
    axe_check(page)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Överenskommelser"
    ).click()
    expect(page).to_have_url(re.compile(r"/overenskommelser/$"))
    expect(page.get_by_role("table")).to_contain_text(GNV_2023)
    axe_check(page)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Regioner").click()
    expect(page).to_have_url(re.compile(r"/regioner/$"))
    own = page.locator("tbody tr", has_text="Region Jämtland Härjedalen")
    expect(own).to_have_class(re.compile(r"\bown-region\b"))
    expect(own).to_contain_text("egen region")
    expect(page.locator("tbody tr.own-region")).to_have_count(1)
    expect(page.locator("tbody tr")).to_have_count(21)
    axe_check(page)


def test_officer_adds_a_deadline_that_is_soon(page, axe_check, users, gnv2023):
    due = timezone.localdate() + datetime.timedelta(days=5)
    log_in(page, "hospa")
    page.goto(gnv2023.get_absolute_url())
    page.get_by_role("link", name="Ny frist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ny frist – {GNV_2023}")
    axe_check(page)

    # Without a date the form comes back with its errors, which must be accessible too.
    page.get_by_label("Typ").select_option(label="Delredovisning")
    page.get_by_label("Mottagande myndighet").select_option(label="Socialstyrelsen")
    page.get_by_role("button", name="Spara").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Formuläret innehåller fel")
    expect(summary.get_by_role("link", name="Senast")).to_be_visible()
    expect(page.get_by_label("Senast")).to_have_attribute("aria-invalid", "true")
    axe_check(page)

    page.get_by_label("Senast").fill(due.isoformat())
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(rf"/overenskommelser/{gnv2023.pk}/#frister$"))
    expect(page.get_by_role("status")).to_contain_text("har sparats")
    row = page.locator("#frister tbody tr", has_text=due.isoformat())
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Delredovisning")
    expect(row).to_contain_text("Socialstyrelsen")
    expect(row).to_have_class(re.compile(r"\bdeadline-snart\b"))
    # 4 if the clock passed midnight since `due` was computed.
    expect(row.locator(".badge-soon")).to_have_text(re.compile(r"^Snart: [45] dagar kvar$"))
    axe_check(page)


def test_manager_sees_no_edit_buttons(page, users, gnv2023):
    log_in(page, "chef")
    page.goto(gnv2023.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(GNV_2023)
    expect(page.locator("#national-total")).to_be_visible()
    expect(page.get_by_role("link", name="Ändra uppgifter")).to_have_count(0)
    expect(page.get_by_role("link", name="Ny frist")).to_have_count(0)
    expect(page.get_by_role("button", name="Ändra uppgifter")).to_have_count(0)
    expect(page.get_by_role("button", name="Ny frist")).to_have_count(0)


def test_anonymous_visitor_is_sent_to_the_login_page(page, users):
    page.goto("/overenskommelser/")
    expect(page).to_have_url(re.compile(r"/logga-in/\?next=/overenskommelser/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_have_count(0)

    log_in(page, "hospa")
    expect(page).to_have_url(re.compile(r"/overenskommelser/$"))
