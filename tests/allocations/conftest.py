import json
from pathlib import Path

import pytest
from django.conf import settings

from allocations.demo import load_allocation_setup

SETUP = Path(settings.BASE_DIR) / "fixtures" / "allocations" / "god-och-nara-vard-2023.json"


@pytest.fixture
def allocations2023(gnv2023):
    """The 2023 agreement with the demo key data, rules and decided amounts."""
    load_allocation_setup(json.loads(SETUP.read_text("utf-8")), SETUP.parent)
    return gnv2023
