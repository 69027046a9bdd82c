"""The trail after "generate": each kind of document through the states the agreement asks
for, each step by the role that takes it, and the deadline met only when the document is sent."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.models import Deadline, DeadlineKind, DocumentKind, DocumentState
from reporting.actions import (
    TrailError,
    do_attest_document,
    do_generate_document,
    do_send_document,
    do_upload_signed_copy,
)
from reporting.models import (
    AgreementReport,
    DocumentEvent,
    GeneratedDocument,
    OrganisationProfile,
)
from tests.reporting.layout import pdf_text

from .conftest import fill_report_details, plain_pdf

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
SIGNED_PDF = plain_pdf("undertecknad och inskannad")


@pytest.fixture(autouse=True)
def _details_filled(request):
    """The trail is about complete documents: the region's details and case numbers filled,
    and the region's decided amounts there to requisition."""
    if "gnv2023" in request.fixturenames:
        agreement = request.getfixturevalue("allocations2023")
        fill_report_details()
        agreement.refresh_from_db()


EXPECTED_STEPS = {
    DocumentKind.REQUISITION: ["skapat", "undertecknat", "skickat"],
    DocumentKind.FINANCIAL_REPORT: ["skapat", "attesterat", "undertecknat", "skickat"],
    DocumentKind.ACTIVITY_REPORT: ["skapat", "skickat"],
    DocumentKind.VFU_REPORT: ["skapat", "skickat"],
    DocumentKind.DECISION: ["skapat", "skickat"],
}


def take_step(document, state, users):
    if state == DocumentState.ATTESTED:
        return do_attest_document(
            document, correct=True, deviations="", acting_user=users["finance"]
        )
    if state == DocumentState.SIGNED:
        return do_upload_signed_copy(
            document,
            content=SIGNED_PDF,
            file_name="undertecknad.pdf",
            signatory="Regiondirektören",
            signed_on=YESTERDAY,
            acting_user=users["officer"],
        )
    return do_send_document(
        document, sent_on=YESTERDAY, channel="e-tjanst", acting_user=users["officer"]
    )


@pytest.mark.parametrize("kind", list(EXPECTED_STEPS))
def test_each_kind_goes_through_its_states_and_meets_its_deadlines_when_sent(gnv2023, users, kind):
    document = do_generate_document(kind, "pdf", agreement=gnv2023, acting_user=users["officer"])
    assert [s.value for s in document.steps] == EXPECTED_STEPS[kind]
    answered = [d for d in Deadline.objects.own().filter(agreement=gnv2023) if _answers(d, kind)]
    assert bool(answered) == (kind != DocumentKind.DECISION)
    for state in EXPECTED_STEPS[kind][1:]:
        # The deadline is not met before the document has been sent.
        assert not Deadline.objects.sent().filter(pk__in=[d.pk for d in answered]).exists()
        # Skipping a step is refused.
        if document.next_state != DocumentState.SENT:
            with pytest.raises(TrailError):
                do_send_document(
                    document, sent_on=YESTERDAY, channel="post", acting_user=users["officer"]
                )
        take_step(document, state, users)
        document.refresh_from_db()
        assert document.state == state
        for deadline in answered:
            deadline.refresh_from_db()
            assert deadline.submission.state == state
    assert document.next_state is None
    assert set(Deadline.objects.sent().filter(agreement=gnv2023)) == set(answered)
    for deadline in answered:
        assert deadline.submission.sent_on == YESTERDAY
        assert deadline.submission.sent_by == users["officer"]
        assert deadline.submission.sent_channel == "Myndighetens e-tjänst"
    events = list(DocumentEvent.objects.filter(document=document))
    assert [e.state for e in events] == EXPECTED_STEPS[kind]
    assert all(e.acted_by for e in events)
    with pytest.raises(TrailError, match="redan skickat"):
        do_send_document(document, sent_on=YESTERDAY, channel="post", acting_user=users["officer"])
    # Money left to repay (no ledger here): sending the report does not meet the repayment.
    repayment = Deadline.objects.own().filter(agreement=gnv2023, kind=DeadlineKind.REPAYMENT)
    assert repayment.exists()
    assert not repayment.filter(pk__in=Deadline.objects.sent()).exists()


def _answers(deadline, kind):
    """The deadlines the document's sending meets; the repayment is met by the repayment."""
    from grants.models import DOCUMENT_FOR_DEADLINE

    return DOCUMENT_FOR_DEADLINE.get(deadline.kind) == kind and deadline.kind != "aterbetalning"


