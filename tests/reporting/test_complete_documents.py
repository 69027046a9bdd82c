"""Documents an authority accepts as they are (issue 20, points 1–4 and 11): every field of
the form filled from the app, case numbers and signature blocks on every document, section 4
as the form has it; a document lacking anything is a draft ("UTKAST" on every page, what is
missing on its first) and cannot be attested, signed or sent; the repayment deadline met by a
repayment, not by the report."""

import datetime
import io
import re
import time
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    DictionaryObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from common.money import format_amount
from grants.models import Deadline, DeadlineKind, DocumentKind, DocumentState
from reporting.actions import (
    TrailError,
    do_attest_document,
    do_generate_document,
    do_send_document,
    do_upload_signed_copy,
)
from reporting.models import AgreementReport, CostSpecification, OrganisationProfile
from reporting.reads import documents
from reporting.reads.documents import document_context

from .conftest import fill_report_details, plain_pdf

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
AGREEMENT_KINDS = [
    DocumentKind.REQUISITION,
    DocumentKind.FINANCIAL_REPORT,
    DocumentKind.ACTIVITY_REPORT,
    DocumentKind.VFU_REPORT,
    DocumentKind.DECISION,
]


def pages_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def kr(amount) -> str:
    return format_amount(Decimal(amount)).replace("\u00a0", " ")


def text_of(document) -> str:
    return " ".join(pages_text(bytes(document.content))).replace("\u00a0", " ")


# Labels of the form's fields (seed 001, bilaga 1): a value printed as "–" after any of them,
# or "N.N." or "SAKNAS" anywhere, is a blank field.
FIELD_LABELS = [
    "Bidragsmottagare",
    "Organisationsnummer",
    "Kontaktperson",
    "Postadress",
    "Telefon inkl. riktnummer",
    "Faxnummer",
    "E-postadress",
    "Bankgiro/Plusgiro",
    "Önskad betalningsreferens",
    "Namn",
    "Befattning",
    "Namnförtydligande",
]


def assert_no_blank_field(text: str):
    assert "N.N." not in text
    assert "SAKNAS" not in text and "UTKAST" not in text
    for label in FIELD_LABELS:
        assert not re.search(re.escape(label) + r":?\s+–(\s|$)", text), label


@pytest.fixture
def complete(reported2023, grants2021):
    """The demo data (2023 with allocation, distribution and a year of ledger; the 2021 state
    grants) with the region's details and case numbers as an officer has confirmed them."""
    fill_report_details()
    reported2023.refresh_from_db()
    return reported2023


def test_the_demo_data_fills_every_field_and_marks_the_example_values(reported2023):
    fill_report_details(confirmed=False)
    profile = OrganisationProfile.objects.get()
    assert profile.org_number == "232100-0214"  # public, Luhn-checked
    assert profile.postal_address == "Box 654, 831 27 Östersund"
    for name in ("contact_person", "bankgiro", "signatory", "finance_head_name"):
        assert getattr(profile, name) and name in profile.example_fields
    assert "org_number" not in profile.example_fields
    reported2023.refresh_from_db()
    info = AgreementReport.objects.get(agreement=reported2023)
    assert reported2023.government_case_number and reported2023.payment_decision_case_number
    assert {"government_case_number", "payment_decision_case_number"} <= set(info.example_fields)
    # As loaded, a requisition prints example values: a draft that says which.
    document = do_generate_document(DocumentKind.REQUISITION, "pdf", agreement=reported2023)
    assert "Exempelvärde, ej bekräftat: Kontaktperson (Regionens uppgifter)" in document.missing
    assert any("Regeringskansliets diarienummer" in m for m in document.missing)
    pages = pages_text(bytes(document.content))
    assert all("UTKAST" in page for page in pages)
    with pytest.raises(TrailError, match="utkast.*Exempelvärde"):
        do_upload_signed_copy(
            document,
            content=plain_pdf(),
            file_name="u.pdf",
            signatory="Lars Exempel",
            signed_on=YESTERDAY,
            acting_user=None,
        )


