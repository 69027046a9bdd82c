"""What each document says, read back from its PDF: the report year's figures, what the
agreement asks the region to report on, the decision's own metadata and conditions, the annual
summary for any year. What is missing for a sendable document is listed in `missing` (the
document is then a draft)."""

import re
from decimal import Decimal

from grants.models import DocumentKind
from reporting.actions import document_context, render_document
from reporting.models import ReportingRequirement

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
        assert requirement.heading in text
        assert requirement.narrative in text
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
