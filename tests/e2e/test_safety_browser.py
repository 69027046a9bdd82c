"""End to end in Chromium: two officers edit the same deadline at once, the second is refused
in Swedish and reloads; the agreement's history reads as people write. axe-core on the way."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .test_browser import log_in, plain_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_second_officer_is_refused_and_reads_the_history(
    browser, context, live_server, axe_check, users, gnv2023
):
    deadline = gnv2023.deadlines.first()
    url = reverse("grants:deadline_edit", args=[gnv2023.pk, deadline.pk])
    first = context.new_page()
    log_in(first, "hospa")
    other = browser.new_context(base_url=live_server.url, locale="sv-SE")
    second = other.new_page()
    log_in(second, "admin")
    first.goto(url)
    second.goto(url)

    first.get_by_label("Beskrivning").fill("Ändrad av den första")
    first.get_by_role("button", name="Spara").click()
    expect(first.get_by_role("status")).to_contain_text("har sparats")

    second.get_by_label("Beskrivning").fill("Ändrad av den andra")
    second.get_by_role("button", name="Spara").click()
    summary = second.get_by_role("alert")
    expect(summary).to_contain_text("Ändringen sparades inte")
    expect(summary).to_contain_text("har ändrats av någon annan sedan du öppnade sidan")
    expect(second.get_by_label("Beskrivning")).to_have_value("Ändrad av den andra")
    second.set_viewport_size({"width": 1366, "height": 768})
    second.screenshot(path="/tmp/issue12-stale.png", full_page=True)
    axe_check(second)

    second.goto(url)  # the page anew, as "Ladda om sidan" asks
    expect(second.get_by_label("Beskrivning")).to_have_value("Ändrad av den första")
    history = second.get_by_role("table", name="Ändringar, senaste först")
    expect(history).to_contain_text("Ändrad av den första")
    assert "hospa" in plain_text(history)
    other.close()

    first.goto(gnv2023.get_absolute_url())
    first.get_by_role(
        "link", name="Historik för överenskommelsen, områdena, delområdena och fristerna"
    ).click()
    expect(first.get_by_role("heading", level=1)).to_contain_text("Historik")
    expect(first.get_by_role("table")).to_contain_text("Beskrivning:")
    first.set_viewport_size({"width": 1366, "height": 768})
    first.screenshot(path="/tmp/issue12-history.png")
    axe_check(first)
