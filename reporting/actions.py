"""Generating a document keeps it exactly as produced, once (in the file store), with who,
when and its checksum (computed once); the trail after that (attested, signed, sent) is
recorded step by step, each with who and when, and the state of the deadlines the document
answers is kept beside them in `grants`."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from common.limits import MB, LimitExceeded, check_size
from common.refusals import Refused
from common.versioning import check_version, save_checked
from filestore.models import Purpose
from filestore.store import do_keep_file
from grants.models import (
    DOCUMENT_FOR_DEADLINE,
    STATE_ORDER,
    Agreement,
    Deadline,
    DeadlineKind,
    DeadlineSubmission,
    DocumentKind,
    DocumentState,
)

from .completeness import refusal
from .models import (
    Attestation,
    DocumentEvent,
    GeneratedDocument,
    SignedCopy,
    StateGrant,
    StateGrantArea,
    StateGrantLine,
    StateGrantYear,
)
from .pdf import render
from .reads.documents import document_context, own_total, report_info
from .reads.stored import repayment_met
from .register import GrantRow
from .signed_copies import SignedCopyRefused, check_signed_copy


class TrailError(Refused):
    """A step of the trail that cannot be taken now."""


def file_name(kind: str, file_format: str, *, agreement=None, year=None) -> str:
    subject = agreement.slug if agreement else str(year)
    return f"{kind}-{subject}.{file_format}"


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _keep(owner, content: bytes, acting_user):
    """The one copy of `owner`'s bytes, in the file store, under the checksum on its row."""
    do_keep_file(
        content,
        file_name=owner.file_name,
        owner=owner,
        purpose=Purpose.DOCUMENT,
        acting_user=acting_user,
        checksum=owner.checksum,
    )
    owner.made = (owner.checksum, content)  # in hand for the answer: never read back


def sync_deadlines(agreement, kind):
    """Write how far the agreement's `kind` documents have come onto the deadlines they
    answer: the furthest state of any of its PDFs, so that a later draft does not undo a
    document already sent."""
    if agreement is None:
        return
    deadline_kinds = [
        dk
        for dk, doc_kind in DOCUMENT_FOR_DEADLINE.items()
        if doc_kind == kind and dk != DeadlineKind.REPAYMENT
    ]
    if kind == DocumentKind.FINANCIAL_REPORT:
        sync_repayment(agreement)
    deadlines = list(Deadline.objects.own().filter(agreement=agreement, kind__in=deadline_kinds))
    if not deadlines:
        return
    documents = list(GeneratedDocument.objects.with_trail().filter(agreement=agreement, kind=kind))
    if not documents:
        DeadlineSubmission.objects.filter(deadline__in=deadlines).delete()
        return
    best = max(documents, key=lambda d: (STATE_ORDER.index(d.state), d.created_at, d.pk))
    for deadline in deadlines:
        DeadlineSubmission.objects.update_or_create(
            deadline=deadline,
            defaults={
                "document_kind": kind,
                "state": best.state,
                "changed_at": timezone.now(),
                "sent_on": best.sent_on,
                "sent_channel": best.get_sent_channel_display() if best.sent_channel else "",
                "sent_by": best.sent_by,
            },
        )


def sync_repayment(agreement):
    """The repayment deadlines of the agreement: met (a submission in state "skickat", with how
    it was met) or open (no submission)."""
    deadlines = list(
        Deadline.objects.own().filter(agreement=agreement, kind=DeadlineKind.REPAYMENT)
    )
    if not deadlines:
        return
    met, how, on = repayment_met(agreement)
    if not met:
        DeadlineSubmission.objects.filter(deadline__in=deadlines).delete()
        return
    for deadline in deadlines:
        DeadlineSubmission.objects.update_or_create(
            deadline=deadline,
            defaults={
                "document_kind": DocumentKind.FINANCIAL_REPORT,
                "state": DocumentState.SENT,
                "changed_at": timezone.now(),
                "sent_on": on,
                "sent_channel": how[:100],
                "sent_by": None,
            },
        )


def _refuse_draft(document, step: str):
    if document.missing:
        raise TrailError(refusal(document.get_kind_display(), step, document.missing))


