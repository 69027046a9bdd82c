"""Unused money, repayment and budget profiles: hand-computed cases, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.calculations import PotUse, UnusedMoney
from followup.periods import (
    PERIODS,
    BudgetProfile,
    ProfileKind,
    check_profile,
    compute_followup,
    spread_budget,
)

D = Decimal


def test_overspending_elsewhere_does_not_eat_a_ring_fenced_pot():
    # Received 1 000 000, of which a pot of 300 000. The pot's activities cost 19 650,
    # the rest cost 1 100 000: the agreement is overspent by 119 650 in total, but
    # 280 350 of the pot was not used for its purpose and is repaid all the same.
    money = UnusedMoney(
        received=D(1_000_000),
        costs=D(1_119_650),
        pots=(PotUse("Vidareutbildning för sjuksköterskor", D(300_000), D(19_650)),),
    )
    assert money.unused == D(-119_650)
    assert money.pots[0].unused == D(280_350)
    assert money.rest_received == D(700_000)
    assert money.rest_costs == D(1_100_000)
    assert money.rest_unused == 0
    assert money.repayable == D(280_350)


def test_a_pot_partly_used_and_the_rest_underspent():
    # Received 75 422 690 with two pots: 2 000 000 (used 1 250 000) and 500 000 (used
    # 500 000). Other costs 70 000 000. Unused of the pots 750 000; the rest received is
    # 72 922 690 of which 70 000 000 used: 2 922 690 unused. Repay 3 672 690, which here is
    # also received − costs because nothing is overspent.
    money = UnusedMoney(
        received=D(75_422_690),
        costs=D(71_750_000),
        pots=(PotUse("A", D(2_000_000), D(1_250_000)), PotUse("B", D(500_000), D(500_000))),
    )
    assert money.pots_unused == D(750_000)
    assert money.rest_unused == D(2_922_690)
    assert money.repayable == D(3_672_690) == money.unused


def test_a_pot_overspent_takes_the_rest_from_the_general_money():
    # Pot 100 used 150: the 50 beyond it is a cost of the rest. Rest received 900, costs
    # 800 + 50 = 850: 50 unused of the rest, nothing of the pot.
    money = UnusedMoney(received=D(1000), costs=D(950), pots=(PotUse("P", D(100), D(150)),))
    assert money.pots[0].unused == 0
    assert money.rest_costs == D(850)
    assert money.repayable == D(50) == money.unused


def test_credit_notes_reduce_costs_and_income_is_reconciled():
    money = UnusedMoney(received=D(1000), costs=D(900) - D(125), income=D(2000))
    assert money.outcome == D(775)
    assert money.unused == D(225)
    assert money.income_difference == D(1000)  # booked twice


amounts = st.integers(0, 10**9).map(D)


@given(
    received=amounts,
    pots=st.lists(st.tuples(amounts, amounts), max_size=3),
    other_costs=st.integers(-(10**6), 10**9).map(D),
)
def test_repayable_is_never_negative_and_never_less_than_a_pots_unused(received, pots, other_costs):
    uses = tuple(PotUse(str(n), amount, cost) for n, (amount, cost) in enumerate(pots))
    costs = other_costs + sum((cost for _, cost in pots), D(0))
    money = UnusedMoney(received=received, costs=costs, pots=uses)
    assert money.repayable >= 0
    assert money.repayable >= money.pots_unused
    assert money.rest_unused >= 0
    # Without overspending anywhere the parts add up to the plain difference.
    if all(cost <= amount for amount, cost in pots) and money.rest_received >= money.rest_costs:
        assert money.repayable == money.unused


def test_profiles_spread_the_budget():
    assert spread_budget(1200) == [100] * 12
    assert spread_budget(1200, BudgetProfile(ProfileKind.ONE_MONTH, month=5)) == [
        0,
        0,
        0,
        0,
        1200,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]
    summer = (200, 200, 200, 100, 100, 0, 0, 0, 100, 100, 100, 100)
    assert spread_budget(1200, BudgetProfile(ProfileKind.MONTHS, amounts=summer)) == list(summer)


def test_month_amounts_must_add_up():
    profile = BudgetProfile(ProfileKind.MONTHS, amounts=(100,) * 12)
    assert check_profile(1200, profile) == []
    assert check_profile(1300, profile) == [
        "Månadsbeloppen blir 1\u00a0200\u00a0kr men aktivitetens belopp är "
        "1\u00a0300\u00a0kr (skillnad \u2212100\u00a0kr)."
    ]
    # An amount changed after the profile was entered: even spread, and pages say why.
    assert spread_budget(1300, profile) == [109] * 4 + [108] * 8
    assert check_profile(1200, BudgetProfile(ProfileKind.MONTHS, amounts=(100,) * 11)) == [
        "Ange ett belopp för var och en av årets tolv månader."
    ]
    assert check_profile(0, BudgetProfile(ProfileKind.MONTHS, amounts=(100, -100) + (0,) * 10)) == [
        "Ett månadsbelopp kan inte vara negativt."
    ]
    assert check_profile(1200, BudgetProfile(ProfileKind.ONE_MONTH, month=13)) == [
        "Välj den månad då hela budgeten används."
    ]


def test_budget_to_date_and_deviation_follow_the_profile():
    profile = BudgetProfile(ProfileKind.ONE_MONTH, month=5)
    per_month = spread_budget(120_000, profile)
    t1 = compute_followup(D(120_000), {3: D(1000)}, PERIODS["T1"], per_month=per_month)
    assert t1.period_budget == 0 and t1.deviation == D(1000)
    t2 = compute_followup(D(120_000), {5: D(100_000)}, PERIODS["T2"], per_month=per_month)
    assert t2.period_budget == D(120_000) and t2.deviation == D(-20_000)


@given(annual=st.integers(0, 10**9), month=st.integers(1, 12))
def test_every_profile_adds_up_to_the_annual_amount(annual, month):
    for profile in (None, BudgetProfile(ProfileKind.ONE_MONTH, month=month)):
        assert sum(spread_budget(annual, profile)) == annual


@pytest.mark.parametrize("kind", ["okand"])
def test_unknown_profile_kind_is_refused(kind):
    assert check_profile(100, BudgetProfile(kind)) == ["Okänd budgetprofil: okand."]
