"""County tables from CSV and XLSX: what is accepted, and what is refused with row and column."""

import io

import pytest
from openpyxl import Workbook

from allocations.importing import ImportFileError, read_county_table

COUNTIES = {"01": "Stockholm", "03": "Uppsala", "23": "Jämtland Härjedalen"}
GOOD = (
    "lanskod;region;folkmangd\n"
    "01;Region Stockholm;2437158\n"
    "03;Region Uppsala;400070\n"
    "23;Region Jämtland Härjedalen;132484\n"
)


def read(text, encoding="utf-8", name="data.csv"):
    return read_county_table(text.encode(encoding), name, COUNTIES)


def problems(text, **kwargs):
    with pytest.raises(ImportFileError) as caught:
        read(text, **kwargs)
    return caught.value.messages


def test_reads_the_reference_format():
    table = read(GOOD)
    assert table.columns == ("folkmangd",)
    assert table.values["23"] == {"folkmangd": 132484}


@pytest.mark.parametrize(
    "variant",
    [
        GOOD.replace(";", ","),
        "\ufeff" + GOOD,
        GOOD.replace("2437158", "2 437 158").replace("400070", "400\u00a0070"),
        "lanskod;folkmangd\n1;2437158\n3;400070\n23;132484\n",
    ],
    ids=["comma", "bom", "spaces", "no-name-column"],
)
def test_accepts_what_real_files_look_like(variant):
    assert read(variant).values["01"]["folkmangd"] == 2437158


def test_reads_windows_1252():
    text = GOOD.replace("Region Jämtland Härjedalen", "Jämtland Härjedalen")
    assert read(text, encoding="cp1252").values["23"]["folkmangd"] == 132484


def test_reads_xlsx_with_several_columns():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["lanskod", "lan", "tatortsnara", "glesa"])
    sheet.append(["01", "Stockholm", 10, 0])
    sheet.append(["03", "Uppsala", 20, 5])
    sheet.append([23, "Jämtland Härjedalen", 30, 7.5])
    out = io.BytesIO()
    workbook.save(out)
    table = read_county_table(out.getvalue(), "landsbygd.xlsx", COUNTIES)
    assert table.columns == ("tatortsnara", "glesa")
    assert str(table.values["23"]["glesa"]) == "7.5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Filen är tom."),
        ("lanskod;folkmangd\n", "inga datarader"),
        (
            GOOD.replace("03;Region Uppsala", "02;Region Okänd"),
            "Rad 3, kolumn ”lanskod”: okänd länskod ”02”",
        ),
        (GOOD.replace("03;Region Uppsala;400070\n", ""), "Länskod 03 (Uppsala) saknas i filen."),
        (
            GOOD + "01;Region Stockholm;1\n",
            "Rad 5, kolumn ”lanskod”: länskod 01 finns redan på rad 2.",
        ),
        (GOOD.replace("400070", "-5"), "Rad 3, kolumn ”folkmangd”: värdet får inte vara negativt."),
        (
            GOOD.replace("400070", "fyrahundra"),
            "Rad 3, kolumn ”folkmangd”: ”fyrahundra” är inte ett tal.",
        ),
        (GOOD.replace("400070", ""), "Rad 3, kolumn ”folkmangd”: Värdet saknas."),
        (
            GOOD.replace("01;Region", "Sthlm;Region"),
            "Rad 2, kolumn ”lanskod”: ”Sthlm” är inte en länskod.",
        ),
    ],
    ids=[
        "empty",
        "header-only",
        "unknown",
        "missing",
        "duplicate",
        "negative",
        "text",
        "blank",
        "bad-code",
    ],
)
def test_bad_files_name_row_and_column(text, expected):
    assert any(expected in problem for problem in problems(text)), problems(text)


def test_every_problem_is_reported_at_once():
    text = GOOD.replace("400070", "x").replace("132484", "-1")
    assert len(problems(text)) == 2


def test_a_broken_xlsx_is_refused():
    with pytest.raises(ImportFileError, match="Excel"):
        read_county_table(b"PK\x03\x04 not really a workbook", "trasig.xlsx", COUNTIES)
