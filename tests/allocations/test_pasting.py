"""The pasted-table parser (allocations.pasting): pure, no database."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from allocations.pasting import MAX_AMOUNT, PasteError, Place, parse_amount_cell, parse_pasted_table

REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "reference"
SEED_001 = next(Path("/work/shared/seeds").glob("001_*.txt"), None)

with (REFERENCE / "regioner.csv").open(encoding="utf-8") as f:
    COUNTIES = [(r["lanskod"], r["lan"], r["region"]) for r in csv.DictReader(f, delimiter=";")]
PLACES = [Place(code, (region, county)) for code, county, region in COUNTIES]

# The names agreements use for each county, beside the official ones.
OTHER_NAMES = {
    "01": ["Stockholms län", "Stockholms läns kommuner", "Kommunerna i Stockholms län"],
    "04": ["Sörmland", "Södermanlands län", "Region Sörmland", "Södermanlands kommuner"],
    "09": ["Region Gotland", "Gotlands kommun", "Gotlands län"],
    "06": ["Jönköpings län", "Jönköpingslän", "Region Jönköpings län"],
    "08": ["Kalmar län", "Kalmarlän"],
    "14": ["Västra Götalandsregionen", "Västra Götalands län", "Västra Götaland"],
    "18": ["Örebro län", "Örebrolän"],
    "23": ["Jämtland", "Jämtland Härjedalen", "Region Jämtland Härjedalen", "Jämtlands län"],
}
GROUPS = ["\u0020", "\u00a0", "\u202f"]
MARKS = ["", "¹", "²", "*", "**", "†"]


def grouped(digits: str, space: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return space.join(parts)


@st.composite
def amount_texts(draw):
    """(whole kronor, the text a table might show for it)."""
    unit = draw(st.sampled_from(["", " kr", "kr", " tkr", " mnkr"]))
    space = draw(st.sampled_from(GROUPS))
    if unit.strip() == "tkr":
        thousandths = draw(st.integers(0, 10**9))
        amount = thousandths
        whole, fraction = divmod(thousandths, 1000)
        text = grouped(str(whole), space) + (f",{fraction:03d}".rstrip("0") if fraction else "")
    elif unit.strip() == "mnkr":
        millionths = draw(st.integers(0, 10**5)) * 1000
        amount = millionths
        whole, fraction = divmod(millionths, 10**6)
        text = grouped(str(whole), space) + (f",{fraction:06d}".rstrip("0") if fraction else "")
    else:
        amount = draw(st.integers(0, 10**12))
        text = grouped(str(amount), space) if draw(st.booleans()) else str(amount)
    note = draw(st.sampled_from(["", "*", "¹", " 2)", " (3)"]))
    return Decimal(amount), text + unit + note


@st.composite
def tables(draw):
    codes = draw(st.permutations([c for c, _, _ in COUNTIES]))
    codes = codes[: draw(st.integers(1, len(codes)))]
    by_code = {code: (county, region) for code, county, region in COUNTIES}
    tab = draw(st.booleans())
    lines = draw(st.sampled_from([[], ["Kronor"], ["Region\tBelopp", ""], ["Tabell 4", "Utfall"]]))
    expected = {}
    first = len(lines)
    for code in codes:
        county, region = by_code[code]
        name = draw(st.sampled_from([county, region, *OTHER_NAMES.get(code, [])]))
        name += draw(st.sampled_from(MARKS))
        amount, text = draw(amount_texts())
        expected[code] = amount
        separator = "\t" if tab else draw(st.sampled_from([" ", "   ", "\u00a0\u00a0"]))
        lines.append(f"{name}{separator}{text}")
    end = len(lines)
    total = sum(expected.values())
    # A total past the limit is refused (test_a_total_past_the_limit_is_refused_on_its_row).
    if total < MAX_AMOUNT and draw(st.booleans()):
        lines.append(f"{draw(st.sampled_from(['Totalt', 'Summa', 'Totalt¹']))}\t{total}")
        lines.append(draw(st.sampled_from(["", "Källa: SCB", "Bilaga 4."])))
    return expected, lines, first, end


@given(tables())
def test_any_county_table_parses_back_to_the_same_amounts(case):
    expected, lines, _, _ = case
    table = parse_pasted_table("\n".join(lines), PLACES)
    assert table.messages == []
    assert table.amounts() == expected
    assert sorted(table.missing) == sorted(
        region for code, _, region in COUNTIES if code not in expected
    )
    if table.totals is not None:
        assert table.totals == [sum(expected.values())] == table.sums()


BAD_LINES = [
    ("Ankeborg\t1 234", "motsvarar ingen region"),
    ("Gotland\t12 34 567", "inte ett belopp"),
    ("Gotland\t1.234.567", "inte skrivet på svenska"),
    ("Gotland\t1 234,5", "hela kronor"),
    ("Gotland\t1,2345 tkr", "hela kronor"),
    ("Gotland\t−5 000", "negativt"),
    ("Gotland", "inget belopp"),
    ("Gotland\tabc", "inte ett belopp"),
    ("Gotland\t1 000\t2 000", "2 belopp"),
]


@given(tables(), st.sampled_from(BAD_LINES), st.data())
def test_any_malformed_line_is_named(case, bad, data):
    _, lines, first, end = case
    line, message = bad
    # After the first row and before the total: a row, not a header above or a note below.
    at = data.draw(st.integers(first + 1, end))
    lines.insert(at, line)
    table = parse_pasted_table("\n".join(lines), PLACES)
    named = [p for p in table.messages if p.startswith(f"Rad {at + 1}")]
    assert named, (table.messages, at)
    assert any(message in p for p in named), named


@pytest.mark.parametrize(
    ("text", "kronor"),
    [
        ("1 234 567", 1234567),
        ("1\u00a0234\u00a0567 kr", 1234567),
        ("1\u202f234\u202f567", 1234567),
        ("1 234,5 tkr", 1234500),
        ("6 394,5 mnkr", 6394500000),
        ("300 mnkr", 300000000),
        ("1 234 567 2)", 1234567),
        ("1 234 567*", 1234567),
        ("4 086 174¹", 4086174),
    ],
)
def test_amount_forms(text, kronor):
    assert parse_amount_cell(text) == kronor


@pytest.mark.parametrize("text", ["1 234,5", "0,0000005 mnkr", "1.5", "12 34", "", "kr"])
def test_amounts_that_would_need_rounding_or_guessing_are_refused(text):
    with pytest.raises(PasteError):
        parse_amount_cell(text)


@pytest.mark.skipif(SEED_001 is None, reason="seed 001 is not on this machine")
def test_seed_001_rural_table_as_pasted_from_the_pdf():
    lines = SEED_001.read_text("utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if "primärvård i landsbygd (medlen" in line)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Totalt"))
    table = parse_pasted_table("\n".join(lines[start : end + 3]), PLACES)
    assert table.messages == [] and table.missing == []
    assert len(table.rows) == 21
    assert table.amounts()["23"] == 14897341
    # As published, the rows sum to 2 kr less than the table's own total.
    assert table.totals == [300_000_000]
    assert table.sums() == [299_999_998]
