"""Organisationsnummer, bankgiro and plusgiro: ASCII digits with a correct Luhn digit, in their
printed form; anything else refused in Swedish (pure, no database)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from common.checkdigits import clean_bankgiro, clean_org_number, clean_plusgiro, luhn_ok


def test_the_regions_public_organisation_number_passes_and_is_printed_with_its_hyphen():
    assert clean_org_number("232100-0214") == "232100-0214"
    assert clean_org_number(" 2321000214 ") == "232100-0214"


@pytest.mark.parametrize(
    "value",
    [
        "232100-0215",  # wrong check digit
        "NaN",
        "1e400",
        "inf",
        "٢٣٢١٠٠-٠٢١٤",  # Arabic-Indic digits
        "２３２１００-０２１４",  # full-width digits
        "232100\u200b0214",  # zero-width space
        "2321000214\x00",
        "-232100-0214x",
        "23210002140",  # eleven digits
        "",
    ],
)
def test_hostile_organisation_numbers_are_refused_in_swedish(value):
    with pytest.raises(ValidationError) as refused:
        clean_org_number(value)
    message = " ".join(refused.value.messages)
    assert "Organisationsnumret" in message


def test_giro_numbers():
    assert clean_bankgiro("5050-1006") == "5050-1006"
    assert clean_bankgiro("50501006") == "5050-1006"
    with pytest.raises(ValidationError, match="kontrollsiffra"):
        clean_bankgiro("5050-1007")
    with pytest.raises(ValidationError, match="sju eller åtta"):
        clean_bankgiro("123")
    assert clean_plusgiro("90 20 01-7") == "902001-7"
    with pytest.raises(ValidationError, match="kontrollsiffra"):
        clean_plusgiro("902001-2")
    for value in ("NaN", "1e400", "٥٠٥٠١٠٠٦", "５０５０１００６"):
        with pytest.raises(ValidationError):
            clean_bankgiro(value)
        with pytest.raises(ValidationError):
            clean_plusgiro(value)


@given(st.text(max_size=30))
def test_any_text_is_either_refused_or_a_checked_number(value):
    try:
        printed = clean_org_number(value)
    except ValidationError:
        return
    digits = printed.replace("-", "")
    assert len(digits) == 10 and digits.isascii() and digits.isdigit() and luhn_ok(digits)
