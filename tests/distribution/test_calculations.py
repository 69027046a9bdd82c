"""Area balance with ring-fenced pots, without a database."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from distribution.calculations import ActivityAmount, check_area_balance, compute_area_balance

D = Decimal


def test_2020_vardens_medarbetare_fits_with_its_pots():
    # Seed 003: 30 636 839 kr with 6 332 542 (specialist) and 1 266 508 (career) ring-fenced.
    balance = compute_area_balance(
        D(30_636_839),
        {1: D(6_332_542), 2: D(1_266_508)},
        [
            ActivityAmount(D(a))
            for a in (15_200_000, 500_000, 1_500_000, 300_000, 3_500_000, 700_000)
        ]
        + [ActivityAmount(D(6_300_000), 1), ActivityAmount(D(1_300_000), 2)],
    )
    assert balance.distributed == D(29_300_000)
    assert balance.unallocated == D(1_336_839)
    # The career activity takes 33 492 kr more than its pot, from the general money.
    assert balance.general_left == D(30_636_839 - 6_332_542 - 1_300_000 - 21_700_000)
    assert balance.pots_left == {1: D(32_542), 2: D(0)}
    assert check_area_balance(balance) == []


def test_unmarked_activities_cannot_use_ring_fenced_money():
    balance = compute_area_balance(D(100), {1: D(40)}, [ActivityAmount(D(70))])
    assert balance.distributed <= balance.area_amount
    assert balance.over
    assert "öronmärkta" in check_area_balance(balance)[0]


def test_more_than_the_area_is_refused_with_the_overshoot():
    balance = compute_area_balance(D(100), {}, [ActivityAmount(D(60)), ActivityAmount(D(50))])
    assert "överskridet med 10\u00a0kr" in check_area_balance(balance)[0]


amounts = st.integers(min_value=0, max_value=10**8).map(D)


@given(
    amounts,
    st.lists(amounts, max_size=3),
    st.lists(st.tuples(amounts, st.sampled_from([None, 0, 1, 2]))),
)
def test_unallocated_is_area_minus_distributed_and_never_over_when_accepted(area, pots, rows):
    pot_map = dict(enumerate(pots))
    balance = compute_area_balance(area, pot_map, [ActivityAmount(a, p) for a, p in rows])
    assert balance.unallocated == area - sum((a for a, _ in rows), D(0))
    if not balance.over:
        assert balance.distributed <= area
        assert balance.general_left + sum(balance.pots_left.values()) == balance.unallocated
