"""Two users adding activities at the same moment never exceed the area together (PostgreSQL)."""

import threading
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, connections

from distribution.actions import DistributionError, do_save_activity
from distribution.models import Activity
from distribution.reads import own_area_money

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data():
    # A transactional test starts from the flushed database: put the migration's data back.
    import_module("grants.migrations.0002_regions_and_roles").add_reference_data(apps, None)


def test_two_connections_cannot_together_exceed_the_area(distribution2023, area_named, users):
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL med två anslutningar; körs i .ci/run")
    area = area_named(distribution2023, "Utvecklingen")
    free = own_area_money(area).balance(area.activities.all()).unallocated  # 17 247 254 kr
    amount = free // 2 + 1  # each fits alone, both together do not
    barrier = threading.Barrier(2)
    outcomes = []

    def add(name):
        try:
            barrier.wait(timeout=10)
            do_save_activity(
                Activity(area_id=area.pk, name=name, amount=amount, private_providers=False),
                acting_user=users["officer"],
            )
            outcomes.append("saved")
        except DistributionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(f"Samtidig {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    balance = own_area_money(area).balance(Activity.objects.filter(area=area))
    assert balance.unallocated == free - amount
    assert not balance.over
    assert Decimal(amount) * 2 > free
