"""Two real PostgreSQL connections save the same row, or the same set of rows, from the same
opened page at the same moment: exactly one save wins, the other is refused as stale."""

import threading
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, connections

from allocations.actions import do_set_decided_amounts
from allocations.models import DecidedAmount
from common.versioning import StaleEdit, save_checked, versions_token
from grants.models import Agreement, Region

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data():
    # A transactional test starts from the flushed database: put the migration's data back.
    import_module("grants.migrations.0002_regions_and_roles").add_reference_data(apps, None)


def _race(work):
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL med två anslutningar; körs i .ci/run")
    barrier = threading.Barrier(2)
    outcomes = []

    def run(n):
        try:
            barrier.wait(timeout=10)
            work(n)
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_one_row_from_two_connections(gnv2023, users):
    seen = gnv2023.version

    def save(n):
        agreement = Agreement.objects.get(pk=gnv2023.pk)
        agreement.notes = f"Sparad av {n}"
        save_checked(agreement, seen, what="Överenskommelsen", acting_user=users["officer"])

    assert _race(save) == ["refused", "saved"]
    saved = Agreement.objects.get(pk=gnv2023.pk)
    assert saved.version == seen + 1
    assert saved.notes in ("Sparad av 1", "Sparad av 2")
    assert saved.history.count() == 2  # created, and the one save that won


def test_a_set_of_rows_from_two_connections(gnv2023, users):
    component = gnv2023.components.first()
    codes = list(Region.objects.values_list("county_code", flat=True))
    token = versions_token(DecidedAmount.objects.filter(component=component))

    def save(n):
        do_set_decided_amounts(
            component,
            {code: Decimal(1000 * n) for code in codes},
            acting_user=users["officer"],
            expected_token=token,
        )

    assert _race(save) == ["refused", "saved"]
    amounts = set(
        DecidedAmount.objects.filter(component=component).values_list("amount", flat=True)
    )
    assert amounts in ({Decimal(1000)}, {Decimal(2000)})
