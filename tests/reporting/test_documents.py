"""Each document generated from the demo data, read back as the recipient would read it."""

import io
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from common.money import format_amount
from grants.models import DocumentKind
from reporting.actions import do_attest_document, do_generate_document
from reporting.models import AgreementReport, AreaReport, GeneratedDocument
from reporting.reads.documents import document_context
from tests.reporting.conftest import load_agreement_texts_fixtures
from tests.reporting.layout import pdf_text

from .conftest import fill_report_details

D = Decimal


def kr(amount) -> str:
    return format_amount(amount).replace("\u00a0", " ")


def render_first_page(content: bytes, tmp_path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return png


def test_pdfs_are_tagged_swedish_and_titled(reported2023, users, tmp_path):
    document = do_generate_document(
        DocumentKind.DECISION, "pdf", agreement=reported2023, acting_user=users["officer"]
    )
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Fördelning God och nära vård 2023"
    text = pdf_text(bytes(document.content))
    pages = len(reader.pages)
    assert f"Sida 1 av {pages}" in text and f"Sida {pages} av {pages}" in text
    assert "Region Jämtland Härjedalen" in text
    render_first_page(bytes(document.content), tmp_path)


def test_requisition_has_every_field_of_bilaga_1(reported2023, users, tmp_path):
    document = do_generate_document(
        DocumentKind.REQUISITION, "pdf", agreement=reported2023, acting_user=users["officer"]
    )
    text = pdf_text(bytes(document.content))
    for field in [
        "Bidragsmottagare",
        "Organisationsnummer",
        "Kontaktperson",
        "Postadress",
        "Telefon inkl. riktnummer",
        "E-postadress",
        "Regeringskansliets diarienummer för bakomliggande överenskommelse",
        "Regeringskansliets diarienummer för regeringsbeslut avseende utbetalning",
        "Överenskommelsens benämning",
        "Belopp som rekvireras",
        "Rekvisitionen avser perioden",
        "Bankgiro/Plusgiro",
        "Önskad betalningsreferens",
        "Datum",
        "Underskrift",
        "Namnförtydligande",
    ]:
        assert field in text, field
    assert kr(75_422_690) in text
    assert "2023-01-01 – 2023-12-31" in text
    assert "senast 2023-12-01" in text
    render_first_page(bytes(document.content), tmp_path)
    assert document.created_by == users["officer"] and len(document.checksum) == 64


def test_financial_report_figures_and_attestation(reported2023, users, tmp_path):
    fill_report_details()
    reported2023.refresh_from_db()
    context = document_context(DocumentKind.FINANCIAL_REPORT, agreement=reported2023)
    assert context["paid"] == D(75_422_690)
    assert context["unused"] == context["paid"] - context["costs"]
    assert context["costs"] == sum((item.amount for item in context["items"]), D(0))
    document = do_generate_document(
        DocumentKind.FINANCIAL_REPORT, "pdf", agreement=reported2023, acting_user=users["officer"]
    )
    text = pdf_text(bytes(document.content))
    assert kr(context["costs"]) in text and kr(context["unused"]) in text
    # Before attestation both alternatives stand, neither chosen.
    assert "☐ Alt 1:" in text and "☐ Alt 2:" in text and "Attesterad" not in text
    # The larger cost items per account group (the default), adding up to the costs.
    assert "Kontogrupp" in text
    do_attest_document(
        document,
        correct=False,
        deviations="Kostnader för 9917 saknar underlag.",
        acting_user=users["finance"],
    )
    document.refresh_from_db()
    text = pdf_text(render := bytes(document.content))
    assert "Alt 2:" in text and "Kostnader för 9917 saknar underlag." in text
    assert "Alt 1:" not in text and "☐" not in text
    render_first_page(render, tmp_path)


def test_financial_report_workbook(reported2023, recalculate):
    content = bytes(
        do_generate_document(DocumentKind.FINANCIAL_REPORT, "xlsx", agreement=reported2023).content
    )
    context = document_context(DocumentKind.FINANCIAL_REPORT, agreement=reported2023)
    sheet = recalculate(content)["Ekonomisk redovisning"]
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert values["Bidrag som erhållits av regeringen/Regeringskansliet"] == 75_422_690
    assert D(str(values["Summa kostnader"])).quantize(D("0.01")) == context["costs"]
    assert (
        D(str(values["Medel som inte har förbrukats (bidrag − kostnader)"])).quantize(D("0.01"))
        == context["unused"]
    )
    assert load_workbook(io.BytesIO(content))["Ekonomisk redovisning"]["B3"].value == "Värde"


def test_activity_report_uses_the_officers_texts_and_the_figures(reported2023, tmp_path):
    area = reported2023.areas.get(name__startswith="Förstärkning")
    AreaReport.objects.create(
        area=area,
        activities="Bedömningsbil i drift.",
        results="Kortare responstider.",
        gender_equality="Lika för kvinnor och män.",
    )
    AgreementReport.objects.create(
        agreement=reported2023,
        gender_equality="Analyserat per kön.",
        vfu_weeks_previous=120,
        vfu_places_previous=40,
    )
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=reported2023)
    ambulance = next(a for a in context["areas"] if a["area"] == area)
    assert ambulance["decided"] == D(1_438_690)
    assert ambulance["left"] == ambulance["decided"] - ambulance["spent"]
    content = bytes(
        do_generate_document(DocumentKind.ACTIVITY_REPORT, "pdf", agreement=reported2023).content
    )
    text = pdf_text(content)
    for expected in [
        "Bedömningsbil i drift.",
        "Kortare responstider.",
        "Analyserat per kön.",
        "egen VFU-redovisning senast den 31 mars 2023",
        "Kvar av beslutat",  # the dashboard's chart, drawn into the PDF
        kr(ambulance["spent"]),
        "2024-03-31",
    ]:
        assert expected in text, expected
    render_first_page(content, tmp_path)


