"""HTML to tagged, accessible PDF (WeasyPrint, PDF/UA-1)."""

from django.conf import settings


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=False
    )
