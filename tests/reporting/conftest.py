import json
from pathlib import Path

import pytest
from django.conf import settings

from reporting.demo import load_state_grants
from tests.built_once import built_once

DIR = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture
def reported2023(ledger2023):
    """2023 with its allocation, distribution and a generated year of ledger outcome."""
    return ledger2023


@pytest.fixture
def grants2021(db):
    return built_once(
        "grants2021",
        lambda: load_state_grants(
            json.loads((DIR / "reporting" / "statsbidrag-2021.json").read_text("utf-8"))
        ),
    )


DETAILS = DIR / "reporting" / "report-details.json"


def fill_report_details(confirmed=True):
    """The demo's region details and case numbers (fixtures/reporting/report-details.json);
    with `confirmed`, as an officer would have them once every example value is replaced by the
    real one: the example markings cleared and the placeholder case numbers replaced."""
    from grants.models import Agreement
    from reporting.demo import load_report_details
    from reporting.models import AgreementReport, OrganisationProfile

    load_report_details(json.loads(DETAILS.read_text("utf-8")))
    if not confirmed:
        return
    OrganisationProfile.objects.update(example_fields=[])
    AgreementReport.objects.update(
        example_fields=[],
        vfu_weeks_previous=120,
        vfu_places_previous=40,
        vfu_weeks_estimate=150,
        vfu_places_estimate=48,
    )
    for agreement in Agreement.objects.all():
        agreement.government_case_number = f"S{agreement.year}/01234"
        agreement.payment_decision_case_number = f"S{agreement.year}/05678"
        agreement.region_case_number = agreement.region_case_number.replace("000", "321")
        agreement.save()
    complete_texts()


def complete_texts():
    """What the documents' contents ask for beside the form fields, as officers enter it: each
    agreement's decision (metadata and conditions as loaded, blanks filled), every narrative,
    and each state grant's follow-up text."""
    import datetime

    from grants.models import Agreement
    from reporting.models import Decision, StateGrant

    load_agreement_texts_fixtures()
    for agreement in Agreement.objects.all():
        fill_narratives(agreement)
        decision, _ = Decision.objects.get_or_create(agreement=agreement)
        decision.decided_by = decision.decided_by or "Regionstyrelsen"
        decision.decided_on = decision.decided_on or datetime.date(agreement.year, 3, 21)
        decision.paragraph = decision.paragraph or "§ 42"
        decision.handler = decision.handler or "Handläggare vid HOSPA"
        decision.save()
        if not decision.conditions.exists():
            decision.conditions.create(position=1, text="Villkoren enligt regionens beslut.")
    StateGrant.objects.filter(follow_up="").update(follow_up="Bidraget har följts upp.")


@pytest.fixture
def complete_details(db):
    """Call after the agreements are loaded: every mandatory field filled and confirmed."""
    return fill_report_details


def plain_pdf(note: str = "undertecknad") -> bytes:
    """A small plain PDF, as a scanner or an e-signing service returns one."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": note})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def complete2023(gnv2023):
    """The 2023 agreement with the region's details and its case numbers filled and confirmed."""
    fill_report_details()
    gnv2023.refresh_from_db()
    return gnv2023


def load_agreement_texts_fixtures():
    """The agreements' decisions and reporting requirements (fixtures/reporting/agreements/)."""
    from reporting.demo import load_agreement_texts

    for path in sorted((DIR / "reporting" / "agreements").glob("*.json")):
        load_agreement_texts(json.loads(path.read_text("utf-8")))


def fill_narratives(agreement):
    """Every narrative the activity report asks for, written as an officer would."""
    from reporting.models import AgreementReport, AreaReport

    for area in agreement.areas.all():
        AreaReport.objects.update_or_create(
            area=area,
            defaults={
                "activities": f"Insatserna inom {area.name} har genomförts enligt beslutet.",
                "results": "Fler invånare har en namngiven fast läkarkontakt.",
                "gender_equality": "Utfallet har följts upp för kvinnor och män.",
            },
        )
    for requirement in agreement.reporting_requirements.all():
        requirement.narrative = f"Regionens arbete med {requirement.heading.lower()} under året."
        requirement.save()
    report, _ = AgreementReport.objects.get_or_create(agreement=agreement)
    report.gender_equality = "Analyserat per kön."
    report.save()


@pytest.fixture
def reported2023_texts(reported2023):
    """2023 with its outcome, its reporting requirements and every narrative written."""
    load_agreement_texts_fixtures()
    fill_narratives(reported2023)
    return reported2023
