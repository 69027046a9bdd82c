"""The chart of accounts: each ledger row is cost, income or other, the same in Python and SQL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distribution.models import CostObject
from followup.accounts import KOMMUN_BAS, Kind, Range, check_ranges, classify
from followup.models import AccountRange, LedgerImport, LedgerTransaction, chart_of_accounts

D = Decimal


@pytest.mark.parametrize(
    ("account", "kind"),
    [
        ("", Kind.COST),
        ("  ", Kind.COST),
        ("1930", Kind.BALANCE),
        ("2440", Kind.BALANCE),
        ("3190", Kind.INCOME),
        ("4690", Kind.COST),
        ("5410", Kind.COST),
        ("7610", Kind.COST),
        ("8410", Kind.FINANCIAL),
        ("9999", Kind.UNKNOWN),
        ("0100", Kind.UNKNOWN),
    ],
)
def test_kommun_bas_default(account, kind):
    assert classify(account) == kind


def test_the_most_specific_range_wins():
    ranges = (*KOMMUN_BAS, Range("3990", "3999", Kind.FINANCIAL), Range("45", "45", Kind.INCOME))
    assert classify("3190", ranges) == Kind.INCOME
    assert classify("3995", ranges) == Kind.FINANCIAL
    assert classify("4510", ranges) == Kind.INCOME
    assert classify("4690", ranges) == Kind.COST
    # An account shorter than a range's prefix is not in it.
    assert classify("39", ranges) == Kind.INCOME


def test_ranges_that_cannot_be_read_one_way_are_refused():
    assert check_ranges(KOMMUN_BAS) == []
    assert check_ranges([Range("30", "3", Kind.INCOME)]) == [
        "Kontointervallet 30–3: första och sista kontot ska ha lika många siffror."
    ]
    assert check_ranges([Range("4", "3", Kind.INCOME)]) == [
        "Kontointervallet 4–3: första kontot är större."
    ]
    assert check_ranges([Range("3a", "3b", Kind.INCOME)]) == [
        "Kontointervallet 3a–3b: ange konton med siffror."
    ]
    assert check_ranges([Range("3", "4", Kind.INCOME), Range("4", "7", Kind.COST)]) == [
        "Kontointervallen 3–4 och 4–7 överlappar."
    ]


def test_the_chart_is_data_and_refuses_overlaps(db):
    assert chart_of_accounts() == KOMMUN_BAS
    AccountRange.objects.create(first="3", last="3", kind=Kind.INCOME)
    AccountRange.objects.create(first="4", last="7", kind=Kind.COST)
    assert classify("8410", chart_of_accounts()) == Kind.UNKNOWN  # the region's own chart
    overlapping = AccountRange(first="7", last="8", kind=Kind.FINANCIAL)
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert "Kontointervallen 4–7 och 7–8 överlappar." in error.value.messages


ACCOUNTS = st.one_of(
    st.just(""),
    st.text(alphabet="0123456789", min_size=1, max_size=6),
)
RANGES = st.lists(
    st.tuples(
        st.integers(1, 3).flatmap(
            lambda width: st.tuples(
                st.text(alphabet="0123456789", min_size=width, max_size=width),
                st.text(alphabet="0123456789", min_size=width, max_size=width),
            )
        ),
        st.sampled_from(list(Kind)),
    ),
    max_size=5,
)


@pytest.fixture
def one_object(gnv2023):
    area = gnv2023.areas.first()
    cost_object = CostObject.objects.create(year=2023, number="9916", name="Test", area=area)
    ledger_import = LedgerImport.objects.create(file_name="t.csv", file_format="csv", checksum="x")
    return cost_object, ledger_import


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(accounts=st.lists(ACCOUNTS, min_size=1, max_size=8), raw_ranges=RANGES)
def test_sql_classification_is_the_python_one(one_object, accounts, raw_ranges):
    cost_object, ledger_import = one_object
    ranges = tuple(Range(min(a, b), max(a, b), kind) for (a, b), kind in raw_ranges)
    if check_ranges(ranges):
        ranges = KOMMUN_BAS
    LedgerTransaction.objects.all().delete()
    LedgerTransaction.objects.bulk_create(
        LedgerTransaction(
            ledger_import=ledger_import,
            cost_object=cost_object,
            year=2023,
            month=1,
            account=account,
            amount=D(1),
            line=n,
        )
        for n, account in enumerate(accounts)
    )
    rows = LedgerTransaction.objects.with_kind(ranges).values_list("account", "kind")
    assert sorted(rows) == sorted((a, classify(a, ranges)) for a in accounts)