def test_requisition_from_the_demo_data_has_every_field_of_the_form(complete, users):
    document = do_generate_document(
        DocumentKind.REQUISITION, "pdf", agreement=complete, acting_user=users["officer"]
    )
    assert document.missing == []
    text = text_of(document)
    assert_no_blank_field(text)
    for value in (
        "Region Jämtland Härjedalen",
        "232100-0214",
        "Karin Exempel, Handläggare",
        "Box 654, 831 27 Östersund",
        "063-14 75 00",
        "Ingen fax",
        "region@regionjh.se",
        "S2023/01234",
        "S2023/05678",
        complete.name,
        kr(75_422_690),
        "2023-01-01 – 2023-12-31",
        "Bankgiro 5050-1006",
        "God och nära vård 2023",
        "4. Underskrift i original av behörig företrädare",
        "Namnförtydligande: Lars Exempel, Regiondirektör",
    ):
        assert value in text, (value, text)


def test_financial_report_from_the_demo_data_has_every_field_of_the_form(complete, users):
    document = do_generate_document(
        DocumentKind.FINANCIAL_REPORT, "pdf", agreement=complete, acting_user=users["officer"]
    )
    assert document.missing == []
    context = document_context(DocumentKind.FINANCIAL_REPORT, agreement=complete)
    text = text_of(document)
    assert_no_blank_field(text)
    for value in (
        "232100-0214",
        "Karin Exempel",
        "S2023/01234",
        "S2023/05678",
        "2023-01-01 – 2023-12-31",
        kr(75_422_690),
        "Summa kostnader",
        kr(context["costs"]),
        kr(context["unused"]),
        "Maria Exempel",
        "Ekonomidirektör",
        "063-14 75 01",
        "maria.exempel@regionjh.se",
        "5. Underskrift i original av behörig företrädare",
        "Namnförtydligande: Lars Exempel, Regiondirektör",
    ):
        assert value in text, (value, text)
    # Section 4 before attestation: both alternatives, neither chosen.
    assert "☐ Alt 1: Maria Exempel (ekonomidirektör) intygar" in text
    assert "☐ Alt 2: Maria Exempel (ekonomidirektör) bedömer inte" in text
    assert "Attesterad" not in text
    # The head of finance named on the report attests in the app herself.
    head = users["finance"]
    head.first_name, head.last_name = "Maria", "Exempel"
    head.save()
    do_attest_document(document, correct=True, deviations="", acting_user=head)
    document.refresh_from_db()
    text = text_of(document)
    assert "Alt 1: Maria Exempel (ekonomidirektör) intygar att den ekonomiska redovisningen" in text
    assert "Alt 2" not in text and "☐" not in text
    assert "Attesterad i Statsbidrag" in text and "av Maria Exempel." in text
    assert "på uppdrag av" not in text
    for value in ("Maria Exempel", "Ekonomidirektör", "063-14 75 01", "maria.exempel@regionjh.se"):
        assert value in text
    assert_no_blank_field(text)


@pytest.mark.parametrize("specification", list(CostSpecification))
def test_the_larger_cost_items_add_up_to_the_costs(complete, specification):
    AgreementReport.objects.filter(agreement=complete).update(cost_specification=specification)
    context = document_context(DocumentKind.FINANCIAL_REPORT, agreement=complete)
    items = context["items"]
    assert len(items) > 1 and context["costs"] > 0
    assert sum((item.amount for item in items), Decimal("0")) == context["costs"]
    prefix = "Kontogrupp" if specification == CostSpecification.ACCOUNT_GROUP else "Insats:"
    assert all(item.label.startswith(prefix) for item in items[:1])
    text = text_of(do_generate_document(DocumentKind.FINANCIAL_REPORT, "pdf", agreement=complete))
    assert f"Kostnader: {items[0].label[:20]}" in text