def _record(document, state, acting_user, note=""):
    DocumentEvent.objects.create(
        document=document,
        state=state,
        acted_by=acting_user,
        checksum=document.checksum,
        note=note,
    )


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
    if saved:
        # A repayment recorded (or taken back) meets (or reopens) the repayment deadline.
        sync_repayment(agreement)
    return saved


@transaction.atomic
def do_save_organisation(profile, *, expected_version, acting_user):
    """Save the region's details for the forms; refused when someone saved them meanwhile."""
    return save_checked(
        profile, expected_version, what="Regionens uppgifter", acting_user=acting_user
    )


@transaction.atomic
def do_generate_document(kind, file_format, *, agreement=None, year=None, acting_user=None):
    """Generate and keep the document; one that lacks anything mandatory (or prints example
    values) is a draft, marked "UTKAST" on every page, its missing items kept with it."""
    context = document_context(kind, agreement=agreement, year=year)
    content = render(kind, file_format, context)
    document = GeneratedDocument.objects.create(
        missing=context["draft"],
        repayable=context.get("repayable") if kind == DocumentKind.FINANCIAL_REPORT else None,
        kind=kind,
        agreement=agreement,
        year=agreement.year if agreement else year,
        file_format=file_format,
        file_name=file_name(kind, file_format, agreement=agreement, year=year),
        checksum=_sha256(content),
        created_by=acting_user,
    )
    _keep(document, content, acting_user)
    _record(
        document,
        DocumentState.GENERATED,
        acting_user,
        ("Utkast; saknas: " + "; ".join(document.missing)) if document.missing else "",
    )
    if file_format == "pdf":
        sync_deadlines(agreement, kind)
    return document


def _lock(document, expected_state) -> GeneratedDocument:
    """The document row, locked; refused when someone else moved it on meanwhile."""
    locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
    if expected_state is not None and locked.state != expected_state:
        raise TrailError(
            f"Dokumentet har ändrats av någon annan (status nu: {locked.get_state_display()}). "
            "Ladda om sidan."
        )
    return locked


def _check_next(document, state):
    if document.next_state != state:
        if document.next_state is None:
            raise TrailError("Dokumentet är redan skickat.")
        raise TrailError(
            f"{document.get_kind_display()} ska nu bli ”{document.next_state.label.lower()}”, "
            f"inte ”{DocumentState(state).label.lower()}”."
        )


@transaction.atomic
def do_attest_document(
    document, *, correct: bool, deviations: str, acting_user, expected_state=None
):
    """The head of finance attests the financial report: Alt 1 (correct) or Alt 2 with the
    deviations. The PDF is rendered again with the attestation filled in (it has not been
    sent yet); the event keeps the checksum of the draft it replaced."""
    document = _lock(document, expected_state)
    _check_next(document, DocumentState.ATTESTED)
    _refuse_draft(document, "attesteras")
    deviations = deviations.strip()
    if not correct and not deviations:
        raise TrailError("Med alternativ 2 ska avvikelserna och åtgärderna anges.")
    info = report_info(document.agreement)
    info.attestation = Attestation.CORRECT if correct else Attestation.NOT_CORRECT
    info.deviations = deviations
    info._history_user = acting_user
    info.save()
    draft_checksum = document.checksum
    now = timezone.now()
    context = document_context(
        document.kind,
        agreement=document.agreement,
        extra={"attested": {"by": acting_user, "on": timezone.localdate(now)}},
    )
    if context["draft"]:  # something was emptied since the document was generated
        raise TrailError(refusal(document.get_kind_display(), "attesteras", context["draft"]))
    content = render(document.kind, "pdf", context)
    document.repayable = context["repayable"]
    document.checksum = _sha256(content)
    document.state = DocumentState.ATTESTED
    document.attested_by = acting_user
    document.attested_at = now
    document.save()
    _keep(document, content, acting_user)  # the attested copy is the one sent
    note = (
        "Alt 1: intygar att den ekonomiska redovisningen är korrekt."
        if correct
        else f"Alt 2: bedömer inte att den ekonomiska redovisningen är korrekt. {deviations}"
    )
    if correct and deviations:
        note += f" Avvikelser och åtgärder: {deviations}"
    _record(document, DocumentState.ATTESTED, acting_user, f"{note} (utkast {draft_checksum})")
    sync_deadlines(document.agreement, document.kind)
    return document


