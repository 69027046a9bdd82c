"""Documents as archival, tagged PDF (PDF/A-2a and PDF/UA-1, common.pdf) from the same templates as
their HTML preview."""

from django.template.loader import render_to_string

from common.pdf import css_string, html_to_pdf

__all__ = ["BODY_TEMPLATES", "css_string", "render_html", "render_pdf"]

BODY_TEMPLATES = {
    "rekvisition": "reporting/documents/requisition.html",
    "ekonomisk-redovisning": "reporting/documents/financial_report.html",
    "verksamhetsrapport": "reporting/documents/activity_report.html",
    "vfu-redovisning": "reporting/documents/vfu_report.html",
    "beslutsunderlag": "reporting/documents/decision.html",
    "statsbidrag": "reporting/documents/annual_summary.html",
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
