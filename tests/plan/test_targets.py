"""Target evaluation: pure, without a database."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from plan.targets import Target, TargetKind, Verdict, change_percent, evaluate, trend

INCREASE = Target(TargetKind.INCREASE)
DECREASE = Target(TargetKind.DECREASE)


def test_increase_met_when_higher_than_the_year_before():
    values = {(2022, 0): D("41"), (2023, 0): D("47")}
    assert evaluate(INCREASE, values, 2023).verdict == Verdict.MET
    assert "ökat från 2022" in evaluate(INCREASE, values, 2023).reason


def test_increase_not_met_when_equal_or_lower():
    assert evaluate(INCREASE, {(2022, 0): D("5"), (2023, 0): D("5")}, 2023).verdict == (
        Verdict.NOT_MET
    )
    assert evaluate(INCREASE, {(2022, 0): D("5"), (2023, 0): D("4.9")}, 2023).verdict == (
        Verdict.NOT_MET
    )


def test_decrease_met_when_lower_and_not_when_higher():
    values = {(2022, 0): D("12.5"), (2023, 0): D("11.0"), (2024, 0): D("11.2")}
    assert evaluate(DECREASE, values, 2023).verdict == Verdict.MET
    assert evaluate(DECREASE, values, 2024).verdict == Verdict.NOT_MET


def test_missing_year_gives_no_value_not_a_verdict():
    values = {(2021, 0): D("3"), (2023, 0): D("9")}
    result = evaluate(INCREASE, values, 2023)
    assert result.verdict == Verdict.NO_VALUE
    assert "2022" in result.reason
    assert evaluate(INCREASE, values, 2024).verdict == Verdict.NO_VALUE
    assert evaluate(Target(TargetKind.AT_LEAST, D("55")), {}, 2023).verdict == Verdict.NO_VALUE


def test_half_years_compare_with_the_same_half_a_year_before():
    values = {(2023, 1): D("10"), (2023, 2): D("30"), (2024, 1): D("20")}
    assert evaluate(INCREASE, values, 2024, 1).verdict == Verdict.MET
    assert evaluate(INCREASE, values, 2024, 2).verdict == Verdict.NO_VALUE


def test_threshold_at_least_55_percent_is_inclusive():
    target = Target(TargetKind.AT_LEAST, D("55"))
    assert evaluate(target, {(2023, 0): D("55")}, 2023).verdict == Verdict.MET
    assert evaluate(target, {(2023, 0): D("54.5")}, 2023).reason == (
        "2023: 54,5, målet är minst 55."
    )
    assert evaluate(target, {(2023, 0): D("54.99")}, 2023).verdict == Verdict.NOT_MET
    assert evaluate(Target(TargetKind.AT_MOST, D("2")), {(2023, 0): D("2.01")}, 2023).verdict == (
        Verdict.NOT_MET
    )


def test_threshold_without_a_value_set_is_not_a_verdict():
    result = evaluate(Target(TargetKind.AT_LEAST), {(2023, 0): D("60")}, 2023)
    assert result.verdict == Verdict.NO_VALUE


def test_yes_no():
    target = Target(TargetKind.YES)
    assert evaluate(target, {(2024, 0): D("1")}, 2024).verdict == Verdict.MET
    assert evaluate(target, {(2024, 0): D("0")}, 2024).verdict == Verdict.NOT_MET
    assert evaluate(target, {(2024, 0): D("2")}, 2024).verdict == Verdict.NO_VALUE
    assert evaluate(target, {}, 2024).verdict == Verdict.NO_VALUE


def test_increase_by_percent_against_the_base_year():
    target = Target(TargetKind.INCREASE_BY_PERCENT, D("20"), base_year=2020)
    values = {(2020, 0): D("0.25"), (2022, 0): D("0.30"), (2023, 0): D("0.2999")}
    assert evaluate(target, values, 2022).verdict == Verdict.MET  # exactly +20 %
    assert evaluate(target, values, 2023).verdict == Verdict.NOT_MET
    assert evaluate(target, {(2023, 0): D("1")}, 2023).verdict == Verdict.NO_VALUE
    assert change_percent(D("0.30"), D("0.25")) == D("20")
    assert evaluate(target, values, 2023).reason == (
        "2023: 19,96 % mot basåret 2020, målet är minst 20 %."
    )


def test_trend_arrows_in_time_order():
    values = {(2023, 0): D("2"), (2021, 0): D("1"), (2022, 0): D("3"), (2024, 0): D("2")}
    assert [(k[0], a) for k, _, a in trend(values)] == [
        (2021, ""),
        (2022, "↑"),
        (2023, "↓"),
        (2024, "→"),
    ]


numbers = st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, places=3)


@given(numbers, numbers)
def test_increase_and_decrease_never_both_met(before, now):
    values = {(2022, 0): before, (2023, 0): now}
    up = evaluate(INCREASE, values, 2023).verdict
    down = evaluate(DECREASE, values, 2023).verdict
    assert not (up == Verdict.MET and down == Verdict.MET)
    assert (up == Verdict.MET) == (now > before)
    assert (down == Verdict.MET) == (now < before)


@given(numbers, numbers)
def test_at_least_matches_the_comparison(value, threshold):
    verdict = evaluate(Target(TargetKind.AT_LEAST, threshold), {(2023, 0): value}, 2023).verdict
    assert (verdict == Verdict.MET) == (value >= threshold)
