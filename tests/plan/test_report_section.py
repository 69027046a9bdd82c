"""The activity report to Socialstyrelsen includes every indicator of the agreement with its
value for the report year (total, women, men) and that value's source, and the plan activities
its money serves, with their status. A year without a value, or with an example value, is
listed as missing (the document is then a draft)."""

from grants.models import Agreement
from reporting.actions import do_generate_document
from reporting.models import DocumentKind
from reporting.reads.documents import document_context
from tests.reporting.layout import pdf_text


def test_activity_report_includes_indicators_and_plan_status(demo_plan):
    agreement = Agreement.objects.get(slug="god-och-nara-vard-2023")
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=agreement)
    section = context["plan_report"]
    assert section["year"] == 2023
    assert [s.indicator.name for s in section["indicators"]] == [
        "Andel i befolkningen med namngiven fast läkarkontakt i primärvården",
        "Andel boende på särskilt boende för äldre med fast läkarkontakt",
        "Kontinuitetsindex till läkare i primärvården",
        "Kontinuitetsindex för patientens totala kontakter i primärvården",
    ]
    first, *others = section["indicators"]
    # 2023's values, not the later 2024 ones (56,1 %, 58,3 %).
    assert [(row.label, row.display, row.verdict) for row in first.rows] == [
        ("Region Jämtland Härjedalen", "52,4 %", "Ej uppfyllt"),
        ("Region Jämtland Härjedalen, kvinnor", "54,9 %", "Ej uppfyllt"),
        ("Region Jämtland Härjedalen, män", "49,9 %", "Ej uppfyllt"),
    ]
    assert all(row.example for row in first.rows)
    for other in others:
        assert [row.verdict for row in other.rows] == ["värde saknas för 2023"]
    missing = section["missing"]
    assert "Indikatorn ”Kontinuitetsindex till läkare i primärvården”: värde saknas för 2023." in (
        missing
    )
    assert any("52,4" not in item and "exempelvärde" in item for item in missing)
    assert set(missing) <= set(context["missing"])
    (near, rows), *_ = section["areas"]
    assert near.name.startswith("Utvecklingen av den nära vården")
    names = [row["activity"].name for row in rows]
    assert "Utveckla rutiner och arbetssätt för fasta kontakter" in names
    content = bytes(
        do_generate_document(DocumentKind.ACTIVITY_REPORT, "pdf", agreement=agreement).content
    )
    text = pdf_text(content)
    assert "Indikatorer och gemensam plan för primärvårdsnivå" in text
    assert "Region Jämtland Härjedalen, kvinnor" in text and "54,9 %" in text
    assert "56,1 %" not in text and "58,3 %" not in text
    assert "Exempelvärde, inte uppmätt" in text
    assert "värde saknas för 2023" in text
    assert "Pågår: 1" in text


def test_activity_report_without_a_plan_has_no_plan_section(distribution2023):
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=distribution2023)
    assert context["plan_report"] == {"year": 2023, "indicators": [], "missing": [], "areas": []}