def test_vfu_report_is_its_own_document_due_31_march_of_the_agreement_year(
    reported2023, users, tmp_path
):
    AgreementReport.objects.create(
        agreement=reported2023,
        vfu_weeks_previous=120,
        vfu_places_previous=40,
        vfu_weeks_estimate=150,
    )
    document = do_generate_document(
        DocumentKind.VFU_REPORT, "pdf", agreement=reported2023, acting_user=users["officer"]
    )
    text = pdf_text(bytes(document.content))
    for expected in [
        "VFU-redovisning 2023",
        "Ska ha kommit in senast 2023-03-31",
        "Genomförda i regionens regi vårterminen 2022 120 40",
        "Uppskattning för vårterminen 2023 150 Saknas",
        "VFU-satsning för sjuksköterskestudenter",
    ]:
        assert expected in text, expected
    # It answers the agreement's VFU deadline, not the activity report's.
    vfu_deadline = reported2023.deadlines.get(kind="vfu_redovisning")
    assert vfu_deadline.submission.document_kind == DocumentKind.VFU_REPORT
    assert not reported2023.deadlines.filter(
        kind="verksamhetsrapport", submission__isnull=False
    ).exists()


def test_decision_document_like_the_regions_own(reported2023, tmp_path):
    load_agreement_texts_fixtures()  # the conditions of 2023's decision (seed 000 §3.3)
    content = bytes(
        do_generate_document(DocumentKind.DECISION, "pdf", agreement=reported2023).content
    )
    text = pdf_text(content)
    for expected in [
        kr(75_422_690),
        kr(41_247_254),
        kr(25_187_124),
        "24 mkr fördelas till samtliga vårdenheter inom hälsovalet",
        "Ofördelat " + kr(17_247_254),
        "Insatser registreras på objekt 9917",
        "bara innevarande års avskrivning",
        "Villkor att beakta som ska framgå i alla beslutsunderlag",
        "Sammanhållet ansvar: Verksamhetschef för ambulansverksamheten",
        "2023-12-01: Rekvisition till Kammarkollegiet",
    ]:
        assert expected in text, expected
    render_first_page(content, tmp_path)


def test_annual_summary_reproduces_the_2021_totals(grants2021, tmp_path):
    context = document_context(DocumentKind.ANNUAL_SUMMARY, year=2021)
    assert context["regular_total"] == D(156_262_283) == grants2021.stated_total
    # The published temporary total is 8 000 kr less than its rows; the summary says so.
    assert grants2021.stated_temporary_total == D(320_459_179)
    assert context["temporary_total"] == D(320_467_179)
    assert context["notes"] == [
        "Summan av raderna för tillfälliga statsbidrag är 320\u00a0467\u00a0179\u00a0kr; "
        "beslutet anger 320\u00a0459\u00a0179\u00a0kr (skillnad 8\u00a0000\u00a0kr)."
    ]
    content = bytes(do_generate_document(DocumentKind.ANNUAL_SUMMARY, "pdf", year=2021).content)
    text = pdf_text(content)
    for expected in [
        kr(156_262_283),
        kr(320_459_179),
        kr(320_467_179),
        "Översänt till SKR för 1177 Vårdguiden",
        "−1 262 843 kr",
        "Vaccination mot covid-19",
        "Handlingsplanen – mobila lösningar",
        "RS/841/2021",
    ]:
        assert expected in text, expected
    render_first_page(content, tmp_path)


