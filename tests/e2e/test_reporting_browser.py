"""End to end in Chromium: an officer enters 2023's state grants in the register and reads the
year's summary; the financial report goes through its trail, finance attesting and the
officer uploading the signed copy and recording the sending. axe-core checks the pages."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from grants.models import DocumentKind, DocumentState
from reporting.actions import do_generate_document
from reporting.models import GeneratedDocument, StateGrant
from tests.reporting.conftest import fill_report_details, plain_pdf

from .test_browser import log_in, plain_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "test-artefacts" / "screenshots"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_an_officer_enters_2023_in_the_register(page, axe_check, users, allocations2023):
    log_in(page, "hospa")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Statsbidrag per år"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statsbidrag per år")
    axe_check(page)
    page.get_by_label("Öppna år").fill("2023")
    page.get_by_role("button", name="Öppna").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statsbidrag 2023")
    expect(page.get_by_role("table", name=re.compile("tagit emot 2023"))).to_contain_text(
        "Inga nationella statsbidrag"
    )

    page.get_by_role("button", name="Fyll i från överenskommelserna").click()
    expect(page.locator("#register")).to_contain_text("God och nära vård 2023")

    page.get_by_role("link", name="Lägg till statsbidrag").click()
    page.get_by_label("Statsbidrag", exact=False).first.fill(
        "Överenskommelse om hälso- och sjukvårdens arbete med civilt försvar 2023"
    )
    page.get_by_label("Myndighet eller källa").fill("Kammarkollegiet")
    page.get_by_label("Diarienummer").fill("RS/258/2023")
    page.get_by_label("Belopp 1 (kronor)").fill("5 097 497")
    page.get_by_label("Belopp 2 (kronor)").fill("−97 497")
    page.get_by_label("Kommentar till belopp 2").fill("Översänt till länsstyrelsen")
    axe_check(page)
    shot(page, "register-grant-form")
    page.get_by_role("button", name="Spara").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Statsbidrag 2023")
    total = plain_text(page.locator("#register-total"))
    assert total == "80 422 690 kr"  # 75 422 690 + 5 097 497 − 97 497
    axe_check(page)
    shot(page, "register-2023")
    assert StateGrant.objects.filter(grant_year__year=2023).count() == 2

    page.get_by_role("link", name=re.compile("Sammanställning 2023")).first.click()
    preview = page.locator("article.document-preview")
    expect(preview).to_contain_text("Översänt till länsstyrelsen")
    assert plain_text(preview.locator("#regular-total")) == "80 422 690 kr"
    axe_check(page)


def test_the_financial_report_is_attested_signed_and_sent(
    page, axe_check, users, allocations2023, tmp_path
):
    fill_report_details()  # every field of the form filled: not a draft
    allocations2023.refresh_from_db()
    document = do_generate_document(
        DocumentKind.FINANCIAL_REPORT,
        "pdf",
        agreement=allocations2023,
        acting_user=users["officer"],
    )
    log_in(page, "ekonom")
    page.goto(f"/rapporter/dokument/{document.pk}/status/")
    page.get_by_label(re.compile("Alt 1")).check()
    axe_check(page)
    page.get_by_role("button", name="Attestera").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("attesterad")
    page.context.clear_cookies()

    signed = tmp_path / "ekonomisk-redovisning-undertecknad.pdf"
    signed.write_bytes(plain_pdf("inskannad"))
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    log_in(page, "hospa")
    page.goto(f"/rapporter/dokument/{document.pk}/status/")
    page.get_by_label("Undertecknat exemplar (PDF)").set_input_files(signed)
    page.get_by_label("Undertecknat av").fill("Regiondirektören")
    page.get_by_label("Datum för underskriften").fill(yesterday)
    page.get_by_role("button", name="Spara undertecknat exemplar").click()
    page.get_by_label("Skickat den").fill(yesterday)
    page.get_by_label("Skickat via").select_option("e-tjanst")
    page.get_by_label("Mottagare").fill("Kammarkollegiet")
    axe_check(page)
    page.get_by_role("button", name="Registrera som skickat").click()
    expect(page.get_by_text("Fristen är uppfylld")).to_be_visible()
    shot(page, "document-trail")
    axe_check(page)
    document = GeneratedDocument.objects.get(pk=document.pk)
    assert document.state == DocumentState.SENT
    page.goto(f"/overenskommelser/{allocations2023.pk}/rapporter/")
    expect(page.get_by_role("table", name=re.compile("frister"))).to_contain_text(
        f"Skickat {yesterday}"
    )
    axe_check(page)
