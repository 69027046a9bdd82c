import json
from pathlib import Path

import pytest
from django.conf import settings

from distribution.demo import load_distribution_setup
from followup.demo import DEMO_MAPPING

SETUP = Path(settings.BASE_DIR) / "fixtures" / "distribution" / "god-och-nara-vard-2023.json"

HEADER = "Verifikation;Bokföringsdatum;Konto;Ansvar;Objekt;Aktivitet;Text;Period;Belopp"
MAPPING = DEMO_MAPPING


@pytest.fixture
def year2023(allocations2023):
    """The 2023 agreement with its distribution: cost objects 9916, 9917, 9942, 9943."""
    load_distribution_setup(json.loads(SETUP.read_text("utf-8")))
    return allocations2023


@pytest.fixture
def source(db):
    from followup.models import LedgerSource

    return LedgerSource.objects.create(name="Raindance", mapping=MAPPING)
