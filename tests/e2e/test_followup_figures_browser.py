"""End to end in Chromium: the figures a head of finance signs. Finance reads costs, income,
the ring-fenced pots and the amount to repay on the follow-up page and refines the chart of
accounts; an officer gives an activity a budget profile (month amounts that must add up).
axe-core checks each page; screenshots at 1366×768 go to the test's tmp_path."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from distribution.models import Activity
from followup.models import ActivityBudgetProfile

from ..reporting.test_figures_agree import import_hand_ledger
from .test_browser import log_in, plain_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_reads_the_money_and_an_officer_sets_a_profile(
    page, axe_check, users, distribution2023, tmp_path
):
    import_hand_ledger(distribution2023)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "ekonom")
    page.goto(reverse("followup:overview", args=[distribution2023.pk]))
    box = page.get_by_role("region", name="Mottaget, kostnader, intäkter och ej förbrukat")
    expect(box).to_be_visible()
    text = plain_text(box)
    assert "Kostnader hela året (utfall) 78 509 080 kr" in text
    assert "Ej förbrukat (mottaget − kostnader) −3 086 390 kr" in text
    assert "ej förbrukat 280 350 kr" in text
    assert "Att återbetala senast 31 mars om det inte används 280 350 kr" in text
    assert (
        "Bokfört statsbidrag (intäkter på objekten) 75 422 690 kr — beslutat 75 422 690 kr" in text
    )
    expect(page.get_by_role("table", name=re.compile("varken är kostnader"))).to_contain_text(
        "Finansiell post"
    )
    expect(page.locator("#no-account")).to_contain_text("1 rad utan konto")
    page.screenshot(path=str(tmp_path / "uppfoljning.png"), full_page=False)
    axe_check(page)

    page.get_by_role("link", name="Kontoplan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kontoplan")
    page.get_by_label("Från konto").fill("84")
    page.get_by_label("Till konto").fill("84")
    page.get_by_label("Slag").select_option(label="Kostnad")
    page.get_by_label("Skäl").fill("Räntor på lån för projektet")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Kontointervallet är sparat")
    expect(page.get_by_role("table", name="Regionens kontoplan")).to_contain_text("84")
    page.screenshot(path=str(tmp_path / "kontoplan.png"), full_page=False)
    axe_check(page)

    page.context.clear_cookies()
    log_in(page, "hospa")
    page.goto(reverse("followup:overview", args=[distribution2023.pk]))
    page.get_by_role(
        "link", name=re.compile("budgetprofil för Utveckling av ambulanssjukvården")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budgetprofil")
    page.get_by_label("Belopp per månad (ska bli aktivitetens belopp)").check()
    for name in ["Januari", "Februari", "Mars"]:
        page.get_by_label(name, exact=True).fill("100 000")
    page.get_by_label("Skäl").fill("Tre månader")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert")).to_contain_text("Månadsbeloppen blir 300 000 kr")
    axe_check(page)
    page.get_by_label("December", exact=True).fill("1 138 690")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Budgetprofilen")
    activity = Activity.objects.get(name="Utveckling av ambulanssjukvården")
    assert ActivityBudgetProfile.objects.get(activity=activity).amounts == [
        100_000,
        100_000,
        100_000,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1_138_690,
    ]
    page.goto(reverse("followup:budget_profile", args=[activity.pk]))
    page.screenshot(path=str(tmp_path / "budgetprofil.png"), full_page=True)
    axe_check(page)
    print(tmp_path)