CASE_NUMBERS = {
    DocumentKind.REQUISITION: ["S2023/01234", "S2023/05678"],
    DocumentKind.FINANCIAL_REPORT: ["S2023/01234", "S2023/05678"],
    DocumentKind.ACTIVITY_REPORT: ["S2023/01234", "S2023/05678"],
    DocumentKind.VFU_REPORT: ["S2023/01234", "S2023/05678"],
    DocumentKind.DECISION: ["Regionens diarienummer RS/321/2023"],
    DocumentKind.ANNUAL_SUMMARY: ["Regionens diarienummer RS/841/2021"],
}
SIGNED = {
    DocumentKind.REQUISITION,
    DocumentKind.FINANCIAL_REPORT,
    DocumentKind.ACTIVITY_REPORT,
    DocumentKind.VFU_REPORT,
}


@pytest.mark.parametrize("kind", list(CASE_NUMBERS))
def test_every_document_has_its_case_numbers_and_its_signature_block(complete, kind):
    if kind == DocumentKind.ANNUAL_SUMMARY:
        document = do_generate_document(kind, "pdf", year=2021)
    else:
        document = do_generate_document(kind, "pdf", agreement=complete)
    text = text_of(document)
    for number in CASE_NUMBERS[kind]:
        assert number in text, number
    if kind in SIGNED:
        assert "Underskrift i original av behörig företrädare" in text
        assert "Datum Underskrift Namnförtydligande: Lars Exempel, Regiondirektör" in text
    assert "UTKAST" not in text and "SAKNAS" not in text
    assert document.missing == []


def _empty(agreement, where, name):
    if where == "profile":
        OrganisationProfile.objects.update(**{name: ""})
    elif where == "info":
        AgreementReport.objects.filter(agreement=agreement).update(**{name: None})
    else:
        setattr(agreement, name, "")
        agreement.save()


@pytest.mark.parametrize(
    "kind, where, name, missing",
    [
        (DocumentKind.REQUISITION, "profile", "bankgiro", "Bankgiro/Plusgiro saknas"),
        (DocumentKind.REQUISITION, "profile", "org_number", "Organisationsnummer saknas"),
        (DocumentKind.FINANCIAL_REPORT, "profile", "finance_head_phone", "Ekonomichefens telefon"),
        (
            DocumentKind.ACTIVITY_REPORT,
            "agreement",
            "payment_decision_case_number",
            "Regeringskansliets diarienummer för regeringsbeslut om utbetalning saknas",
        ),
        (DocumentKind.VFU_REPORT, "profile", "signatory", "Behörig företrädare"),
        (DocumentKind.VFU_REPORT, "info", "vfu_weeks_estimate", "VFU-veckor, uppskattning"),
        (DocumentKind.DECISION, "agreement", "region_case_number", "Regionens diarienummer"),
    ],
)
def test_one_mandatory_field_emptied_gives_a_draft_that_cannot_go_on(
    complete, users, kind, where, name, missing
):
    _empty(complete, where, name)
    document = do_generate_document(kind, "pdf", agreement=complete, acting_user=users["officer"])
    assert any(missing in item for item in document.missing)
    pages = pages_text(bytes(document.content))
    assert all("UTKAST" in page for page in pages)
    assert "Dokumentet saknar följande:" in pages[0] and missing in pages[0]
    step = document.next_state
    with pytest.raises(TrailError) as refused:
        if step == DocumentState.ATTESTED:
            do_attest_document(document, correct=True, deviations="", acting_user=users["finance"])
        elif step == DocumentState.SIGNED:
            do_upload_signed_copy(
                document,
                content=plain_pdf(),
                file_name="u.pdf",
                signatory="Lars Exempel",
                signed_on=YESTERDAY,
                acting_user=users["officer"],
            )
        else:
            do_send_document(
                document, sent_on=YESTERDAY, channel="e-tjanst", acting_user=users["officer"]
            )
    assert "är ett utkast" in str(refused.value) and missing in str(refused.value)
    document.refresh_from_db()
    assert document.state == DocumentState.GENERATED