def signed_file_name(document) -> str:
    """The signed copy's name: the document's own, normalised, never the uploaded one."""
    stem = document.file_name.rsplit(".", 1)[0]
    return f"{stem}-undertecknad.pdf"


@transaction.atomic
def do_upload_signed_copy(
    document,
    *,
    content: bytes,
    file_name: str,
    signatory: str,
    signed_on,
    acting_user,
    expected_state=None,
):
    """Keep the signed copy (scanned or e-signed PDF) with its checksum; the document is
    signed."""
    document = _lock(document, expected_state)
    _check_next(document, DocumentState.SIGNED)
    _refuse_draft(document, "undertecknas")
    try:
        check_size(
            len(content), settings.SIGNED_COPY_MAX_UPLOAD_MB * MB, "det undertecknade exemplaret"
        )
    except LimitExceeded as refused:
        raise TrailError(refused.messages) from refused
    checksum = _sha256(content)
    unsigned = {document.checksum, *document.events.values_list("checksum", flat=True)}
    if checksum in unsigned:
        raise TrailError(
            "Filen är identisk med det skapade dokumentet (samma kontrollsumma): detta är den "
            "osignerade filen. Ladda upp det undertecknade exemplaret."
        )
    try:
        check_signed_copy(content)
    except SignedCopyRefused as refused:
        raise TrailError(refused.messages) from refused
    if signed_on > timezone.localdate():
        raise TrailError("Datumet för underskriften kan inte ligga i framtiden.")
    copy = SignedCopy.objects.create(
        document=document,
        file_name=signed_file_name(document),
        checksum=checksum,
        signatory=signatory,
        signed_on=signed_on,
        uploaded_by=acting_user,
    )
    _keep(copy, content, acting_user)
    document.state = DocumentState.SIGNED
    document.save(update_fields=["state"])
    _record(
        document,
        DocumentState.SIGNED,
        acting_user,
        f"Undertecknat av {signatory} {signed_on:%Y-%m-%d}; undertecknat exemplar "
        f"{copy.file_name} (SHA-256 {copy.checksum}).",
    )
    sync_deadlines(document.agreement, document.kind)
    return copy


@transaction.atomic
def do_send_document(
    document, *, sent_on, channel: str, recipient: str = "", acting_user, expected_state=None
):
    """The document has been sent: the deadlines it answers are met."""
    document = _lock(document, expected_state)
    _check_next(document, DocumentState.SENT)
    _refuse_draft(document, "skickas")
    if sent_on > timezone.localdate():
        raise TrailError("Datumet då dokumentet skickades kan inte ligga i framtiden.")
    document.state = DocumentState.SENT
    document.sent_on = sent_on
    document.sent_channel = channel
    document.sent_to = recipient
    document.sent_by = acting_user
    document.save(update_fields=["state", "sent_on", "sent_channel", "sent_to", "sent_by"])
    _record(
        document,
        DocumentState.SENT,
        acting_user,
        f"Skickat {sent_on:%Y-%m-%d} via {document.get_sent_channel_display().lower()}"
        + (f" till {recipient}" if recipient else "")
        + ".",
    )
    sync_deadlines(document.agreement, document.kind)
    return document


# The register of every year's state grants.


class RegisterError(Refused):
    """A change to the register that is refused."""


def _grant_year(year: int) -> StateGrantYear:
    grant_year, _ = StateGrantYear.objects.select_for_update().get_or_create(year=year)
    return grant_year


# StateGrant.position is a PositiveSmallIntegerField.
MAX_POSITION = 32_767


