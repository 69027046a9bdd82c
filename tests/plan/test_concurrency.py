"""Two officers saving the same value at the same moment: one is saved, the other refused as
stale, never both (two real PostgreSQL connections)."""

import threading
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, connections

from plan.actions import StaleEdit, do_save_measurement, do_set_status
from plan.models import Measurement, StatusChange, SubActivity

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data():
    import_module("grants.migrations.0002_regions_and_roles").add_reference_data(apps, None)


def _race(work):
    barrier = threading.Barrier(2)
    outcomes = []

    def run(arg):
        try:
            barrier.wait(timeout=10)
            work(arg)
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


def test_two_connections_cannot_both_save_the_same_reading(bare_plan, users):
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL med två anslutningar; körs i .ci/run")
    measurement = Measurement.objects.filter(gender="T").first()
    read_version = measurement.version

    def save(n):
        mine = Measurement.objects.get(pk=measurement.pk)
        mine.value = Decimal(n)
        do_save_measurement(mine, acting_user=users["officer"], expected_version=read_version)

    assert _race(save) == ["refused", "saved"]
    measurement.refresh_from_db()
    assert measurement.version == read_version + 1


def test_two_status_changes_from_the_same_reading(bare_plan, users):
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL med två anslutningar; körs i .ci/run")
    sub = SubActivity.objects.get(name="Kartlägga behovet")

    def change(n):
        do_set_status(
            SubActivity.objects.get(pk=sub.pk),
            "pagar" if n == 1 else "genomford",
            comment=f"Handläggare {n}",
            acting_user=users["officer"],
            expected_version=sub.version,
        )

    assert _race(change) == ["refused", "saved"]
    assert StatusChange.objects.filter(sub_activity=sub).count() == 1
