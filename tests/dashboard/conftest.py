import pytest

from followup.demo import load_demo_ledger


@pytest.fixture
def ledger2023(distribution2023):
    load_demo_ledger(distribution2023)
    return distribution2023
