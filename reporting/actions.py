"""Generating a document stores it exactly as produced, with who, when and its checksum."""

import hashlib

from django.db import transaction

from common.versioning import save_checked
from grants.models import Agreement

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


def _edited(form) -> bool:
    return any(name != "version" for name in form.changed_data)


@transaction.atomic
def do_save_report_texts(agreement, forms, *, acting_user) -> int:
    """Save the narratives of an agreement's reports, each text on its own.

    `forms` are (form, what) pairs of valid forms. Only texts that differ from what is stored
    are saved, so an officer's save never writes back a text someone else changed meanwhile;
    a text the officer's page showed in an older version is refused (StaleEdit, nothing
    saved). Returns how many texts were saved."""
    Agreement.objects.select_for_update().get(pk=agreement.pk)
    saved = 0
    for form, what in forms:
        if not _edited(form):
            continue
        save_checked(
            form.save(commit=False), form.expected_version, what=what, acting_user=acting_user
        )
        saved += 1
    return saved


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
