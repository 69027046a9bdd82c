"""The VFU report covers what the agreement asks of the region for VFU (seed 001 §3.6,
§3.6.1): weeks and places, the VFU money received and used, a section per reporting
requirement with the region's narrative, case numbers and signature block. The annual summary
for 2021 holds seed 004's figures and texts: the God och nära vård table per development area
and a follow-up narrative per grant (issue 20)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import DocumentKind
from reporting.actions import TrailError, do_generate_document, do_send_document
from reporting.forms import AgreementReportForm
from reporting.models import AgreementReport, ReportingRequirement, StateGrant
from reporting.reads.documents import summary_context, text_blocks

from .conftest import fill_report_details
from .layout import pdf_text
from .test_complete_documents import assert_no_blank_field, kr, pages_text, text_of

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def complete(reported2023, grants2021):
    fill_report_details()
    reported2023.refresh_from_db()
    return reported2023


def vfu_requirements(agreement):
    return ReportingRequirement.objects.filter(
        agreement=agreement, report=DocumentKind.VFU_REPORT
    ).order_by("position")


def test_the_vfu_report_from_the_demo_data_has_what_the_agreement_asks(complete):
    requirements = list(vfu_requirements(complete))
    assert [r.section for r in requirements] == ["3.6.1", "3.6", "3.6"]
    document = do_generate_document(DocumentKind.VFU_REPORT, "pdf", agreement=complete)
    assert document.missing == []
    text = text_of(document)
    assert_no_blank_field(text)
    # Weeks and places, spring 2022 and the estimate for spring 2023, and the change.
    assert "Genomförda i regionens regi vårterminen 2022 120 40" in text
    assert "Uppskattning för vårterminen 2023 150 48" in text
    assert "+30 veckor" in text
    # The VFU money: received, used, left.
    assert f"Mottagna medel {kr(1_250_000)}" in text
    assert f"Använda medel {kr(1_180_000)}" in text
    assert f"Ej använda medel {kr(70_000)}" in text
    # A section per VFU reporting requirement: what the agreement asks, the region's account.
    for requirement in requirements:
        assert requirement.heading in text
        assert requirement.narrative in text
    # The activity report's requirements are not the VFU report's.
    assert "Patientkontrakt (avsnitt 2.4.1)" not in text
    # Case numbers (§9.1) and the signature block.
    assert "S2023/01234" in text and "S2023/05678" in text and "RS/321/2023" in text
    assert "Datum Underskrift Namnförtydligande: Lars Exempel, Regiondirektör" in text


def test_a_missing_vfu_narrative_makes_the_vfu_report_a_draft_and_not_the_activity_report(
    complete, users
):
    requirement = vfu_requirements(complete).first()
    requirement.narrative = ""
    requirement.save()
    document = do_generate_document(DocumentKind.VFU_REPORT, "pdf", agreement=complete)
    expected = f"återrapporteringskravet ”{requirement.heading}” (avsnitt 3.6.1) är inte ifylld"
    assert any(expected in item for item in document.missing)
    pages = pages_text(bytes(document.content))
    assert all("UTKAST" in page for page in pages)
    assert "Saknas (se listan över vad som fattas)." in " ".join(pages)
    with pytest.raises(TrailError, match="är ett utkast"):
        do_send_document(
            document, sent_on=YESTERDAY, channel="e-tjanst", acting_user=users["officer"]
        )
    activity = do_generate_document(DocumentKind.ACTIVITY_REPORT, "pdf", agreement=complete)
    assert not any(requirement.heading in item for item in activity.missing)


def test_vfu_money_not_yet_paid_is_said_and_money_received_without_its_use_is_missing(complete):
    AgreementReport.objects.filter(agreement=complete).update(vfu_received=None, vfu_used=None)
    document = do_generate_document(DocumentKind.VFU_REPORT, "pdf", agreement=complete)
    assert document.missing == []
    assert "har ännu inte fått några medel ur VFU-satsningen för 2023" in text_of(document)

    AgreementReport.objects.filter(agreement=complete).update(vfu_received=Decimal("900000"))
    document = do_generate_document(DocumentKind.VFU_REPORT, "pdf", agreement=complete)
    assert any("använda medel" in item for item in document.missing)
    assert f"Mottagna medel {kr(900_000)}" in text_of(document)


def test_vfu_money_marked_as_an_example_makes_a_draft(complete):
    AgreementReport.objects.filter(agreement=complete).update(example_fields=["vfu_used"])
    document = do_generate_document(DocumentKind.VFU_REPORT, "pdf", agreement=complete)
    assert document.missing == [
        "Exempelvärde, ej bekräftat: Använda medel för VFU-satsningen (rapportuppgifterna)"
    ]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"vfu_used": "1 000"}, "vfu_received", "Ange de mottagna VFU-medlen"),
        ({"vfu_received": "-5"}, "vfu_received", "inte vara negativt"),
    ],
)
def test_the_vfu_money_is_checked_on_the_form(reported2023, data, field, message):
    report = AgreementReport.objects.create(agreement=reported2023)
    form = AgreementReportForm(
        {"version": report.version, "attestation": "1", **data}, instance=report
    )
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field])


# Seed 004: "Medlen har utfördelats på respektive utvecklingsområden på följande sätt".
SEED_004_AREAS = [
    ("Utvecklingen av den nära vården med primärvården som nav", "30,4"),
    ("Goda förutsättningar för vårdens medarbetare", "32,0"),
    ("Karriärtjänster", "1,3"),
    ("Vidareutbildning", "5,0"),
    ("Vision E-hälsa", "1,3"),
    ("1177 Vårdguiden", "1,3"),
    ("Ambulanssjukvården", "1,4"),
]
# A sentence of each grant's follow-up in seed 004, in the order of the summary.
SEED_004_TEXTS = [
    "Ragunda och Bräcke som modellområden",
    "En komplett rapportering för verksamhetsåret 2021 återfinns i ärende (RS/27:8/2020)",
    "Komplett rapportering per handlingsplan finns att ta del av i RS/820/2021",
    "Under 2021 har medlen främst riktats mot åtgärder för att uppnå kraven",
    "återfinns i sin helhet i ärende HSN/1793:6/2021",
    "Totalt erhölls 37,2 miljoner kronor för år 2021.",
    "Upphandlingen av ett nytt förrådssystem fortsätter.",
    "Region Jämtland Härjedalen har mottagit 4,3 miljoner kronor för ändamålet.",
    "två tjänster på totalt 125% som samordnare i våld i nära relationer",
    "inrättandet av psykiatriambulanser inom den prehospitala akutsjukvården",
]


def test_the_2021_summary_has_seed_004s_area_table_and_a_narrative_per_grant(grants2021):
    grants = list(StateGrant.objects.filter(grant_year=grants2021, temporary=False))
    assert len(grants) == len(SEED_004_TEXTS)
    for grant, sentence in zip(grants, SEED_004_TEXTS, strict=True):
        assert sentence in grant.follow_up, grant.name
    document = do_generate_document(DocumentKind.ANNUAL_SUMMARY, "pdf", year=2021)
    assert document.missing == []
    text = pdf_text(bytes(document.content)).replace("\u00a0", " ")
    assert "UTKAST" not in text and "SAKNAS" not in text and "N.N." not in text
    assert "Medlen per utvecklingsområde (miljoner kronor)" in text
    position = text.index("Medlen per utvecklingsområde")
    for name, amount in SEED_004_AREAS:
        found = text.index(name, position)
        assert text.index(amount, found) > found
    assert "Totalt belopp som erhållits 72,7" in text
    for sentence in SEED_004_TEXTS:
        assert " ".join(sentence.split()) in text, sentence
    assert f"Totalt erhållna medel 2021 {kr(156_262_283)}" in text
    # The area table agrees with the money received (within its rounding); the psykisk
    # hälsa usage (9 562 000) does not agree with 9 661 905 and is flagged.
    context = summary_context(2021)
    assert not context["regular"][0].areas_differ
    assert "Skiljer sig från erhållna medel: områdena" not in text
    assert f"användningen summerar till {kr(9_562_000)}" in text


def test_the_area_table_flags_a_difference_larger_than_its_rounding(grants2021):
    grant = StateGrant.objects.get(grant_year=grants2021, temporary=False, position=1)
    area = grant.areas.get(position=1)
    area.amount_mnkr = Decimal("31.4")
    area.save()
    assert summary_context(2021)["regular"][0].areas_differ


def test_a_follow_up_text_in_blocks():
    text = (
        "Inledning på\ntvå rader.\n\n[områdestabell]\n\n## Rubrik\n\n"
        "- Första punkten\nfortsätter här.\n- Andra punkten"
    )
    assert text_blocks(text) == [
        ("p", "Inledning på\ntvå rader."),
        ("areas", None),
        ("h", "Rubrik"),
        ("ul", ["Första punkten fortsätter här.", "Andra punkten"]),
    ]


def test_the_area_table_is_entered_on_the_grants_page_with_history(client_for, grants2021):
    from django.urls import reverse

    from reporting.models import StateGrantArea

    grant = StateGrant.objects.get(grant_year=grants2021, temporary=False, position=1)
    client = client_for("officer")
    url = reverse("reporting:register_grant", args=[2021, grant.pk])
    page = client.get(url).content.decode()
    assert 'value="30,4"' in page and "Stöd till omställningsarbetet" in page
    data = {
        "version": str(grant.version),
        "name": grant.name,
        "case_number": grant.case_number,
        "follow_up": grant.follow_up,
        "amount_1": "72 665 190",
        "amount_2": "−1 262 843",
        "comment_2": "Översänt till SKR för 1177 Vårdguiden",
        "area_name_1": "Utvecklingen av den nära vården med primärvården som nav",
        "area_contents_1": "Stöd till omställningsarbetet",
        "area_mnkr_1": "abc",
        "area_name_2": "",
        "area_mnkr_2": "32,0",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Ange vilket område beloppet gäller." in content
    assert grant.areas.count() == 7  # nothing saved
    data.update(area_mnkr_1="71,4", area_name_2="Ambulanssjukvården", area_mnkr_2="1,3")
    assert client.post(url, data).status_code == 302
    assert [(a.name, a.amount_mnkr) for a in grant.areas.all()] == [
        ("Utvecklingen av den nära vården med primärvården som nav", Decimal("71.4")),
        ("Ambulanssjukvården", Decimal("1.3")),
    ]
    assert StateGrantArea.history.filter(history_type="-").count() == 7
    assert StateGrantArea.history.filter(history_type="+", history_user__isnull=False).count() == 2
    # The summary shows the table as entered; 72,7 against 72 665 190 kr agrees.
    assert not summary_context(2021)["regular"][0].areas_differ
