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
