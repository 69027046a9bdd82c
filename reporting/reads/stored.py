"""The documents as generated and kept: an agreement's documents and the deadlines they
answer, the earlier copies of a document, a document's trail, and whether the repayment
deadline is met."""

from django.utils import timezone

from common.money import format_amount
from grants.models import DOCUMENT_FOR_DEADLINE, Deadline, DocumentKind, DocumentState

from ..models import GeneratedDocument, OrganisationProfile
from .documents import report_info


def agreement_documents(agreement) -> dict:
    """The agreement's documents, and its own deadlines that a document answers, each with
    the document kind and its submission (the region's own deadlines: not those that only SKR
    or the municipalities (RSS) meet)."""
    documents = list(
        GeneratedDocument.objects.filter(agreement=agreement).select_related("created_by")
    )
    due = []
    own = Deadline.objects.own().filter(agreement=agreement).select_related("submission")
    for deadline in own:
        kind = DOCUMENT_FOR_DEADLINE.get(deadline.kind)
        if kind:
            due.append((deadline, DocumentKind(kind), getattr(deadline, "submission", None)))
    return {"documents": documents, "due": due}


def earlier_documents(kind, *, agreement=None, year=None):
    """The copies of the document generated before, newest first."""
    earlier = GeneratedDocument.objects.filter(kind=kind).select_related("created_by")
    return earlier.filter(agreement=agreement) if agreement else earlier.filter(year=year)


def trail(document) -> dict:
    """The document's steps, the ones done, its events (oldest first) and its signed copies."""
    return {
        "events": document.events.select_related("acted_by"),
        "copies": document.signed_copies.select_related("uploaded_by"),
        "steps": document.steps,
        "done": document.steps[: document.steps.index(document.state) + 1],
    }


def repayment_met(agreement) -> tuple[bool, str, object]:
    """Whether the repayment deadline is met, how, and on which day: a repayment recorded
    (amount, date, reference), or an attested financial report with nothing to repay. Sending
    the report alone does not meet it."""
    info = report_info(agreement)
    if info.repaid_amount and info.repaid_on and info.repayment_reference.strip():
        return (
            True,
            f"Återbetalt {format_amount(info.repaid_amount)}, referens "
            f"{info.repayment_reference.strip()}",
            info.repaid_on,
        )
    attested = (
        GeneratedDocument.objects.with_trail()
        .filter(
            agreement=agreement,
            kind=DocumentKind.FINANCIAL_REPORT,
            state__in=[DocumentState.ATTESTED, DocumentState.SIGNED, DocumentState.SENT],
            repayable=0,
        )
        .order_by("attested_at")
        .first()
    )
    if attested is not None:
        return (
            True,
            "Attesterad ekonomisk redovisning: inget att återbetala",
            timezone.localdate(attested.attested_at) if attested.attested_at else None,
        )
    return False, "", None


def organisation():
    """The region's details printed in every document, with their history."""
    return OrganisationProfile.current(), OrganisationProfile.history.all()