def test_attestation_fills_in_the_financial_report_and_keeps_the_draft_checksum(gnv2023, users):
    document = do_generate_document(
        DocumentKind.FINANCIAL_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    draft = document.checksum
    with pytest.raises(TrailError, match="avvikelserna"):
        do_attest_document(document, correct=False, deviations="  ", acting_user=users["finance"])
    do_attest_document(
        document,
        correct=False,
        deviations="Objekt 9943: 12 000 kr bokade på fel objekt i maj, rättat i september.",
        acting_user=users["finance"],
    )
    document.refresh_from_db()
    assert document.attested_by == users["finance"]
    assert document.checksum == hashlib.sha256(bytes(document.content)).hexdigest() != draft
    text = pdf_text(bytes(document.content))
    assert "Alt 2:" in text and "12 000 kr bokade på fel objekt i maj" in text
    # Registered by a finance officer for the head of finance the report names: it says so.
    head = OrganisationProfile.objects.get().finance_head_name
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert f"Attesteringen registrerad i Statsbidrag {today} av ekonom på uppdrag av {head}" in (
        " ".join(text.split())
    )
    # The choice is kept for the next generation, with who changed it.
    info = AgreementReport.objects.get(agreement=gnv2023)
    assert info.attestation == "2"
    assert info.history.first().history_user == users["finance"]
    event = document.events.get(state=DocumentState.ATTESTED)
    assert draft in event.note and event.checksum == document.checksum


def test_the_signed_copy_must_be_a_pdf_signed_in_the_past(gnv2023, users):
    document = do_generate_document(
        DocumentKind.REQUISITION, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    with pytest.raises(TrailError, match="PDF"):
        do_upload_signed_copy(
            document,
            content=b"GIF89a",
            file_name="bild.gif",
            signatory="X",
            signed_on=YESTERDAY,
            acting_user=users["officer"],
        )
    with pytest.raises(TrailError, match="framtiden"):
        do_upload_signed_copy(
            document,
            content=SIGNED_PDF,
            file_name="u.pdf",
            signatory="X",
            signed_on=timezone.localdate() + datetime.timedelta(days=1),
            acting_user=users["officer"],
        )
    copy = do_upload_signed_copy(
        document,
        content=SIGNED_PDF,
        file_name="u.pdf",
        signatory="Regiondirektören",
        signed_on=YESTERDAY,
        acting_user=users["officer"],
    )
    assert copy.checksum == hashlib.sha256(SIGNED_PDF).hexdigest()
    assert bytes(copy.content) == SIGNED_PDF


def test_a_new_draft_does_not_undo_a_document_already_sent(gnv2023, users):
    first = do_generate_document(
        DocumentKind.ACTIVITY_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    do_send_document(first, sent_on=YESTERDAY, channel="e-post", acting_user=users["officer"])
    do_generate_document(
        DocumentKind.ACTIVITY_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    deadline = Deadline.objects.own().get(agreement=gnv2023, kind=DeadlineKind.ACTIVITY_REPORT)
    assert deadline.submission.state == DocumentState.SENT


def test_queryset_reads_for_the_to_do_list(gnv2023, users):
    report = do_generate_document(
        DocumentKind.FINANCIAL_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    do_generate_document(
        DocumentKind.FINANCIAL_REPORT, "xlsx", agreement=gnv2023, acting_user=users["officer"]
    )
    assert list(GeneratedDocument.objects.awaiting_attestation()) == [report]
    waiting = set(Deadline.objects.own().without_sent_document().filter(agreement=gnv2023))
    assert {d.kind for d in waiting} == {
        "rekvisition",
        "ekonomisk_redovisning",
        "aterbetalning",
        "verksamhetsrapport",
        "vfu_redovisning",
    }
    take_step(report, DocumentState.ATTESTED, users)
    assert not GeneratedDocument.objects.awaiting_attestation().exists()


# Through the pages, as each role.


def _trail(client, document):
    return reverse("reporting:trail", args=[document.pk])


def _step(name, document):
    """The POST view of one step of the trail: attest, sign or send."""
    return reverse(f"reporting:{name}", args=[document.pk])


def test_only_finance_attests(client_for, gnv2023, users):
    document = do_generate_document(
        DocumentKind.FINANCIAL_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    data = {"state": "skapat", "correct": "1", "deviations": ""}
    for who in ["officer", "admin", "manager"]:
        client = client_for(who)
        page = client.get(_trail(client, document)).content.decode()
        assert ">Attestera<" not in page and "görs av ekonomichefen" in page
        assert client.post(_step("attest", document), data).status_code == 403
    client = client_for("finance")
    assert ">Attestera<" in client.get(_trail(client, document)).content.decode()
    assert client.post(_step("attest", document), data).status_code == 302
    document.refresh_from_db()
    assert document.state == DocumentState.ATTESTED
    # Finance does not sign or send: officers handle the rest.
    page = client.get(_trail(client, document)).content.decode()
    assert "görs av en HOSPA-handläggare" in page
    upload = SimpleUploadedFile("u.pdf", SIGNED_PDF, content_type="application/pdf")
    response = client.post(
        _step("sign", document),
        {
            "state": "attesterat",
            "file": upload,
            "signatory": "X",
            "signed_on": YESTERDAY.isoformat(),
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_officers_upload_the_signed_copy_and_record_the_sending(client_for, gnv2023, users, who):
    document = do_generate_document(
        DocumentKind.REQUISITION, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    client = client_for(who)
    url = _trail(client, document)
    bad = SimpleUploadedFile("u.txt", b"inte en pdf", content_type="text/plain")
    response = client.post(
        _step("sign", document),
        {
            "state": "skapat",
            "file": bad,
            "signatory": "X",
            "signed_on": YESTERDAY.isoformat(),
        },
    )
    assert response.status_code == 400 and "Filen ska vara en PDF." in response.content.decode()
    upload = SimpleUploadedFile("rekvisition-signerad.pdf", SIGNED_PDF)
    response = client.post(
        _step("sign", document),
        {
            "state": "skapat",
            "file": upload,
            "signatory": "Regiondirektören",
            "signed_on": YESTERDAY.isoformat(),
        },
    )
    assert response.status_code == 302
    copy = document.signed_copies.get()
    assert copy.uploaded_by == users[who]
    page = client.get(url).content.decode()
    assert copy.checksum in page
    assert (
        client.get(reverse("reporting:signed_copy", args=[document.pk, copy.pk])).content
        == SIGNED_PDF
    )
    response = client.post(
        _step("send", document),
        {
            "state": "undertecknat",
            "sent_on": YESTERDAY.isoformat(),
            "channel": "e-tjanst",
            "recipient": "Kammarkollegiet",
        },
    )
    assert response.status_code == 302
    reports = client.get(reverse("reporting:agreement", args=[gnv2023.pk])).content.decode()
    assert f"Skickat {YESTERDAY:%Y-%m-%d} (myndighetens e-tjänst)" in reports
    # The agreement's deadline list says the requisition deadline is met.
    detail = client.get(gnv2023.get_absolute_url()).content.decode()
    assert f"Skickat {YESTERDAY:%Y-%m-%d}" in detail
    # The same form posted again (a second tab): refused with why, nothing changes.
    response = client.post(
        _step("send", document),
        {
            "state": "undertecknat",
            "sent_on": YESTERDAY.isoformat(),
            "channel": "post",
        },
    )
    assert response.status_code == 400 and "ändrats av någon annan" in response.content.decode()
    document.refresh_from_db()
    assert document.sent_channel == "e-tjanst" and document.sent_by == users[who]


def test_a_stale_form_is_refused(client_for, gnv2023, users):
    document = do_generate_document(
        DocumentKind.ACTIVITY_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    client = client_for("officer")
    # Another user moved the document on after this form was shown.
    with pytest.raises(TrailError, match="ändrats av någon annan"):
        do_send_document(
            document,
            sent_on=YESTERDAY,
            channel="post",
            acting_user=users["officer"],
            expected_state="undertecknat",
        )
    # A form for a step that is not the next one (a page shown before a change): refused.
    response = client.post(
        _step("sign", document),
        {
            "state": "skapat",
            "sent_on": YESTERDAY.isoformat(),
            "channel": "post",
        },
    )
    assert response.status_code == 400
    assert "ändrats av någon annan" in response.content.decode()
    document.refresh_from_db()
    assert document.state == DocumentState.GENERATED


def test_the_dashboard_counts_a_deadline_met_only_when_sent(client_for, gnv2023, users):
    from dashboard.reads.figures import build_dashboard

    today = datetime.date(2024, 4, 2)
    document = do_generate_document(
        DocumentKind.ACTIVITY_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )

    def row():
        dashboard = build_dashboard(2023, today)
        return next(r for r in dashboard.deadlines if r.deadline.kind == "verksamhetsrapport")

    assert row().overdue and row().state == "Skapat"
    do_send_document(
        document,
        sent_on=datetime.date(2024, 3, 29),
        channel="e-tjanst",
        acting_user=users["officer"],
    )
    assert not row().overdue and row().sent and row().sent_on == datetime.date(2024, 3, 29)
