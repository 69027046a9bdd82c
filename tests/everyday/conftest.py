import pytest

from followup.demo import load_demo_ledger


@pytest.fixture
def ledger2023(distribution2023):
    """The 2023 agreement with its distribution and a year of ledger outcome."""
    load_demo_ledger(distribution2023)
    return distribution2023
