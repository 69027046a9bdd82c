import json
from pathlib import Path

import pytest
from django.conf import settings

from distribution.demo import load_distribution_setup

DEMO = Path(settings.BASE_DIR) / "fixtures" / "distribution"


def load(slug):
    return load_distribution_setup(json.loads((DEMO / f"{slug}.json").read_text("utf-8")))


@pytest.fixture
def distribution2023(allocations2023):
    return load("god-och-nara-vard-2023")


@pytest.fixture
def distribution2020(demo):
    return load("god-och-nara-vard-2020")


@pytest.fixture
def area_named():
    def find(agreement, prefix):
        return agreement.areas.get(name__startswith=prefix)

    return find
