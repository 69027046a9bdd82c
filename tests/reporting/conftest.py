import json
from pathlib import Path

import pytest
from django.conf import settings

from followup.demo import load_demo_ledger
from reporting.demo import load_state_grants

DIR = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture
def reported2023(distribution2023):
    """2023 with its allocation, distribution and a generated year of ledger outcome."""
    load_demo_ledger(distribution2023)
    return distribution2023


@pytest.fixture
def grants2021(db):
    return load_state_grants(
        json.loads((DIR / "reporting" / "statsbidrag-2021.json").read_text("utf-8"))
    )


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
