"""Documents as bytes: archival, tagged PDF (PDF/A-2a and PDF/UA-1, common.pdf) from the same
templates as their HTML preview, or (the financial report only) the XLSX working copy."""

from django.template.loader import render_to_string

from common.pdf import css_string, html_to_pdf
from grants.models import DocumentKind

from .excel import financial_report_xlsx
from .reads.documents import document_context

__all__ = [
    "BODY_TEMPLATES",
    "FORMATS",
    "css_string",
    "render",
    "render_document",
    "render_html",
    "render_pdf",
]

BODY_TEMPLATES = {
    "rekvisition": "reporting/documents/requisition.html",
    "ekonomisk-redovisning": "reporting/documents/financial_report.html",
    "verksamhetsrapport": "reporting/documents/activity_report.html",
    "vfu-redovisning": "reporting/documents/vfu_report.html",
    "beslutsunderlag": "reporting/documents/decision.html",
    "statsbidrag": "reporting/documents/annual_summary.html",
}
# The formats each document is made in: PDF for every one, XLSX for the financial report.
FORMATS = {kind: ("pdf",) for kind in BODY_TEMPLATES} | {
    DocumentKind.FINANCIAL_REPORT: ("pdf", "xlsx")
}


def render_html(kind: str, context: dict) -> str:
    return render_to_string(
        "reporting/pdf/base.html",
        {
            **context,
            "body_template": BODY_TEMPLATES[kind],
            "header_left": css_string(context["profile"].name),
            "header_right": css_string(context["title"]),
        },
    )


def render_pdf(kind: str, context: dict) -> bytes:
    return html_to_pdf(render_html(kind, context))


def render(kind: str, file_format: str, context: dict) -> bytes:
    """The document's bytes in `file_format` from its context (reads.documents)."""
    if file_format not in FORMATS[kind]:
        raise ValueError(f"No {file_format} form of {kind}")
    if file_format == "xlsx":
        return financial_report_xlsx(context)
    return render_pdf(kind, context)


def render_document(kind: str, file_format: str, *, agreement=None, year=None, extra=None) -> bytes:
    """The document's bytes as the data stand now, kept nowhere (generating keeps them)."""
    context = document_context(kind, agreement=agreement, year=year, extra=extra)
    return render(kind, file_format, context)
