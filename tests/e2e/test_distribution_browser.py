"""End to end in Chromium: the region's internal distribution of its grant. Activities per
area (adding, refusing too much, editing, history), a reallocation, and what a manager sees,
with axe-core checks of the pages on the way (`make test-browser`)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from distribution.actions import do_save_activity
from distribution.models import Activity

from .test_browser import GNV_2023, log_in, plain_text

pytestmark = [
    pytest.mark.browser,
    # The live server sees only committed data (conftest.py puts the reference data back).
    pytest.mark.django_db(transaction=True),
]

NEAR_2023 = "Utvecklingen av den nära vården med primärvården som nav"
NEAR_2020 = "Utvecklingen av den nära vården med fokus på primärvården"
NEW_ACTIVITY = "Mobilt team i glesbygd"


def add_form(page):
    return page.get_by_role("region", name="Lägg till aktivitet")


def activity_row(page, name):
    return page.locator(".activity-table tbody tr").filter(
        # The row header starts with the name; links (comments, plan) follow it.
        has=page.get_by_role("rowheader", name=re.compile("^" + re.escape(name) + r"(\s|$)"))
    )


def test_officer_adds_an_activity_and_is_refused_too_much(page, axe_check, users, distribution2023):
    log_in(page, "hospa")
    page.goto(distribution2023.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(GNV_2023)
    page.get_by_role("link", name="Fördelning inom regionen: aktiviteter och objekt").click()
    expect(page).to_have_url(
        re.compile(rf"/overenskommelser/{distribution2023.pk}/inom-regionen/$")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Fördelning inom regionen: {GNV_2023}"
    )
    axe_check(page)

    page.get_by_role("link", name=NEAR_2023, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEAR_2023)
    assert plain_text(page.locator("#unallocated")) == "17 247 254 kr"
    axe_check(page)

    form = add_form(page)
    form.get_by_label("Mål (RS/HSN)").fill("Fler vårdkontakter nära patienten")
    form.get_by_label("Insats").fill(NEW_ACTIVITY)
    form.get_by_label("Medlen avser").fill("Sjuksköterska 50 %")
    form.get_by_label("Belopp").fill("1 000 000")
    form.get_by_label("Ansvarig").fill("Primärvårdschef")
    form.get_by_label("Objekt", exact=True).select_option(label="9916 Nära vård")
    form.get_by_label("Privata utförare delaktiga").select_option(label="Ja")
    form.get_by_role("button", name="Lägg till aktivitet").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Aktiviteten ”{NEW_ACTIVITY}” har lagts till"
    )
    assert plain_text(page.locator("#unallocated")) == "16 247 254 kr"
    row = activity_row(page, NEW_ACTIVITY)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"1\s000\s000\skr"))
    expect(row).to_contain_text("9916")

    # More than the area has left: refused, the overshoot named, nothing typed lost.
    form.get_by_label("Insats").fill("För stor insats")
    form.get_by_label("Belopp").fill("20 000 000")
    form.get_by_label("Privata utförare delaktiga").select_option(label="Ja")
    form.get_by_role("button", name="Lägg till aktivitet").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Ändringen sparades inte")
    expect(alert).to_contain_text(re.compile(r"överskridet med 3\s752\s746\skr"))
    expect(form.get_by_label("Insats")).to_have_value("För stor insats")
    expect(form.get_by_label("Belopp")).to_have_value(re.compile(r"^20\s000\s000$"))
    assert plain_text(page.locator("#unallocated")) == "16 247 254 kr"
    assert not Activity.objects.filter(name="För stor insats").exists()
    axe_check(page)


def test_officer_changes_an_activity_and_reads_the_history(
    page, axe_check, users, distribution2023, area_named
):
    area = area_named(distribution2023, NEAR_2023)
    activity = do_save_activity(
        Activity(
            area=area,
            position=area.activities.count() + 1,
            name=NEW_ACTIVITY,
            amount=Decimal(1_000_000),
            private_providers=True,
        ),
        acting_user=users["officer"],
    )
    log_in(page, "hospa")
    page.goto(reverse("distribution:area", args=[area.pk]))
    activity_row(page, NEW_ACTIVITY).get_by_role("link", name=f"Ändra {NEW_ACTIVITY}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ändra aktivitet: {NEW_ACTIVITY}")
    expect(page.get_by_label("Belopp")).to_have_value(re.compile(r"^1\s000\s000$"))
    axe_check(page)

    page.get_by_label("Belopp").fill("1 500 000")
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(rf"/inom-regionen/omrade/{area.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text(f"Aktiviteten ”{NEW_ACTIVITY}” har sparats")
    expect(activity_row(page, NEW_ACTIVITY)).to_contain_text(re.compile(r"1\s500\s000\skr"))
    assert plain_text(page.locator("#unallocated")) == "15 747 254 kr"
    activity.refresh_from_db()
    assert activity.amount == 1_500_000

    page.get_by_role("link", name="Historik för området").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Historik: {NEAR_2023}")
    changes = page.get_by_role("table", name="Ändringar, senaste först")
    latest = changes.locator("tbody tr").first
    expect(latest).to_contain_text("hospa")
    expect(latest).to_contain_text(NEW_ACTIVITY)
    expect(latest).to_contain_text("Ändrad")
    assert "Belopp: 1 000 000 kr → 1 500 000 kr" in plain_text(latest)
    axe_check(page)


def test_officer_reallocates_between_activities(
    page, axe_check, users, distribution2020, area_named
):
    area = area_named(distribution2020, NEAR_2020)
    source, target = "Hemmonitorering", "Samordnare för nationella satsningar i primärvård"
    reason = "Behov av mer samordning i länet"
    log_in(page, "hospa")
    page.goto(reverse("distribution:area", args=[area.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(NEAR_2020)
    expect(activity_row(page, source)).to_contain_text(re.compile(r"5\s000\s000\skr"))
    expect(activity_row(page, target)).to_contain_text(re.compile(r"600\s000\skr"))
    unallocated = plain_text(page.locator("#unallocated"))

    form = page.get_by_role("region", name="Omfördela mellan aktiviteter")
    form.get_by_label("Från aktivitet").select_option(label=source)
    form.get_by_label("Till aktivitet").select_option(label=target)
    form.get_by_label("Belopp").fill("100 000")
    form.get_by_label("Skäl").fill(reason)
    form.get_by_role("button", name="Omfördela").click()
    expect(page.get_by_role("status")).to_contain_text("Omfördelningen är gjord")
    expect(activity_row(page, source)).to_contain_text(re.compile(r"4\s900\s000\skr"))
    expect(activity_row(page, target)).to_contain_text(re.compile(r"700\s000\skr"))
    # Money moved inside the area: nothing more or less is left over.
    assert plain_text(page.locator("#unallocated")) == unallocated

    page.get_by_role("link", name="Historik för området").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Historik: {NEAR_2020}")
    moves = page.get_by_role("table", name="Omfördelningar mellan aktiviteter, senaste först")
    expect(moves.locator("tbody tr")).to_have_count(1)
    move = moves.locator("tbody tr")
    for text in ("hospa", source, target, reason):
        expect(move).to_contain_text(text)
    expect(move).to_contain_text(re.compile(r"100\s000\skr"))
    changes = page.get_by_role("table", name="Ändringar, senaste först")
    expect(changes.locator("tbody tr", has_text=reason)).to_have_count(2)
    expect(changes).to_contain_text(re.compile(r"5\s000\s000\skr → 4\s900\s000\skr"))
    axe_check(page)


def test_manager_reads_an_area_without_the_forms(
    page, axe_check, users, distribution2023, area_named
):
    area = area_named(distribution2023, NEAR_2023)
    log_in(page, "chef")
    page.goto(reverse("distribution:agreement", args=[distribution2023.pk]))
    page.get_by_role("link", name=NEAR_2023, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/inom-regionen/omrade/{area.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NEAR_2023)
    assert plain_text(page.locator("#unallocated")) == "17 247 254 kr"
    expect(page.locator(".activity-table tbody tr")).not_to_have_count(0)
    expect(page.get_by_role("heading", name="Lägg till aktivitet")).to_have_count(0)
    expect(page.get_by_role("button", name="Lägg till aktivitet")).to_have_count(0)
    expect(page.get_by_role("button", name="Omfördela")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^(Ändra|Ta bort) "))).to_have_count(0)
    expect(page.locator("form[method=post]")).to_have_count(1)  # logging out
    axe_check(page)


def test_every_field_on_the_area_page_has_its_own_label(page, users, distribution2020, area_named):
    log_in(page, "hospa")
    page.goto(reverse("distribution:area", args=[area_named(distribution2020, NEAR_2020).pk]))
    duplicates = page.evaluate(
        """() => {
            const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
            return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
        }"""
    )
    assert duplicates == []
    reallocation = page.get_by_role("region", name="Omfördela mellan aktiviteter")
    expect(reallocation.get_by_label("Belopp")).to_have_count(1)
