"""The allocation keys as pure functions: exact sums, fair rounding, order independence."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allocations.calculations import (
    AllocationError,
    KeyColumn,
    KeyTerm,
    Rule,
    compute_allocation,
    compute_key_shares,
    single_column_rule,
)
from common.money import round_to_total


def test_round_to_total_gives_left_over_kronor_to_largest_remainders():
    exact = {"a": Fraction(10, 3), "b": Fraction(10, 3), "c": Fraction(10, 3)}
    # 3 + 3 + 3 = 9, one krona left; all remainders tie, the smallest key gets it.
    assert round_to_total(10, exact) == {"a": 4, "b": 3, "c": 3}
    assert round_to_total(7, {"x": Fraction(27, 10), "y": Fraction(43, 10)}) == {"x": 3, "y": 4}


def test_round_to_total_refuses_exact_amounts_that_do_not_add_up():
    with pytest.raises(ValueError):
        round_to_total(10, {"a": Fraction(3), "b": Fraction(3)})


def test_base_amount_then_population_share():
    population = {"01": 300, "02": 100}
    result = compute_allocation(
        2_000_000, single_column_rule(population, base_amount=500_000), population
    )
    assert result == {"01": 500_000 + 750_000, "02": 500_000 + 250_000}


def test_weighted_columns_and_blends():
    near = {"a": 100, "b": 0}
    sparse = {"a": 0, "b": 50}
    rural = Rule(
        (KeyTerm(Fraction(1), (KeyColumn(Fraction(1), near), KeyColumn(Fraction(4), sparse))),)
    )
    # a: 100, b: 4 * 50 = 200.
    assert compute_allocation(300, rural, ["a", "b"]) == {"a": 100, "b": 200}
    hsl = {"a": 1, "b": 3}
    pop = {"a": 1, "b": 1}
    blend = Rule(
        (
            KeyTerm(Fraction(1, 2), (KeyColumn(Fraction(1), hsl),)),
            KeyTerm(Fraction(1, 2), (KeyColumn(Fraction(1), pop),)),
        )
    )
    shares = compute_key_shares(blend.terms, ["a", "b"])
    assert shares == {"a": Fraction(3, 8), "b": Fraction(5, 8)}
    assert compute_allocation(800, blend, ["a", "b"]) == {"a": 300, "b": 500}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (single_column_rule({"a": 0, "b": 0}), "noll"),
        (single_column_rule({"a": 1}), "saknar värde"),
        (single_column_rule({"a": 1, "b": 1}, base_amount=60), "Grundbeloppen"),
        (
            Rule((KeyTerm(Fraction(1, 3), (KeyColumn(Fraction(1), {"a": 1, "b": 1}),)),)),
            "summera till 1",
        ),
    ],
)
def test_rules_that_cannot_be_applied_say_why(rule, message):
    with pytest.raises(AllocationError, match=message):
        compute_allocation(100, rule, ["a", "b"])


recipients = st.lists(
    st.text("0123456789", min_size=2, max_size=3), min_size=1, max_size=30, unique=True
)


@st.composite
def allocations(draw):
    keys = draw(recipients)
    values = {
        k: draw(st.decimals(min_value=0, max_value=10**7, places=draw(st.integers(0, 2))))
        for k in keys
    }
    assume(sum(values.values()) > 0)
    base = draw(st.integers(0, 1_000_000))
    amount = draw(st.integers(base * len(keys), base * len(keys) + 10**10))
    return amount, values, base


@given(allocations())
def test_sums_are_exact_and_each_amount_is_within_one_krona(case):
    amount, values, base = case
    result = compute_allocation(amount, single_column_rule(values, base_amount=base), values)
    assert sum(result.values()) == amount
    total = sum(values.values())
    rest = amount - base * len(values)
    for key, kronor in result.items():
        exact = base + rest * Fraction(values[key]) / Fraction(total)
        assert abs(kronor - exact) < 1


@given(allocations(), st.randoms())
def test_order_of_input_does_not_matter(case, random):
    amount, values, base = case
    items = list(values.items())
    random.shuffle(items)
    shuffled = dict(items)
    expected = compute_allocation(amount, single_column_rule(values, base_amount=base), values)
    recipients = [key for key, _ in items]
    rule = single_column_rule(shuffled, base_amount=base)
    assert compute_allocation(amount, rule, recipients) == expected


@given(allocations(), st.data())
def test_more_key_weight_never_gives_less_money(case, data):
    amount, values, base = case
    key = data.draw(st.sampled_from(sorted(values)))
    more = dict(values)
    more[key] += data.draw(st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=2))
    before = compute_allocation(amount, single_column_rule(values, base_amount=base), values)
    after = compute_allocation(amount, single_column_rule(more, base_amount=base), more)
    assert after[key] >= before[key]


@given(allocations())
def test_within_one_allocation_more_weight_never_gets_less(case):
    amount, values, base = case
    result = compute_allocation(amount, single_column_rule(values, base_amount=base), values)
    for a in values:
        for b in values:
            if values[a] > values[b]:
                assert result[a] >= result[b]


@given(allocations(), st.fractions(min_value=0, max_value=1))
def test_blends_sum_exactly(case, weight):
    amount, values, base = case
    other = {k: v + 1 for k, v in values.items()}
    rule = Rule(
        (
            KeyTerm(weight, (KeyColumn(Fraction(1), values),)),
            KeyTerm(1 - weight, (KeyColumn(Fraction(1), other),)),
        ),
        base,
    )
    assert sum(compute_allocation(amount, rule, values).values()) == amount
