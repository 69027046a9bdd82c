"""Two people saving an activity's budget profile at once: one is saved, the other is told
it is stale (PostgreSQL, two real connections)."""

import threading
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, connections

from common.versioning import StaleEdit
from distribution.models import Activity
from followup.actions import BudgetProfileError, do_set_budget_profile
from followup.models import ActivityBudgetProfile
from followup.periods import BudgetProfile, ProfileKind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data():
    # A transactional test starts from the flushed database: put the migration's data back.
    import_module("grants.migrations.0002_regions_and_roles").add_reference_data(apps, None)


def test_two_connections_saving_a_profile_from_the_same_form(year2023, users):
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL med två anslutningar; körs i .ci/run")
    activity = Activity.objects.get(
        area__agreement=year2023, name="Utveckling av ambulanssjukvården"
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def save(month, who):
        try:
            barrier.wait(timeout=10)
            do_set_budget_profile(
                activity,
                BudgetProfile(ProfileKind.ONE_MONTH, month=month),
                acting_user=users[who],
                reason=f"Månad {month}",
                expected_version=0,  # both opened the form before any profile existed
            )
            outcomes.append(("saved", month))
        except (BudgetProfileError, StaleEdit) as exc:
            assert "har ändrats av någon annan" in exc.messages[0]
            outcomes.append(("refused", month))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(5, "officer")),
        threading.Thread(target=save, args=(9, "finance")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    saved_month = next(month for kind, month in outcomes if kind == "saved")
    profile = ActivityBudgetProfile.objects.get(activity=activity)
    assert profile.month == saved_month and profile.version == 1
    assert profile.history.count() == 1
