"""The activity report to Socialstyrelsen includes the agreement's indicators (total, women,
men) and the plan activities its money serves, with their status."""

import io

from pypdf import PdfReader

from grants.models import Agreement
from reporting.actions import do_generate_document, document_context
from reporting.models import DocumentKind


def test_activity_report_includes_indicators_and_plan_status(demo_plan):
    agreement = Agreement.objects.get(slug="god-och-nara-vard-2023")
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=agreement)
    section = context["plan_report"]
    assert [s.indicator.name for s in section["indicators"]] == [
        "Andel i befolkningen med namngiven fast läkarkontakt i primärvården"
    ]
    (near, rows), *_ = section["areas"]
    assert near.name.startswith("Utvecklingen av den nära vården")
    names = [row["activity"].name for row in rows]
    assert "Utveckla rutiner och arbetssätt för fasta kontakter" in names
    content = bytes(
        do_generate_document(DocumentKind.ACTIVITY_REPORT, "pdf", agreement=agreement).content
    )
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )
    assert "Indikatorer och gemensam plan för primärvårdsnivå" in text
    assert "Region Jämtland Härjedalen, kvinnor" in text and "58,3 %" in text
    assert "Pågår: 1" in text


def test_activity_report_without_a_plan_has_no_plan_section(distribution2023):
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=distribution2023)
    assert context["plan_report"] == {"indicators": [], "areas": []}
