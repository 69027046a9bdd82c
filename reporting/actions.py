"""Generating a document stores it exactly as produced, with who, when and its checksum."""

import hashlib

from django.db import transaction

from .documents import CONTEXTS, financial_report_context, summary_context
from .excel import financial_report_xlsx
from .models import DocumentKind, GeneratedDocument
from .pdf import render_pdf


def document_context(kind: str, *, agreement=None, year=None) -> dict:
    if kind == DocumentKind.ANNUAL_SUMMARY:
        return summary_context(year)
    return CONTEXTS[kind](agreement)


def render_document(kind: str, file_format: str, *, agreement=None, year=None) -> bytes:
    if file_format == "xlsx":
        if kind != DocumentKind.FINANCIAL_REPORT:
            raise ValueError(f"No XLSX form of {kind}")
        return financial_report_xlsx(financial_report_context(agreement))
    return render_pdf(kind, document_context(kind, agreement=agreement, year=year))


def file_name(kind: str, file_format: str, *, agreement=None, year=None) -> str:
    subject = agreement.slug if agreement else str(year)
    return f"{kind}-{subject}.{file_format}"


@transaction.atomic
def do_generate_document(kind, file_format, *, agreement=None, year=None, acting_user=None):
    content = render_document(kind, file_format, agreement=agreement, year=year)
    return GeneratedDocument.objects.create(
        kind=kind,
        agreement=agreement,
        year=agreement.year if agreement else year,
        file_format=file_format,
        file_name=file_name(kind, file_format, agreement=agreement, year=year),
        content=content,
        checksum=hashlib.sha256(content).hexdigest(),
        created_by=acting_user,
    )