@pytest.mark.parametrize("who", ["officer", "finance", "admin"])
def test_generating_in_the_page_stores_the_document(client_for, reported2023, who, users):
    url = reverse("reporting:generate", args=[reported2023.pk, "rekvisition"])
    response = client_for(who).post(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    stored = GeneratedDocument.objects.get()
    assert bytes(stored.content) == response.content
    assert stored.created_by == users[who]
    again = client_for(who).get(reverse("reporting:stored", args=[stored.pk]))
    assert again.content == response.content


def test_managers_read_but_do_not_generate(client_for, reported2023):
    client = client_for("manager")
    for kind in ["rekvisition", "ekonomisk-redovisning", "verksamhetsrapport", "beslutsunderlag"]:
        assert (
            client.get(reverse("reporting:document", args=[reported2023.pk, kind])).status_code
            == 200
        )
    assert (
        client.post(
            reverse("reporting:generate", args=[reported2023.pk, "rekvisition"]), {"format": "pdf"}
        ).status_code
        == 403
    )
    assert client.get(reverse("reporting:texts", args=[reported2023.pk])).status_code == 403
    assert not GeneratedDocument.objects.exists()


def test_reports_page_shows_which_documents_are_due(client_for, reported2023):
    client = client_for("officer")
    html = client.get(reverse("reporting:agreement", args=[reported2023.pk])).content.decode()
    assert (
        html.count("Inte skapat") == 5
    )  # requisition, financial report, repayment, VFU, activity report
    client.post(
        reverse("reporting:generate", args=[reported2023.pk, "rekvisition"]), {"format": "pdf"}
    )
    html = client.get(reverse("reporting:agreement", args=[reported2023.pk])).content.decode()
    assert html.count("Inte skapat") == 4


def test_officer_writes_the_narratives(client_for, reported2023):
    client = client_for("officer")
    url = reverse("reporting:texts", args=[reported2023.pk])
    assert client.get(url).status_code == 200
    area = reported2023.areas.first()
    data = {"ok-attestation": "1", f"omrade{area.pk}-results": "Fler listade hos fast läkare."}
    response = client.post(url, data)
    assert response.status_code == 302
    assert AreaReport.objects.get(area=area).results == "Fler listade hos fast läkare."
    # Alternative 2 needs the deviations written out.
    assert client.post(url, {"ok-attestation": "2"}).status_code == 400


def test_report_command(reported2023, grants2021, tmp_path):
    target = tmp_path / "beslut.pdf"
    call_command("report", "beslutsunderlag", "god-och-nara-vard-2023", "--output", str(target))
    assert target.read_bytes().startswith(b"%PDF")
    call_command("report", "statsbidrag", "2021", "--output", str(tmp_path / "sb.pdf"))
    call_command(
        "report",
        "ekonomisk-redovisning",
        "god-och-nara-vard-2023",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "e.xlsx"),
    )
    assert load_workbook(tmp_path / "e.xlsx").sheetnames == ["Ekonomisk redovisning"]
    assert GeneratedDocument.objects.count() == 3


def test_decision_document_shows_the_live_ofordelat_and_summarised_notes(reported2023, users):
    from distribution.actions import do_save_activity
    from distribution.models import Activity

    # Money given to an activity after the decision: the note copied from the decision still
    # says 17 247 254 kr; the document must show what the distribution says now.
    activity = Activity.objects.get(
        area__agreement=reported2023, name__startswith="Öka patientmedverkan"
    )
    activity.amount = D(6_500_000)
    do_save_activity(activity, acting_user=users["officer"], reason="Medel till patientmedverkan")
    text = pdf_text(
        bytes(do_generate_document(DocumentKind.DECISION, "pdf", agreement=reported2023).content)
    )
    assert "Ofördelat " + kr(10_747_254) in text
    assert "Ofördelat enligt den aktuella fördelningen: " + kr(10_747_254) in text
    assert (
        "Anteckning från beslutet (i sammandrag; beloppen ovan gäller): Beslutet anger belopp"
        in text
    )
    assert "Ofördelat " + kr(17_247_254) not in text


def test_the_deviations_written_are_in_the_pdf_as_in_the_workbook(gnv2023, users):
    fill_report_details()
    gnv2023.refresh_from_db()
    document = do_generate_document(DocumentKind.FINANCIAL_REPORT, "pdf", agreement=gnv2023)
    do_attest_document(
        document,
        correct=True,
        deviations="Lönekostnader i december bokades i januari.",
        acting_user=users["finance"],
    )
    document.refresh_from_db()
    assert "Avvikelser och åtgärder: Lönekostnader i december bokades i januari." in pdf_text(
        bytes(document.content)
    )
