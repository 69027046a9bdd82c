"""The rules of the distribution, through the actions the pages use."""

from decimal import Decimal

import pytest

from distribution.actions import (
    DistributionError,
    StaleEdit,
    do_copy_activities,
    do_delete_activity,
    do_reallocate,
    do_save_activity,
)
from distribution.models import Activity, ActivityStatus, CostObject, Reallocation
from distribution.reads import own_area_money

D = Decimal


def new_activity(area, amount, **extra):
    return Activity(area=area, name=extra.pop("name", "Ny insats"), amount=D(amount), **extra)


def test_2023_demo_matches_the_decision(distribution2023, area_named):
    expected = {
        "Utvecklingen": (D(41_247_254), D(24_000_000)),
        "Goda": (D(31_487_054), D(6_299_930)),
        "Insatser": (D(1_249_692), D(1_249_692)),
        "Förstärkning": (D(1_438_690), D(1_438_690)),
    }
    for prefix, (decided, distributed) in expected.items():
        area = area_named(distribution2023, prefix)
        money = own_area_money(area)
        balance = money.balance(area.activities.all())
        assert (money.amount, balance.distributed) == (decided, distributed), prefix
    medarbetare = own_area_money(area_named(distribution2023, "Goda"))
    assert sorted(medarbetare.pots.values()) == [D(1_259_986), D(5_039_944)]
    numbers = set(CostObject.objects.filter(year=2023).values_list("number", flat=True))
    assert numbers == {"9916", "9917", "9942", "9943"}


def test_2020_demo_matches_the_decision(distribution2020, area_named):
    area = area_named(distribution2020, "Goda")
    balance = own_area_money(area).balance(area.activities.all())
    assert balance.area_amount == D(30_636_839)
    assert balance.distributed == D(29_300_000)
    assert balance.unallocated == D(1_336_839)
    near = area_named(distribution2020, "Utvecklingen")
    assert own_area_money(near).balance(near.activities.all()).unallocated == D(74_397)


def test_activities_never_exceed_the_area(distribution2023, area_named, users):
    area = area_named(distribution2023, "Förstärkning")
    with pytest.raises(DistributionError, match="mer än områdets beslutade belopp"):
        do_save_activity(new_activity(area, 1), acting_user=users["officer"])
    assert area.activities.count() == 1


def test_ring_fenced_money_is_only_for_marked_activities(distribution2023, area_named, users):
    area = area_named(distribution2023, "Goda")
    # 25 187 124 kr are free; the ring-fenced 6 299 930 kr are already given to their activities.
    do_save_activity(new_activity(area, 25_187_124), acting_user=users["officer"])
    with pytest.raises(DistributionError):
        do_save_activity(new_activity(area, 1), acting_user=users["officer"])


def test_unmarked_activity_cannot_take_unused_ring_fenced_money(
    distribution2023, area_named, users
):
    area = area_named(distribution2023, "Goda")
    career = area.activities.get(name="Karriärtjänster för specialistsjuksköterskor")
    career.amount = D(0)
    do_save_activity(
        career,
        acting_user=users["officer"],
        expected_version=career.version,
        reason="Karriärtjänsterna tillsätts nästa år",
    )
    with pytest.raises(DistributionError, match="öronmärkta"):
        do_save_activity(new_activity(area, 25_187_125), acting_user=users["officer"])


def test_amounts_are_whole_non_negative_kronor(distribution2023, area_named, users):
    area = area_named(distribution2023, "Utvecklingen")
    with pytest.raises(DistributionError, match="hela kronor"):
        do_save_activity(new_activity(area, "10.50"), acting_user=users["officer"])
    with pytest.raises(DistributionError):
        do_save_activity(new_activity(area, -5), acting_user=users["officer"])


def test_cost_object_must_belong_to_the_area_and_year(distribution2023, area_named, users):
    area = area_named(distribution2023, "Utvecklingen")
    other = CostObject.objects.get(number="9917")
    with pytest.raises(DistributionError, match="annat utvecklingsområde"):
        do_save_activity(new_activity(area, 1, cost_object=other), acting_user=users["officer"])


def test_new_activity_needs_an_exit_plan_to_be_decided(distribution2023, area_named, users):
    area = area_named(distribution2023, "Utvecklingen")
    activity = new_activity(area, 100, is_new=True, status=ActivityStatus.DECIDED)
    with pytest.raises(DistributionError, match="plan för när"):
        do_save_activity(activity, acting_user=users["officer"])
    activity = new_activity(area, 100, is_new=True, private_providers=False)
    do_save_activity(activity, acting_user=users["officer"])
    assert "Plan för när statsbidraget upphör saknas" in activity.missing_conditions()
    activity.exit_plan = "Tas in i primärvårdens ordinarie budget 2025."
    activity.status = ActivityStatus.DECIDED
    do_save_activity(activity, acting_user=users["officer"], expected_version=activity.version)
    assert activity.missing_conditions() == []