def test_the_draft_refusal_on_the_trail_page(client_for, complete, users):
    OrganisationProfile.objects.update(finance_head_email="")
    document = do_generate_document(DocumentKind.FINANCIAL_REPORT, "pdf", agreement=complete)
    url = reverse("reporting:trail", args=[document.pk])
    client = client_for("finance")
    page = client.get(url).content.decode()
    assert "Utkast: kan inte attesteras" in page and "Ekonomichefens e-postadress saknas" in page
    attest = reverse("reporting:attest", args=[document.pk])
    response = client.post(attest, {"state": "skapat", "correct": "1"})
    assert response.status_code == 400
    assert "är ett utkast och kan inte attesteras" in response.content.decode()
    document.refresh_from_db()
    assert document.state == DocumentState.GENERATED


@pytest.mark.parametrize(
    "kind, field",
    [
        (DocumentKind.DECISION, "government_case_number"),
        (DocumentKind.ACTIVITY_REPORT, "region_case_number"),
    ],
)
def test_a_case_number_printed_beside_the_mandatory_ones_is_checked_too(complete, kind, field):
    """The decision prints Regeringskansliet's number when there is one, the authority's
    documents the region's: an example value there makes a draft like any other."""
    AgreementReport.objects.filter(agreement=complete).update(example_fields=[field])
    document = do_generate_document(kind, "pdf", agreement=complete)
    assert any("Exempelvärde, ej bekräftat" in item for item in document.missing)
    assert "UTKAST" in text_of(document)


def test_what_the_contents_report_missing_makes_a_draft(complete, users, monkeypatch):
    """Interface with the documents' contents: `context["missing"]` entries count too."""
    original = documents.CONTEXTS[DocumentKind.ACTIVITY_REPORT]

    def with_missing(agreement):
        context = original(agreement)
        context["missing"] = ["Berättelse saknas för krav 2.3", "Exempelvärde: indikator X 2023"]
        return context

    monkeypatch.setitem(documents.CONTEXTS, DocumentKind.ACTIVITY_REPORT, with_missing)
    document = do_generate_document(
        DocumentKind.ACTIVITY_REPORT, "pdf", agreement=complete, acting_user=users["officer"]
    )
    assert document.missing == ["Berättelse saknas för krav 2.3", "Exempelvärde: indikator X 2023"]
    pages = pages_text(bytes(document.content))
    assert all("UTKAST" in page for page in pages)
    assert "Berättelse saknas för krav 2.3" in pages[0]
    with pytest.raises(TrailError, match="Berättelse saknas för krav 2.3"):
        do_send_document(document, sent_on=YESTERDAY, channel="post", acting_user=users["officer"])


def test_the_checklist_beside_generate(client_for, reported2023):
    client = client_for("officer")
    url = reverse("reporting:document", args=[reported2023.pk, DocumentKind.REQUISITION])
    page = client.get(url).content.decode()
    assert "Saknas innan dokumentet kan skickas" in page
    assert "Organisationsnummer saknas (Regionens uppgifter)" in page
    assert "Skapa PDF (utkast)" in page
    fill_report_details()
    page = client.get(url).content.decode()
    assert "Alla obligatoriska uppgifter finns" in page and "Skapa PDF (utkast)" not in page


