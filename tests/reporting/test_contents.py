"""What each document says, read back from its PDF: the report year's figures, what the
agreement asks the region to report on, the decision's own metadata and conditions, the annual
summary for any year. What is missing for a sendable document is listed in `missing` (the
document is then a draft)."""

import json
import re
from decimal import Decimal

from allocations.demo import load_allocation_setup
from grants.models import DocumentKind
from reporting.models import ReportingRequirement, StateGrant
from reporting.pdf import render_document
from reporting.reads.documents import document_context
from tests.conftest import ALLOCATION_SETUP, load_demo_distribution

from .conftest import fill_report_details, load_agreement_texts_fixtures
from .layout import pdf_text

D = Decimal


def test_activity_report_covers_what_the_agreement_asks_for(reported2023_texts):
    agreement = reported2023_texts
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=agreement)
    assert context["missing"] == []
    for area in context["areas"]:
        # decided = distributed + ofördelat; the activity table's budget column sums to it.
        assert area["decided"] == area["distributed"] + area["unallocated"]
        assert area["left"] == area["decided"] - area["spent"]
    near = next(a for a in context["areas"] if a["area"].name.startswith("Utvecklingen"))
    assert [(p.component.name, p.amount) for p in near["parts"]] == [
        ("Primärvård i landsbygd", D(14_897_341))
    ]
    text = pdf_text(render_document(DocumentKind.ACTIVITY_REPORT, "pdf", agreement=agreement))
    assert re.search(r"varav primärvård i landsbygd ?14 897 341 kr", text)  # a table row
    assert "Av det beslutade avser 14 897 341 kr primärvård i landsbygd." in text
    assert "Ofördelat" in text and "Fördelat" in text
    assert "Insatser i Insatser" not in text and "Ej ifyllt" not in text
    for requirement in agreement.reporting_requirements.all():
        # Each requirement in its own report: the VFU part's in the VFU report.
        shown = requirement.report == DocumentKind.ACTIVITY_REPORT
        assert (requirement.heading in text) == shown, requirement.heading
        assert (requirement.narrative in text) == shown
    assert "1 100 invånare per specialistläkare" in text
    assert "Återrapportering enligt överenskommelsen" in text
    flagged = [a for area in context["areas"] for a in area["unbudgeted"]]
    if flagged:
        assert "Utfall utan budget" in text


def test_activity_report_flags_outcome_without_budget(reported2023_texts):
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=reported2023_texts)
    activity, spent, _ = next(
        (a, s, r) for area in context["areas"] for a, s, r in area["activities"] if s
    )
    activity.amount = D(0)
    activity.save()
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=reported2023_texts)
    assert activity in [a for area in context["areas"] for a in area["unbudgeted"]]
    text = pdf_text(
        render_document(DocumentKind.ACTIVITY_REPORT, "pdf", agreement=reported2023_texts)
    )
    assert "Utfall utan budget" in text


def test_a_missing_narrative_makes_the_activity_report_a_draft(reported2023_texts):
    requirement = ReportingRequirement.objects.get(
        agreement=reported2023_texts, heading="Riktvärdet för fast läkarkontakt"
    )
    requirement.narrative = ""
    requirement.save()
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=reported2023_texts)
    assert context["missing"] == [
        "Regionens redovisning för återrapporteringskravet ”Riktvärdet för fast läkarkontakt” "
        "(avsnitt 2.3.1) är inte ifylld."
    ]
    text = pdf_text(
        render_document(DocumentKind.ACTIVITY_REPORT, "pdf", agreement=reported2023_texts)
    )
    assert "Ej ifyllt" not in text
    assert "Saknas (se listan över vad som fattas)" in text


