"""Periods and budget against outcome, without a database."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.money import round_to_total
from followup.periods import (
    PERIODS,
    all_periods,
    budget_to_date,
    compute_followup,
    monthly_budget,
    period_by_key,
)

D = Decimal


def test_the_regions_periods():
    assert PERIODS["T1"].months == (1, 2, 3, 4)
    assert PERIODS["T2"].months == (5, 6, 7, 8)
    assert PERIODS["T3"].months == (9, 10, 11, 12)
    assert PERIODS["delar"].months == tuple(range(1, 9))
    assert PERIODS["ar"].months == tuple(range(1, 13))
    assert [p.key for p in all_periods()][:2] == ["m01", "m02"]
    assert period_by_key("m03").label == "Mars"
    with pytest.raises(KeyError):
        period_by_key("T4")


@given(st.integers(min_value=0, max_value=10**11), st.integers(min_value=0, max_value=12))
def test_monthly_budget_adds_up_is_even_and_is_the_rounding_rule(annual, last_month):
    months = monthly_budget(annual)
    assert len(months) == 12
    assert sum(months) == annual
    assert max(months) - min(months) <= 1
    exact = round_to_total(annual, {m: Fraction(annual, 12) for m in range(1, 13)})
    assert months == [exact[m] for m in range(1, 13)]
    assert budget_to_date(annual, last_month) == sum(months[:last_month])


def test_followup_of_the_interim_accounts():
    outcome = {m: D(100) for m in range(1, 13)}
    result = compute_followup(D(1200), outcome, PERIODS["delar"], forecast=D(1100))
    assert result.period_budget == 800
    assert result.outcome == 800
    assert result.outcome_to_date == 800
    assert result.deviation == 0
    assert result.share_used == D("66.7")
    assert result.left == 400
    assert result.forecast_deviation == -100


def test_followup_of_a_month_counts_outcome_to_date_from_january():
    result = compute_followup(D(12_000), {1: D(500), 2: D(2500)}, period_by_key("m02"))
    assert result.outcome == 2500
    assert result.outcome_to_date == 3000
    assert result.deviation == 1500
    assert compute_followup(D(0), {}, PERIODS["ar"]).share_used is None
