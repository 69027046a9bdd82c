"""A pasted table of amounts per municipality (allocations.pasting): matched by the names
agreements use and summed per county exactly. Pure: no database."""

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from allocations.pasting import MAX_AMOUNT, Place, lookup, name_key, parse_pasted_table, place_index

from .test_pasting import MARKS, amount_texts

REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "reference"

with (REFERENCE / "kommuner.csv").open(encoding="utf-8") as f:
    MUNICIPALITIES = [(r["kommunkod"], r["kommun"]) for r in csv.DictReader(f, delimiter=";")]
PLACES = [Place(code, (name,), county=code[:2]) for code, name in MUNICIPALITIES]


def names_used(name: str) -> list[str]:
    """The ways an agreement writes a municipality's name: bare, with "kommun", genitive."""
    forms = [name, f"{name} kommun"]
    if not name.endswith(("s", "x", "z")):
        forms.append(f"{name}s kommun")
    if name == "Gotland":
        forms += ["Region Gotland", "Gotlands kommun"]
    return forms


def test_the_290_municipalities_each_have_a_code_in_a_county_and_a_name_of_their_own():
    assert len(MUNICIPALITIES) == 290
    assert len({code for code, _ in MUNICIPALITIES}) == 290
    assert len({code[:2] for code, _ in MUNICIPALITIES}) == 21
    index = place_index(PLACES)
    # Every form of every name finds its own municipality and no other.
    for code, name in MUNICIPALITIES:
        for form in names_used(name):
            assert lookup(index, name_key(form)) == code, form


def test_strömsund_östersund_and_gotland_as_agreements_write_them():
    text = "\n".join(
        [
            "Kommun\tBelopp, kr",
            "Strömsund\t1 000",
            "Östersunds kommun\t2 500 kr",
            "Region Gotland\t700",
            "Åre kommun\t300",
            "Totalt\t4 500",
        ]
    )
    table = parse_pasted_table(text, PLACES)
    assert table.messages == []
    assert [row.code for row in table.rows] == ["2313", "2380", "0980", "2321"]
    assert table.amounts() == {"23": Decimal(3800), "09": Decimal(700)}
    assert table.totals == table.sums() == [Decimal(4500)]
    assert len(table.missing) == 286
    assert "Berg" in table.missing


def test_unmatched_and_doubled_municipalities_are_named():
    text = "Strömsund\t1 000\nAnkeborgs kommun\t5\nStrömsunds kommun\t2 000"
    table = parse_pasted_table(text, PLACES)
    assert table.messages == [
        "Rad 2: ”Ankeborgs kommun” motsvarar ingen kommun.",
        "Rad 3: ”Strömsunds kommun” finns redan på rad 1; varje kommun får bara förekomma en gång.",
    ]
    assert not table.ok


@st.composite
def municipality_tables(draw):
    codes = draw(st.permutations([code for code, _ in MUNICIPALITIES]))
    codes = codes[: draw(st.integers(1, len(codes)))]
    names = dict(MUNICIPALITIES)
    tab = draw(st.booleans())
    lines = draw(st.sampled_from([[], ["Kronor"], ["Kommun\tBelopp", ""], ["Bilaga 2"]]))
    expected = defaultdict(Decimal)
    total = Decimal(0)
    for code in codes:
        name = draw(st.sampled_from(names_used(names[code]))) + draw(st.sampled_from(MARKS))
        amount, text = draw(amount_texts())
        expected[code[:2]] += amount
        total += amount
        separator = "\t" if tab else draw(st.sampled_from([" ", "   ", "\u00a0\u00a0"]))
        lines.append(f"{name}{separator}{text}")
    # A total past the limit is refused (test_a_total_past_the_limit_is_refused_on_its_row).
    if total < MAX_AMOUNT and draw(st.booleans()):
        lines.append(f"{draw(st.sampled_from(['Totalt', 'Summa']))}\t{total}")
    return dict(expected), total, lines, set(codes)


@given(municipality_tables())
def test_any_municipality_table_sums_back_per_county_to_the_same_amounts(case):
    expected, total, lines, codes = case
    table = parse_pasted_table("\n".join(lines), PLACES)
    assert table.messages == []
    assert table.matched == len(codes)
    assert table.amounts() == expected
    assert sum(table.amounts().values()) == total == table.sums()[0]
    assert sorted(table.missing) == sorted(n for c, n in MUNICIPALITIES if c not in codes)
    if table.totals is not None:
        assert table.totals == [total]


def test_a_total_past_the_limit_is_refused_on_its_row():
    # 290 rows can each be a legal amount and still add up past what an amount may be.
    big = MAX_AMOUNT - 1
    text = f"Strömsund\t{big}\nÅre\t{big}\nTotalt\t{2 * big}"
    table = parse_pasted_table(text, PLACES)
    assert table.messages == [f"Rad 3 (”Totalt”): ”{2 * big}” är för stort."]
    assert not table.ok
