"""Agreement totals, without a database."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from grants.calculations import ComponentAmount, compute_agreement_totals


def test_parts_are_not_counted_twice_and_unknown_amounts_are_not_zero():
    totals = compute_agreement_totals(
        [
            ComponentAmount(1, "regioner", Decimal("2389000000")),
            ComponentAmount(1, "regioner", Decimal("300000000"), is_part=True),
            ComponentAmount(1, "kommuner", Decimal("750000000")),
            ComponentAmount(None, "skr", None),
        ]
    )
    assert totals.total == Decimal("3139000000")
    assert totals.by_area == {1: Decimal("3139000000")}
    assert totals.by_recipient_group == {
        "regioner": Decimal("2389000000"),
        "kommuner": Decimal("750000000"),
    }
    assert totals.unknown_amounts == 1
    assert totals.difference_from(Decimal("3200000000")) == Decimal("61000000")


components = st.lists(
    st.builds(
        ComponentAmount,
        area_id=st.sampled_from([1, 2, 3, None]),
        recipient_group=st.sampled_from(["regioner", "kommuner", "skr"]),
        amount=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**10, places=2)),
        is_part=st.booleans(),
    )
)


@given(components)
def test_breakdowns_add_up_to_the_total(items):
    totals = compute_agreement_totals(items)
    assert sum(totals.by_area.values(), Decimal("0")) == totals.total
    assert sum(totals.by_recipient_group.values(), Decimal("0")) == totals.total
    assert compute_agreement_totals(reversed(items)) == totals
