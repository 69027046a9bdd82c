"""The rules the plan's actions keep whoever calls them: where a new item goes, one value per
party, period, group and gender, and a link removed only as the page showed it."""

import pytest

from common.refusals import Refused
from common.versioning import StaleEdit
from plan.actions import (
    PlanError,
    do_delete_sub_activity,
    do_save_measurement,
    do_save_plan_item,
    do_unlink_activity,
)
from plan.models import ActivityLink, Measurement, PlanActivity, SubActivity


def test_a_new_item_goes_after_the_last_one(bare_plan, users):
    activity = PlanActivity.objects.filter(strategy__plan=bare_plan).first()
    last = max(s.position for s in activity.sub_activities.all())

    def add(name):
        return do_save_plan_item(
            SubActivity(activity=activity, name=name), acting_user=users["officer"]
        )

    first, second = add("Första nya"), add("Andra nya")
    assert (first.position, second.position) == (last + 1, last + 2)
    # A gap left by a removed item stays: the next number is after the last one.
    do_delete_sub_activity(first, acting_user=users["officer"], expected_version=first.version)
    assert add("Tredje nya").position == last + 3


def test_a_second_value_for_the_same_party_and_period_is_refused(bare_plan, users):
    shown = Measurement.objects.select_related("party").first()
    again = Measurement(
        indicator_id=shown.indicator_id,
        party=shown.party,
        year=shown.year,
        half=shown.half,
        group=shown.group,
        gender=shown.gender,
        value=shown.value + 1,
    )
    with pytest.raises(PlanError, match="Det finns redan ett värde") as refused:
        do_save_measurement(again, acting_user=users["officer"], expected_version=0)
    assert isinstance(refused.value, Refused)


def test_a_link_is_removed_only_as_the_page_showed_it(demo_plan, users):
    link = ActivityLink.objects.first()
    with pytest.raises(StaleEdit):
        do_unlink_activity(link, acting_user=users["officer"], expected_version=link.version + 1)
    do_unlink_activity(link, acting_user=users["officer"], expected_version=link.version)
    assert not ActivityLink.objects.filter(pk=link.pk).exists()
