"""Swedish amount parsing and formatting, without a database."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.money import (
    AmountError,
    format_amount,
    format_millions,
    format_number,
    ledger_amount,
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


# --- Exact or refused: what the money columns cannot hold is refused in Swedish ----------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10 000 000 000 000", "för stort: högst 9\u00a0999\u00a0999\u00a0999\u00a0999,99 kr"),
        ("10000000 mnkr", "för stort"),
        ("1" * 27, "för stort"),
        ("1" * 40 + ",5", "för stort"),
        ("9" * 80, "för långt"),
        ("\u0661\u0662\u0663", "andra siffror än 0–9"),
        ("\uff11\uff12\uff13", "andra siffror än 0–9"),
        ("12,345 mnkr", None),  # 12 345 000 kr: whole kronor, accepted below
    ],
)
def test_amounts_beyond_the_money_columns_are_refused_not_rounded(text, message):
    if message is None:
        assert parse_amount(text) == Decimal("12345000")
        return
    with pytest.raises(AmountError, match=message):
        parse_amount(text)


def test_the_largest_amount_the_columns_hold_is_accepted():
    assert parse_amount("9 999 999 999 999,99") == Decimal("9999999999999.99")
    assert parse_amount("−9 999 999 999 999,99") == Decimal("-9999999999999.99")


@pytest.mark.parametrize("text", ["1" * 27, "\u0661\u0662\u0663", "1" * 30 + ",123"])
def test_parse_decimal_refuses_beyond_its_column_and_foreign_digits(text):
    with pytest.raises(AmountError):
        parse_decimal(text, max_digits=20, decimal_places=6)


def test_parse_decimal_refuses_more_decimals_than_the_column():
    assert parse_decimal("100,500", max_digits=15, decimal_places=2) == Decimal("100.5")
    with pytest.raises(AmountError, match="två decimaler"):
        parse_decimal("100,005", max_digits=15, decimal_places=2)
    with pytest.raises(AmountError, match="fler än 4 decimaler"):
        parse_decimal("1,00001", max_digits=12, decimal_places=4)


@given(st.text(max_size=80))
def test_any_text_is_an_amount_that_fits_or_a_swedish_refusal(text):
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        assert str(exc)  # a message, never another exception
    else:
        assert abs(amount) < Decimal(10) ** 13
        assert amount == amount.quantize(Decimal("0.01"))


@given(st.text(max_size=80))
def test_any_text_is_a_number_that_fits_or_a_swedish_refusal(text):
    try:
        value = parse_decimal(text, max_digits=15, decimal_places=2)
    except AmountError as exc:
        assert str(exc)
    else:
        assert abs(value) < Decimal(10) ** 13


@pytest.mark.parametrize("text", ["10 000 000 000 000", "1" * 27, "١٢٣", "1e400", "NaN"])
def test_amount_form_fields_refuse_in_swedish_instead_of_failing(text):
    from django import forms

    from grants.forms import AmountField

    with pytest.raises(forms.ValidationError):
        AmountField().clean(text)


# --- The ledger import's fast path (ledger_amount) agrees with parse_decimal ----------------

# Texts near the shapes ledger exports write: digits, the separators and signs both readers
# know, and a few characters only one of them might (letters, other spaces and minus signs).
_LEDGER_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789 ,.-\u00a0\u202f\u2212e+_x٣\t")), max_size=24
)


def _parse_ledger_cell(text):
    try:
        value = parse_decimal(text, max_digits=15, decimal_places=2)
    except AmountError as exc:
        return ("refused", str(exc))
    return ("value", str(value))


def _plain_amounts():
    whole = st.integers(min_value=0, max_value=10**13 - 1)
    grouped = whole.map(lambda n: f"{n:,}").map(lambda t: t.replace(",", " "))
    spaced = whole.map(lambda n: f"{n:,}").map(lambda t: t.replace(",", "\u00a0"))
    plain = whole.map(str)
    return st.tuples(
        st.sampled_from(["", "-"]),
        st.one_of(grouped, spaced, plain),
        st.sampled_from(["", ",5", ",05", ".5", ".50", ",123", ",", "."]),
        st.sampled_from(["", "-"]),
    ).map("".join)


# Long texts of spaces around a few digits: parse_decimal refuses those over 60 characters.
_PADDED = st.tuples(
    st.text(" \u00a0", max_size=70), _plain_amounts(), st.text(" \u00a0", max_size=70)
).map("".join)


@settings(max_examples=400)
@given(st.one_of(_LEDGER_TEXT, _plain_amounts(), _PADDED))
def test_ledger_amount_reads_what_parse_decimal_reads_the_same(text):
    """Where the fast path reads a cell, parse_decimal reads the same value, written the same
    (the same Decimal, exponent included); where it does not (None), parse_decimal decides, so
    every value and every refusal message stays parse_decimal's."""
    fast = ledger_amount(text)
    if fast is not None:
        assert _parse_ledger_cell(text) == ("value", str(fast))


@pytest.mark.parametrize(
    "text",
    [
        "1 234,56",
        "-1234.5",
        "1\u00a0234,56-",
        "0",
        "12",
        "1234567890123",
        "9 999 999 999 999,99",
        " 1",
        "1 2 3",
    ],
)
def test_ledger_amount_reads_the_common_shapes(text):
    assert ledger_amount(text) is not None
    assert ledger_amount(text) == parse_decimal(text, max_digits=15, decimal_places=2)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\t1",
        "-1-",
        "1,234",
        "12345678901234",
        "1e5",
        "\u22125",
        "1 234 kr",
        "1" + " " * 60 + "2",
    ],
)
def test_ledger_amount_leaves_the_rest_to_parse_decimal(text):
    assert ledger_amount(text) is None