def test_the_organisation_form_checks_the_numbers(client_for, reported2023):
    fill_report_details()
    client = client_for("officer")
    url = reverse("reporting:organisation")
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name != "example_fields"
    }
    data["version"] = form.initial.get("version", form.instance.version)
    for bad in ("NaN", "1e400", "٢٣٢١٠٠-٠٢١٤", "２３２１００-０２１４", "232100-0215"):
        response = client.post(url, {**data, "org_number": bad})
        assert response.status_code == 400
        assert "Organisationsnumret" in response.content.decode()
    response = client.post(url, {**data, "bankgiro": "5050-1007"})
    assert response.status_code == 400 and "kontrollsiffra" in response.content.decode()
    assert OrganisationProfile.objects.get().org_number == "232100-0214"
    # A number typed without its hyphen is kept in its printed form; the changed field is
    # no longer an example value.
    OrganisationProfile.objects.update(example_fields=["bankgiro", "phone"])
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            **data,
            "version": form.instance.version,
            "org_number": "2321000214",
            "bankgiro": "50501014",
            "example_fields": ["bankgiro", "phone"],
        },
    )
    assert response.status_code == 302
    profile = OrganisationProfile.objects.get()
    assert profile.org_number == "232100-0214" and profile.bankgiro == "5050-1014"
    assert profile.example_fields == ["phone"]
    assert profile.history.count() >= 2


# Point 11: the repayment.


def _repayment_met(agreement) -> bool:
    return Deadline.objects.sent().filter(agreement=agreement, kind=DeadlineKind.REPAYMENT).exists()


def test_the_repayment_deadline_is_met_by_the_repayment_not_by_the_report(
    client_for, complete, users
):
    document = do_generate_document(DocumentKind.FINANCIAL_REPORT, "pdf", agreement=complete)
    assert document.repayable > 0
    do_attest_document(document, correct=True, deviations="", acting_user=users["finance"])
    do_upload_signed_copy(
        document,
        content=plain_pdf(),
        file_name="u.pdf",
        signatory="Lars Exempel",
        signed_on=YESTERDAY,
        acting_user=users["officer"],
    )
    do_send_document(document, sent_on=YESTERDAY, channel="e-tjanst", acting_user=users["officer"])
    assert (
        Deadline.objects.sent()
        .filter(agreement=complete, kind=DeadlineKind.FINANCIAL_REPORT)
        .exists()
    )
    assert not _repayment_met(complete)
    client = client_for("officer")
    url = reverse("reporting:texts", args=[complete.pk])
    form = client.get(url).context["info_form"]
    base = {f"ok-{name}": value for name, value in form.initial.items() if value not in (None, "")}
    base.pop("ok-example_fields", None)
    base["ok-version"] = form.fields["version"].initial
    # Amount alone is refused, nothing saved.
    response = client.post(url, {**base, "ok-repaid_amount": "1 000"})
    assert response.status_code == 400 and "belopp, datum och referens" in response.content.decode()
    assert AgreementReport.objects.get(agreement=complete).repaid_amount is None
    assert not _repayment_met(complete)
    response = client.post(
        url,
        {
            **base,
            "ok-repaid_amount": str(document.repayable).replace(".", ","),
            "ok-repaid_on": YESTERDAY.isoformat(),
            "ok-repayment_reference": "KAMK-2024-0042",
        },
    )
    assert response.status_code == 302
    info = AgreementReport.objects.get(agreement=complete)
    assert (info.repaid_amount, info.repaid_on, info.repayment_reference) == (
        document.repayable,
        YESTERDAY,
        "KAMK-2024-0042",
    )
    assert _repayment_met(complete)
    submission = Deadline.objects.get(agreement=complete, kind=DeadlineKind.REPAYMENT).submission
    assert submission.sent_on == YESTERDAY and "KAMK-2024-0042" in submission.sent_channel
    info = AgreementReport.objects.get(agreement=complete)
    assert info.history.filter(repayment_reference="KAMK-2024-0042").exists()


def test_an_attested_report_with_nothing_to_repay_meets_the_repayment(gnv2023, users):
    """No decided amounts and no costs: nothing to repay, met once attested."""
    fill_report_details()
    gnv2023.refresh_from_db()
    document = do_generate_document(DocumentKind.FINANCIAL_REPORT, "pdf", agreement=gnv2023)
    assert document.repayable == 0
    assert not _repayment_met(gnv2023)
    do_attest_document(document, correct=True, deviations="", acting_user=users["finance"])
    assert _repayment_met(gnv2023)


