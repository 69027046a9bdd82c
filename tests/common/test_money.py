"""Swedish amount parsing and formatting, without a database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.money import (
    AmountError,
    format_amount,
    format_millions,
    format_number,
    parse_amount,
    parse_decimal,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234567", "1234567"),
        ("1 234 567", "1234567"),
        ("1\u00a0234\u00a0567", "1234567"),
        ("1\u202f234\u202f567", "1234567"),
        ("1 234,50", "1234.50"),
        ("1234,5", "1234.50"),
        ("\u22121 234", "-1234"),
        ("-5", "-5"),
        ("75 422 690 kr", "75422690"),
        ("6 394,5 mnkr", "6394500000"),
        ("51,5 mkr", "51500000"),
        ("  300 mnkr ", "300000000"),
        ("12.50", "12.50"),
    ],
)
def test_parses_what_swedish_users_type(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   ", "abc", "1.234.567", "1,2,3", "12.345", "1,234", "kr"])
def test_rejects_what_is_not_an_amount(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_rejects_fractions_of_ore_with_a_swedish_message():
    with pytest.raises(AmountError, match="två decimaler"):
        parse_amount("1,234")


def test_formats_kronor_with_no_break_spaces():
    assert format_amount(Decimal("75422690")) == "75\u00a0422\u00a0690\u00a0kr"
    assert format_amount(Decimal("1234.50")) == "1\u00a0234,50\u00a0kr"
    assert format_amount(Decimal("-5")) == "\u22125\u00a0kr"
    assert format_amount(0) == "0\u00a0kr"
    assert format_amount(None) == ""


def test_formats_millions_as_agreements_state_them():
    assert format_millions(Decimal("6394500000")) == "6\u00a0394,5\u00a0mnkr"
    assert format_millions(Decimal("300000000")) == "300\u00a0mnkr"


amounts = st.decimals(
    min_value=Decimal("-999999999999"), max_value=Decimal("999999999999"), places=2
)


@given(amounts)
def test_formatted_amounts_read_back_unchanged(amount):
    assert parse_amount(format_amount(amount)) == amount
    assert parse_amount(format_amount(amount, unit="")) == amount


@given(st.integers(min_value=0, max_value=10**9))
def test_millions_read_back_unchanged(kronor):
    assert parse_amount(format_millions(Decimal(kronor))) == kronor


def test_numbers_keep_every_decimal_and_read_back():
    assert format_number(Decimal("0.2325")) == "0,2325"
    assert format_number(Decimal("1234567")) == "1\u00a0234\u00a0567"
    assert format_number(Decimal("-4.50")) == "\u22124,5"
    assert parse_decimal(format_number(Decimal("0.2325"))) == Decimal("0.2325")
    assert parse_decimal("12,50-") == Decimal("-12.50")