def test_decision_documents_have_seed_003s_structure_and_their_own_conditions(demo):
    load_allocation_setup(json.loads(ALLOCATION_SETUP.read_text("utf-8")), ALLOCATION_SETUP.parent)
    load_demo_distribution("god-och-nara-vard-2023")
    load_demo_distribution("god-och-nara-vard-2020")
    load_agreement_texts_fixtures()
    fill_report_details(confirmed=False)  # the region's diarienummer is the agreement's
    agreement2023, agreement2020 = demo[2023], demo[2020]
    agreement2020.refresh_from_db()
    text2020 = pdf_text(render_document(DocumentKind.DECISION, "pdf", agreement=agreement2020))
    text2023 = pdf_text(render_document(DocumentKind.DECISION, "pdf", agreement=agreement2023))
    # Metadata as seed 003 has it, and a contents list with page numbers.
    for expected in [
        "Beslutas av Regionstyrelsen",
        "Beslutsdatum 2020-03-24",
        "Paragraf § 35",
        "Regionens diarienummer RS/195/2020",
        "Lena Sved",
        "Innehåll",
        "1.1 Mål med omställningen",
        "Stärka samverkan mellan regioner och kommuner",
    ]:
        assert expected in text2020, expected
    # Each year's own conditions: 2020 names Stratsys and private providers, 2023 all.
    assert "Stratsys Nationella satsningar" in text2020
    assert "Privata utförare ska vid förfrågan" in text2020
    assert "Samtliga utförare, oavsett driftform" not in text2020
    assert "Samtliga utförare, oavsett driftform" in text2023
    assert "Stratsys" not in text2023
    # The allocation's varav line, the national split, no deadline the region does not meet.
    assert "varav primärvård i landsbygd (14 897 341 kr)" in text2023
    assert "till regionerna" in text2023
    for text in (text2020, text2023):
        assert "Övrigt till" not in text
        assert "Annan / ej angiven" not in text
        assert "kopierad" not in text
    assert text2023.count("Chef HOSPA (sammanhållet ansvar)") <= len(
        list(agreement2023.areas.all())
    )
    # 2023's decision metadata is not in the seeds: the document says what it lacks.
    context = document_context(DocumentKind.DECISION, agreement=agreement2023)
    assert context["missing"] == [
        "Beslutsuppgifter saknas: vem som beslutar, beslutsdatum, paragraf, handläggare."
    ]
    assert document_context(DocumentKind.DECISION, agreement=agreement2020)["missing"] == []


def test_annual_summary_holds_the_years_agreements_without_a_manual_step(allocations2023):
    context = document_context(DocumentKind.ANNUAL_SUMMARY, year=2023)
    assert [(g.name, g.received, g.from_agreement) for g in context["regular"]] == [
        (allocations2023.name, D(75_422_690), True)
    ]
    text = pdf_text(render_document(DocumentKind.ANNUAL_SUMMARY, "pdf", year=2023))
    assert "Inga statsbidrag" not in text
    assert allocations2023.name in text and "75 422 690 kr" in text
    assert "Ur överenskommelsen i appen" in text


def test_annual_summary_2021_has_subtotals_usage_totals_and_flags(grants2021):
    context = document_context(DocumentKind.ANNUAL_SUMMARY, year=2021)
    psyk = next(g for g in context["regular"] if g.name.lower().startswith("överenskommelse inom"))
    assert psyk.spending_total == D(9_562_000)
    assert psyk.usage_differs == D(9_562_000) - D(9_661_905)
    gnv = context["regular"][0]
    assert gnv.subtotal == D(72_665_190) - D(1_262_843)
    # Every grant has its narrative from seed 004; one emptied is listed.
    assert context["missing"] == [] and all(g.follow_up for g in context["regular"])
    StateGrant.objects.filter(pk=grants2021.grants.get(position=4, temporary=False).pk).update(
        follow_up=""
    )
    missing = document_context(DocumentKind.ANNUAL_SUMMARY, year=2021)["missing"]
    assert len(missing) == 1 and "cancervård" in missing[0]
    text = pdf_text(render_document(DocumentKind.ANNUAL_SUMMARY, "pdf", year=2021))
    assert "Skiljer sig från erhållna medel" in text
    assert "användningen summerar till 9 562 000 kr, erhållna medel är 9 661 905 kr" in text
    assert "71 402 347 kr" in text


def test_vfu_report_lists_what_it_lacks_and_shows_the_increase(reported2023):
    from reporting.models import AgreementReport

    context = document_context(DocumentKind.VFU_REPORT, agreement=reported2023)
    assert len([m for m in context["draft"] if m.startswith("VFU-")]) == 4
    AgreementReport.objects.create(
        agreement=reported2023,
        vfu_weeks_previous=120,
        vfu_places_previous=40,
        vfu_weeks_estimate=150,
        vfu_places_estimate=48,
    )
    context = document_context(DocumentKind.VFU_REPORT, agreement=reported2023)
    assert not [m for m in context["draft"] if m.startswith("VFU-")]
    text = pdf_text(render_document(DocumentKind.VFU_REPORT, "pdf", agreement=reported2023))
    assert "vårterminen 2022 till vårterminen 2023: +30 veckor" in text
    assert "Ej ifyllt" not in text