# Issue 23 point 5 and issue 20 point 11: a signed copy is a plain PDF, and not the unsigned one.


def _pdf(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _open_action_js(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )


def _page_js(writer):
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})


def _launch(writer):
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/Dests"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("calc.exe"),
                }
            )
        }
    )


def _embedded(writer):
    writer.add_attachment("faktura.exe", b"MZ" + b"\0" * 100)


def _bomb(size):
    def build(writer):
        packer, parts = zlib.compressobj(9), []
        chunk = b"\0" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            parts.append(packer.compress(chunk))
        parts.append(packer.flush())
        stream = StreamObject()
        stream._data = b"".join(parts)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)

    return build


@pytest.mark.parametrize(
    "content, message",
    [
        (_pdf(_open_action_js), "OpenAction"),
        (_pdf(_page_js), "åtgärder som körs automatiskt"),
        (_pdf(_launch), "Launch"),
        (_pdf(_embedded), "inbäddade filer"),
        (b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n", "HTML"),
        (b"%PDF-1.7\nnot really a pdf\n%%EOF\n", "går inte att läsa som PDF"),
        (b"MZ\x90\x00 an executable", "ska vara en PDF-fil"),
        (plain_pdf() + b"<html>" + b"x" * 5000, "slutar inte som en PDF"),
    ],
    ids=["openaction-js", "page-aa-js", "launch", "embedded", "polyglot", "broken", "exe", "tail"],
)
def test_a_signed_copy_that_is_not_a_plain_pdf_is_refused(complete, users, content, message):
    document = do_generate_document(DocumentKind.REQUISITION, "pdf", agreement=complete)
    with pytest.raises(TrailError, match=message):
        do_upload_signed_copy(
            document,
            content=content,
            file_name="filfdp.exe",
            signatory="Lars Exempel",
            signed_on=YESTERDAY,
            acting_user=users["officer"],
        )
    document.refresh_from_db()
    assert document.state == DocumentState.GENERATED and not document.signed_copies.exists()


def test_a_flate_bomb_is_refused_quickly_and_a_plain_copy_kept_under_a_normal_name(complete, users):
    document = do_generate_document(DocumentKind.REQUISITION, "pdf", agreement=complete)
    bomb = _pdf(_bomb(1024 * 1024 * 1024))  # a 1 GiB page of zeros, about 1 MB packed
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(TrailError, match="packas upp"):
        do_upload_signed_copy(
            document,
            content=bomb,
            file_name="bomb.pdf",
            signatory="Lars Exempel",
            signed_on=YESTERDAY,
            acting_user=users["officer"],
        )
    elapsed = time.monotonic() - started
    print(f"flate bomb (1 GiB inflated, {len(bomb)} bytes) refused in {elapsed:.2f} s")
    copy = do_upload_signed_copy(
        document,
        content=plain_pdf(),
        file_name="filfdp.exe",
        signatory="Lars Exempel",
        signed_on=YESTERDAY,
        acting_user=users["officer"],
    )
    assert copy.file_name == "rekvisition-god-och-nara-vard-2023-undertecknad.pdf"


def test_the_unsigned_file_is_not_a_signed_copy(complete, users):
    document = do_generate_document(DocumentKind.FINANCIAL_REPORT, "pdf", agreement=complete)
    draft = bytes(document.content)
    do_attest_document(document, correct=True, deviations="", acting_user=users["finance"])
    document.refresh_from_db()
    for unsigned in (bytes(document.content), draft):
        with pytest.raises(TrailError, match="detta är den osignerade filen"):
            do_upload_signed_copy(
                document,
                content=unsigned,
                file_name="ekonomisk-redovisning.pdf",
                signatory="Lars Exempel",
                signed_on=YESTERDAY,
                acting_user=users["officer"],
            )
    document.refresh_from_db()
    assert document.state == DocumentState.ATTESTED