def _next_position(grant_year, temporary) -> int:
    last = (
        StateGrant.objects.filter(grant_year=grant_year, temporary=temporary)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return (last or 0) + 1


@transaction.atomic
def do_import_state_grants(year: int, grants: list[GrantRow], *, acting_user) -> list[StateGrant]:
    """Add the grants read from a file to the year's register, all or nothing; a grant the
    year already has (same name) is refused with its row."""
    grant_year = _grant_year(year)
    existing = {
        (name.lower(), temporary)
        for name, temporary in grant_year.grants.values_list("name", "temporary")
    }
    clashes = [
        f"Rad {g.row}: ”{g.name}” finns redan för {year}; ändra det i registret i stället."
        for g in grants
        if (g.name.lower(), g.temporary) in existing
    ]
    if clashes:
        raise RegisterError(clashes)
    # Set-based: one insert for the grants, one for their lines, one for each history,
    # however long the file (positions follow on after the year's last grant of each kind).
    next_position = {flag: _next_position(grant_year, flag) for flag in (False, True)}
    for flag in (False, True):
        count = sum(1 for row in grants if row.temporary == flag)
        if next_position[flag] + count - 1 > MAX_POSITION:
            raise RegisterError(
                [
                    f"Året {year} skulle få fler än {MAX_POSITION} statsbidrag av samma slag; "
                    "läs in färre eller ta bort statsbidrag som inte hör dit."
                ]
            )
    new_grants = []
    for row in grants:
        new_grants.append(
            StateGrant(
                grant_year=grant_year,
                position=next_position[row.temporary],
                name=row.name,
                authority=row.authority,
                case_number=row.case_number,
                temporary=row.temporary,
            )
        )
        next_position[row.temporary] += 1
    created = bulk_create_with_history(
        new_grants, StateGrant, batch_size=2000, default_user=acting_user
    )
    bulk_create_with_history(
        [
            StateGrantLine(grant=grant, position=position, amount=amount, comment=comment)
            for grant, row in zip(created, grants, strict=True)
            for position, (amount, comment) in enumerate(row.lines, start=1)
        ],
        StateGrantLine,
        batch_size=2000,
        default_user=acting_user,
    )
    return created


@transaction.atomic
def do_fill_state_grants_from_agreements(year: int, *, acting_user):
    """Add the year's agreements that the register lacks, with the region's amount (paid, or
    else decided); returns (grants added, Swedish notes on agreements left out)."""
    grant_year = _grant_year(year)
    held = set(grant_year.grants.exclude(agreement=None).values_list("agreement_id", flat=True))
    added, notes = [], []
    for agreement in Agreement.objects.filter(year=year).order_by("short_name"):
        if agreement.pk in held:
            notes.append(f"{agreement} finns redan i registret.")
            continue
        info = report_info(agreement)
        amount = info.grant_paid if info.grant_paid is not None else own_total(agreement)
        if not amount:
            notes.append(f"{agreement}: inga beslutade belopp för regionen; läggs inte till.")
            continue
        grant = StateGrant(
            grant_year=grant_year,
            position=_next_position(grant_year, False),
            name=agreement.name,
            authority="Kammarkollegiet",
            case_number=agreement.region_case_number,
            agreement=agreement,
        )
        grant._history_user = acting_user
        grant.save()
        line = StateGrantLine(
            grant=grant,
            position=1,
            amount=amount,
            comment="Utbetalt enligt rapportuppgifterna"
            if info.grant_paid is not None
            else "Regionens beslutade belopp enligt överenskommelsen",
        )
        line._history_user = acting_user
        line.save()
        added.append(grant)
    return added, notes


@transaction.atomic
def do_save_state_grant(grant, lines, *, version, acting_user, areas=None):
    """Save a grant and replace its amounts (and, when given, its money per development
    area: (name, contents, millions)); refused when someone saved it meanwhile."""
    if grant.pk:
        check_version(grant, version, what="Statsbidraget")
    else:
        if grant.grant_year.pk is None:  # the year's first grant
            grant.grant_year = _grant_year(grant.grant_year.year)
        grant.position = _next_position(grant.grant_year, grant.temporary)
    grant._history_user = acting_user
    grant.save()
    old = list(grant.lines.order_by("position", "id").values_list("amount", "comment"))
    if old != list(lines):
        for line in grant.lines.all():
            line._history_user = acting_user
            line.delete()
        for position, (amount, comment) in enumerate(lines, start=1):
            line = StateGrantLine(grant=grant, position=position, amount=amount, comment=comment)
            line._history_user = acting_user
            line.save()
    if areas is not None:
        old_areas = list(
            grant.areas.order_by("position", "id").values_list("name", "contents", "amount_mnkr")
        )
        if old_areas != list(areas):
            for area in grant.areas.all():
                area._history_user = acting_user
                area.delete()
            for position, (name, contents, amount) in enumerate(areas, start=1):
                area = StateGrantArea(
                    grant=grant, position=position, name=name, contents=contents, amount_mnkr=amount
                )
                area._history_user = acting_user
                area.save()
    return grant
