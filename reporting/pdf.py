"""Documents as tagged, accessible PDF (WeasyPrint, PDF/UA-1) from the same templates as
their HTML preview."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from common.pdf import html_to_pdf

BODY_TEMPLATES = {
    "rekvisition": "reporting/documents/requisition.html",
    "ekonomisk-redovisning": "reporting/documents/financial_report.html",
    "verksamhetsrapport": "reporting/documents/activity_report.html",
    "vfu-redovisning": "reporting/documents/vfu_report.html",
    "beslutsunderlag": "reporting/documents/decision.html",
    "statsbidrag": "reporting/documents/annual_summary.html",
}


def css_string(value) -> str:
    r"""`value` as the inside of a CSS string in a `<style>` element: backslash, quotes and
    line breaks escaped the CSS way (not JavaScript's `\u0022`, which CSS prints as
    `u0022`), and `<` as `\3C ` so that no `</style>` can end the element."""
    out = []
    for char in str(value):
        if char in "\\\"'":
            out.append("\\" + char)
        elif char in "\n\r\f":
            out.append("\\A ")
        elif char == "<":
            out.append("\\3C ")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):X} ")
        else:
            out.append(char)
    return mark_safe("".join(out))


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
