import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from distribution.demo import load_distribution_setup
from followup.demo import DEMO_MAPPING
from tests.built_once import built_once

SETUP = Path(settings.BASE_DIR) / "fixtures" / "distribution" / "god-och-nara-vard-2023.json"

HEADER = "Verifikation;Bokföringsdatum;Konto;Ansvar;Objekt;Aktivitet;Text;Period;Belopp"
MAPPING = DEMO_MAPPING


@pytest.fixture
def year2023(allocations2023):
    """The 2023 agreement with its distribution: cost objects 9916, 9917, 9942, 9943."""

    built_once("year2023", lambda: load_distribution_setup(json.loads(SETUP.read_text("utf-8"))))
    return allocations2023


@pytest.fixture
def source(db):
    from followup.models import LedgerSource

    return LedgerSource.objects.create(name="Raindance", mapping=MAPPING)


@pytest.fixture
def objects2023(db):
    """Only what the import reads: the 2023 grant cost objects 9916 and 9917."""
    from distribution.models import CostObject
    from grants.models import Agreement, DevelopmentArea

    agreement = Agreement.objects.create(
        year=2023,
        short_name="GNV 2023",
        name="God och nära vård 2023",
        slug="gnv-2023",
        national_total=Decimal("1000000000"),
    )
    area = DevelopmentArea.objects.create(agreement=agreement, name="Nära vård")
    for number in ("9916", "9917"):
        CostObject.objects.create(year=2023, number=number, name=f"Objekt {number}", area=area)
    return agreement