def test_investment_and_private_providers_are_conditions(distribution2023, area_named, users):
    area = area_named(distribution2023, "Utvecklingen")
    activity = new_activity(area, 0, has_investment=True, private_providers=None)
    do_save_activity(activity, acting_user=users["officer"])
    assert activity.missing_conditions() == [
        "Investering: avskrivningsvillkoret är inte bekräftat",
        "Privata utförares delaktighet är inte angiven",
    ]


def test_reallocation_moves_money_in_one_step_and_records_it(distribution2020, area_named, users):
    area = area_named(distribution2020, "Utvecklingen")
    source = area.activities.get(name="Hemmonitorering")
    target = area.activities.get(name="Samordnare för nationella satsningar i primärvård")
    do_reallocate(
        source,
        target,
        D(250_000),
        reason="Hemmonitoreringen startar senare",
        acting_user=users["officer"],
    )
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.amount, target.amount) == (D(4_750_000), D(850_000))
    move = Reallocation.objects.get()
    assert move.created_by == users["officer"] and move.reason == "Hemmonitoreringen startar senare"
    latest = source.history.first()
    assert latest.history_user == users["officer"]
    assert "Hemmonitoreringen startar senare" in latest.history_change_reason
    assert latest.prev_record.amount == D(5_000_000)


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [(D(1), "", "skälet"), (D(10_000_000), "x", "har bara"), (D("0.5"), "x", "hela kronor")],
)
def test_reallocation_refusals(distribution2020, area_named, users, amount, reason, message):
    area = area_named(distribution2020, "Utvecklingen")
    source = area.activities.get(name="Hemmonitorering")
    target = area.activities.get(name="Samordnare för nationella satsningar i primärvård")
    with pytest.raises(DistributionError, match=message):
        do_reallocate(source, target, amount, reason=reason, acting_user=users["officer"])
    source.refresh_from_db()
    assert source.amount == D(5_000_000)


def test_ring_fenced_money_is_never_reallocated(distribution2020, area_named, users):
    area = area_named(distribution2020, "Goda")
    specialist = area.activities.get(name="Specialistutbildning sjuksköterska")
    other = area.activities.get(name="Sjuksköterskans första år")
    with pytest.raises(DistributionError, match="öronmärkta medel"):
        do_reallocate(specialist, other, D(1), reason="Test", acting_user=users["officer"])


def test_second_save_of_the_same_activity_is_refused(distribution2020, area_named, users):
    area = area_named(distribution2020, "Utvecklingen")
    first = area.activities.get(name="Hemmonitorering")
    second = Activity.objects.get(pk=first.pk)
    seen = first.version
    first.amount = D(4_000_000)
    do_save_activity(first, acting_user=users["officer"], expected_version=seen, reason="RS")
    second.amount = D(4_500_000)
    with pytest.raises(StaleEdit):
        do_save_activity(second, acting_user=users["admin"], expected_version=seen, reason="RS")
    assert Activity.objects.get(pk=first.pk).amount == D(4_000_000)


def test_delete_is_recorded_and_stale_delete_refused(distribution2020, area_named, users):
    area = area_named(distribution2020, "Utvecklingen")
    activity = area.activities.get(name="Hemmonitorering")
    with pytest.raises(StaleEdit):
        do_delete_activity(
            activity,
            acting_user=users["officer"],
            expected_version=activity.version - 1 if activity.version > 1 else 99,
        )
    do_delete_activity(activity, acting_user=users["officer"], expected_version=activity.version)
    assert (
        Activity.history.filter(id=activity.pk, history_type="-").get().history_user
        == users["officer"]
    )


def test_copy_last_years_activities_as_a_proposal(distribution2020, demo, area_named, users):
    target = area_named(demo[2021], "Goda")
    source = area_named(distribution2020, "Goda")
    count, kept = do_copy_activities(source, target, acting_user=users["officer"])
    assert count == 8
    # 2021 has no decided amounts for the region yet, so the copies start at 0 kr.
    assert not kept
    copies = list(target.activities.order_by("position"))
    assert [a.name for a in copies][:2] == [
        "Uppbyggnad av kliniskt kompetenscentrum",
        "Sjuksköterskans första år",
    ]
    assert all(a.amount == 0 and a.status == ActivityStatus.PLANNED for a in copies)
    specialist = target.activities.get(name="Specialistutbildning sjuksköterska")
    assert specialist.ring_fenced_component.area == target
    assert specialist.ring_fenced_component.recipient_group == "regioner"
