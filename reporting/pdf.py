"""Documents as tagged, accessible PDF (WeasyPrint, PDF/UA-1) from the same templates as
their HTML preview."""

from django.conf import settings
from django.template.loader import render_to_string

BODY_TEMPLATES = {
    "rekvisition": "reporting/documents/requisition.html",
    "ekonomisk-redovisning": "reporting/documents/financial_report.html",
    "verksamhetsrapport": "reporting/documents/activity_report.html",
    "beslutsunderlag": "reporting/documents/decision.html",
    "statsbidrag": "reporting/documents/annual_summary.html",
}


def render_html(kind: str, context: dict) -> str:
    return render_to_string(
        "reporting/pdf/base.html", {**context, "body_template": BODY_TEMPLATES[kind]}
    )


def render_pdf(kind: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_html(kind, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=False
    )
