"""The SIE parser, on small SIE 4 and SIE 3 files made in the tests; no database."""

import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.sie import (
    MAX_PROBLEMS,
    NOT_SIE,
    SiePeriodFigure,
    SieSyntaxError,
    SieTransaction,
    parse_sie,
    quote,
    tokenize,
)

D = Decimal

HEADER = """\
#FLAGGA 0
#PROGRAM "Visma Administration" 2023.1
#FORMAT PC8
#GEN 20240115
#SIETYP 4
#FNAMN "Region Örebro län"
#ORGNR 232100-0164
#RAR 0 20230101 20231231
#RAR -1 20220101 20221231
#DIM 1 "Kostnadsställe"
#DIM 6 "Projekt"
#OBJEKT 1 "9916" "Vårdcentral Åsen"
#OBJEKT 1 "9917" "Barnhälsovård Öster"
#OBJEKT 6 "P1" "God och nära vård"
#KONTO 1930 "Företagskonto"
#KONTO 4010 "Inköp material och varor"
#KONTO 5410 "Förbrukningsinventarier"
#KONTO 7010 "Löner till kollektivanställda"
#KTYP 1930 T
"""

# Line numbers below: the header is lines 1–19, the first #VER is line 20.
SIE4 = (
    HEADER
    + """\
#VER A 1 20230115 "Inköp av förbrukningsmaterial" 20230116 "Åsa"
{
   #TRANS 5410 {1 "9916"} 1234.50
   #TRANS 1930 {} -1234.50
}
#VER "A" "2" 20230131 "Lön januari \\"extra\\"" 20230201
{
\t#TRANS\t7010\t{1 "9917" 6 "P1"}\t45000.00\t20230125\t"Lön för \\"vikarie\\""
   #TRANS 7010 {1 9916 6 P1} 5000 "" ""
   #TRANS 1930 {} -50000.00 20230131 "Utbetalning" 1 "Åsa"
}
#VER B 7 20230301 "Rättelse"
{
   #BTRANS 5410 {1 "9916"} 100.00 20230301 "Borttagen rad"
   #RTRANS 4010 {1 "9917"} 100.00 20230301 "Tillagd rad"
   #TRANS 4010 {1 "9917"} 100.00 20230301 "Tillagd rad"
   #TRANS 1930 { } -100.00
}
"""
)


def encode(text):
    return text.encode("cp437")


def parsed(text, **kwargs):
    return parse_sie(encode(text), **kwargs)


def sie3(rows):
    return (
        "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 3\n#RAR 0 20230101 20231231\n"
        '#RAR -1 20220101 20221231\n#DIM 1 "Kostnadsställe"\n#DIM 6 "Projekt"\n' + rows
    )


# --- SIE 4 ----------------------------------------------------------------------------------


def test_the_file_is_cp437_not_utf8_or_latin1():
    raw = encode(SIE4)
    assert "å".encode("cp437") == b"\x86"
    assert b"V\x86rdcentral \x8fsen" in raw
    result = parse_sie(raw)
    assert result.object_names[("1", "9916")] == "Vårdcentral Åsen"


def test_header():
    result = parsed(SIE4)
    assert result.problems == []
    assert result.sie_type == 4
    assert result.company_name == "Region Örebro län"
    assert result.fiscal_years == {
        0: (date(2023, 1, 1), date(2023, 12, 31)),
        -1: (date(2022, 1, 1), date(2022, 12, 31)),
    }
    assert result.dimensions == {"1": "Kostnadsställe", "6": "Projekt"}
    assert result.object_names == {
        ("1", "9916"): "Vårdcentral Åsen",
        ("1", "9917"): "Barnhälsovård Öster",
        ("6", "P1"): "God och nära vård",
    }
    assert result.accounts["7010"] == "Löner till kollektivanställda"


def test_transactions():
    result = parsed(SIE4)
    assert result.problems == []
    assert all(type(t) is SieTransaction for t in result.transactions)
    buy, salary, fix = "Inköp av förbrukningsmaterial", 'Lön januari "extra"', "Rättelse"
    jan15, jan25, jan31, mar1 = (
        date(2023, 1, 15),
        date(2023, 1, 25),
        date(2023, 1, 31),
        date(2023, 3, 1),
    )
    rows = [
        (t.line, t.voucher, t.date, t.account, t.objects, t.amount, t.text, t.quantity)
        for t in result.transactions
    ]
    assert rows == [
        (22, "A 1", jan15, "5410", {"1": "9916"}, D("1234.50"), buy, None),
        (23, "A 1", jan15, "1930", {}, D("-1234.50"), buy, None),
        (
            27,
            "A 2",
            jan25,
            "7010",
            {"1": "9917", "6": "P1"},
            D("45000.00"),
            'Lön för "vikarie"',
            None,
        ),
        (28, "A 2", jan31, "7010", {"1": "9916", "6": "P1"}, D("5000"), salary, None),
        (29, "A 2", jan31, "1930", {}, D("-50000.00"), "Utbetalning", D("1")),
        (35, "B 7", mar1, "4010", {"1": "9917"}, D("100.00"), "Tillagd rad", None),
        (36, "B 7", mar1, "1930", {}, D("-100.00"), fix, None),
    ]
    assert result.rows_total == 7
    assert result.ignored == 0


def test_a_trans_without_its_own_date_or_text_takes_the_vouchers():
    by_line = {t.line: t for t in parsed(SIE4).transactions}
    assert by_line[27].date == date(2023, 1, 25)
    assert by_line[28].date == date(2023, 1, 31)  # "" is no date
    assert by_line[28].text == 'Lön januari "extra"'
    assert by_line[22].date == date(2023, 1, 15)  # no date field at all


def test_amounts_are_decimals_and_vouchers_balance():
    result = parsed(SIE4)
    sums = defaultdict(Decimal)
    for transaction in result.transactions:
        assert type(transaction.amount) is Decimal
        sums[transaction.voucher] += transaction.amount
    assert dict(sums) == {"A 1": 0, "A 2": 0, "B 7": 0}
    assert str(result.transactions[0].amount) == "1234.50"


def test_rtrans_and_btrans_are_ignored():
    result = parsed(SIE4)
    b7 = [(t.account, t.amount) for t in result.transactions if t.voucher == "B 7"]
    assert b7 == [("4010", D("100.00")), ("1930", D("-100.00"))]


def test_keep_stores_only_the_rows_it_wants_and_counts_the_others():
    seen = []

    def keep(objects):
        seen.append(dict(objects))
        return objects.get("1") == "9916"

    result = parsed(SIE4, keep=keep)
    assert result.problems == []
    assert [(t.line, t.amount) for t in result.transactions] == [
        (22, D("1234.50")),
        (28, D("5000")),
    ]
    assert result.rows_total == 7
    assert result.ignored == 5
    assert {"1": "9917", "6": "P1"} in seen and {} in seen


def test_keep_by_project():
    result = parsed(SIE4, keep=lambda objects: objects.get("6") == "P1")
    assert sum(t.amount for t in result.transactions) == D("50000.00")
    assert result.ignored == result.rows_total - 2


def test_tabs_unquoted_ids_and_spaces_in_braces():
    result = parsed(SIE4)
    assert result.transactions[3].objects == {"1": "9916", "6": "P1"}
    assert result.transactions[-1].objects == {}


# --- SIE 3 ----------------------------------------------------------------------------------


def test_period_balances_and_budgets():
    text = sie3(
        '#PSALDO 0 202301 7010 {1 "9916"} 45000.00 3\n'
        '#PSALDO 0 202302 7010 {1 "9916" 6 "P1"} -1250.75\n'
        "#PSALDO -1 202212 7010 {} 98000\n"
        '#PBUDGET 0 202301 7010 {1 "9916"} 40000.00\n'
        "#IB 0 1930 1000.00\n"
        "#RES 0 7010 90000.00\n"
    )
    result = parsed(text)
    assert result.problems == []
    assert result.sie_type == 3
    assert result.period_figures == [
        SiePeriodFigure(8, "saldo", 0, 2023, 1, "7010", {"1": "9916"}, D("45000.00"), D("3")),
        SiePeriodFigure(9, "saldo", 0, 2023, 2, "7010", {"1": "9916", "6": "P1"}, D("-1250.75")),
        SiePeriodFigure(10, "saldo", -1, 2022, 12, "7010", {}, D("98000")),
        SiePeriodFigure(11, "budget", 0, 2023, 1, "7010", {"1": "9916"}, D("40000.00")),
    ]
    assert result.transactions == []
    assert result.rows_total == 4


def test_keep_applies_to_period_figures():
    text = sie3(
        '#PSALDO 0 202301 7010 {1 "9916"} 100\n'
        '#PSALDO 0 202301 7010 {1 "9917"} 200\n'
        '#PBUDGET 0 202301 7010 {1 "9917"} 300\n'
    )
    result = parsed(text, keep=lambda objects: objects == {"1": "9917"})
    assert [f.amount for f in result.period_figures] == [D("200"), D("300")]
    assert (result.rows_total, result.ignored) == (3, 1)


# --- Problems -------------------------------------------------------------------------------

VOUCHER = '#VER A 1 20230115 "Inköp"\n{\n#TRANS 5410 {1 "9916"} 100.00\n#TRANS 1930 {} -100.00\n}\n'


@pytest.mark.parametrize(
    "body, problem",
    [
        (
            VOUCHER.replace("100.00", "12,5x", 1),
            "Rad 22, #TRANS: beloppet ”12,5x” är inte ett tal.",
        ),
        (
            VOUCHER.replace("20230115", "20231301"),
            "Rad 20, #VER: datumet ”20231301” är inte ett datum (ÅÅÅÅMMDD).",
        ),
        (
            VOUCHER.replace("100.00", "100.00 20230230", 1),
            "Rad 22, #TRANS: datumet ”20230230” är inte ett datum (ÅÅÅÅMMDD).",
        ),
        (VOUCHER.replace("5410", "54A0"), "Rad 22, #TRANS: kontot ”54A0” är inte ett kontonummer."),
        (VOUCHER.replace("-100.00", ""), "Rad 23, #TRANS: beloppet saknas."),
        (
            VOUCHER.replace('{1 "9916"}', '{1 "9916" 6}'),
            "Rad 22, #TRANS: objektlistan har ett udda antal värden"
            " (den ska ha par av dimension och objekt).",
        ),
        (
            VOUCHER.replace('{1 "9916"}', '{1 "9916" 1 "9917"}'),
            "Rad 22, #TRANS: dimensionen 1 står två gånger i objektlistan.",
        ),
        (
            VOUCHER.replace('{1 "9916"}', '{"Kst" "9916"}'),
            "Rad 22, #TRANS: dimensionen ”Kst” är inte ett nummer.",
        ),
        (
            VOUCHER.replace('{1 "9916"}', '{1 "9916"'),
            "Rad 22, #TRANS: objektlistan saknar avslutande ”}”.",
        ),
        (
            VOUCHER.replace('{1 "9916"} ', ""),
            "Rad 22, #TRANS: objektlistan saknas (”100.00” står där ”{…}” ska stå).",
        ),
        (
            VOUCHER.replace('"Inköp"', '"Inköp'),
            "Rad 20, #VER: en text saknar avslutande citattecken.",
        ),
        (VOUCHER[:-2], "Rad 21, #VER: blocket ”{” avslutas aldrig med ”}”."),
        (
            VOUCHER.replace("}\n", "") + VOUCHER,
            "Rad 21, #VER: blocket ”{” avslutas aldrig med ”}”.",
        ),
        (
            '#VER A 1 20230115 "Inköp"\n#KONTO 1930 "Bank"\n',
            "Rad 20, #VER: verifikationen saknar block med #TRANS-rader (”{” … ”}”).",
        ),
        (
            '#VER A 1 20230115 "Inköp"\n',
            "Rad 20, #VER: verifikationen saknar block med #TRANS-rader (”{” … ”}”).",
        ),
        ("#TRANS 1930 {} 100.00\n", "Rad 20, #TRANS: raden står utanför ett #VER-block."),
        ("}\n", "Rad 20: ”}” utan något öppet block."),
        ("{\n", "Rad 20: ”{” utan #VER före."),
        ("Hej\n", "Rad 20: raden är ingen SIE-post (den ska börja med ”#”)."),
        (
            VOUCHER.replace("-100.00", "-99.00"),
            "Rad 20, #VER: verifikationen ”A 1” balanserar inte (summan av beloppen är 1.00).",
        ),
        ("#SIETYP 5\n", "Rad 20, #SIETYP: typen ”5” är inte 1, 2, 3 eller 4."),
        ("#RAR 1 20240101\n", "Rad 20, #RAR: slutdatumet saknas."),
        ("#RAR x 20240101 20241231\n", "Rad 20, #RAR: årsnumret ”x” är inte ett heltal."),
        ("#RAR 1 20241231 20240101\n", "Rad 20, #RAR: startdatumet är senare än slutdatumet."),
    ],
)
def test_problems_name_the_line_and_the_field(body, problem):
    result = parsed(HEADER + body)
    assert problem in result.problems
    assert len(result.problems) == 1, result.problems


def test_a_row_with_a_problem_is_not_stored_but_the_others_are():
    body = VOUCHER.replace("100.00", "12,5x", 1)
    result = parsed(HEADER + body)
    assert [t.line for t in result.transactions] == [23]
    assert result.rows_total == 2


def test_a_bad_voucher_stores_none_of_its_rows():
    result = parsed(HEADER + VOUCHER.replace("20230115", "20231301"))
    assert result.transactions == []
    assert result.rows_total == 2


@pytest.mark.parametrize(
    "rows, problem",
    [
        (
            '#PSALDO 1 202401 7010 {1 "9916"} 100\n',
            "Rad 8, #PSALDO: årsnumret 1 finns inte i någon #RAR-rad.",
        ),
        (
            '#PBUDGET 0 202313 7010 {1 "9916"} 100\n',
            "Rad 8, #PBUDGET: perioden ”202313” är inte en period (ÅÅÅÅMM).",
        ),
        (
            '#PSALDO 0 2023-01 7010 {1 "9916"} 100\n',
            "Rad 8, #PSALDO: perioden ”2023-01” är inte en period (ÅÅÅÅMM).",
        ),
        (
            '#PSALDO 0 202301 7010 {1 "9916"} 1 1,5\n',
            "Rad 8, #PSALDO: kvantiteten ”1,5” är inte ett tal.",
        ),
        ('#PSALDO 0 202301 7010 {1 "9916"}\n', "Rad 8, #PSALDO: beloppet saknas."),
    ],
)
def test_period_figure_problems(rows, problem):
    result = parsed(sie3(rows))
    assert result.problems == [problem]
    assert result.period_figures == []
    assert result.rows_total == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"Kontonr;Belopp\r\n1930;100,00\r\n",
        encode('#PROGRAM "Excel"\n#KONTO 1930 "Bank"\n'),
        b"%PDF-1.7\n\x00\xff\xfe",
    ],
)
def test_not_an_sie_file(raw):
    assert parse_sie(raw).problems[0] == NOT_SIE


def test_text_that_is_not_sie_gives_only_that_problem():
    assert parse_sie(b"Hej\n#FLAGGA 0\n").problems == [NOT_SIE]


def test_flagga_alone_or_sietyp_alone_is_enough():
    assert parse_sie(b"#FLAGGA 0\n").problems == []
    assert parse_sie(b"#SIETYP 4\n").problems == []


def test_a_utf8_file_with_a_bom_is_named():
    result = parse_sie(b"\xef\xbb\xbf" + SIE4.encode("utf-8"))
    assert result.problems == [
        "Filen är sparad som UTF-8, men en SIE-fil ska vara kodad som PC8 (CP437)."
    ]


def test_problems_are_capped():
    bad = "#TRANS 1930 {} 1\n" * (MAX_PROBLEMS + 5)
    result = parsed(HEADER + bad)
    assert len(result.problems) == MAX_PROBLEMS + 1
    assert result.problems[-1] == "Ytterligare 5 problem visas inte."
    assert result.rows_total == MAX_PROBLEMS + 5


def test_several_problems_are_all_reported():
    body = VOUCHER.replace("100.00", "12,5x", 1) + "#TRANS 1930 {} 100.00\n"
    assert parsed(HEADER + body).problems == [
        "Rad 22, #TRANS: beloppet ”12,5x” är inte ett tal.",
        "Rad 25, #TRANS: raden står utanför ett #VER-block.",
    ]


# --- Sources --------------------------------------------------------------------------------


class LinesOnly:
    """A binary file that can only be iterated, to prove the parser never reads it whole."""

    def __init__(self, raw):
        self.lines = io.BytesIO(raw).readlines()
        self.served = 0

    def __iter__(self):
        for line in self.lines:
            self.served += 1
            yield line

    def read(self, *args):
        raise AssertionError("read() should not be called")


def test_streaming_gives_the_same_result_as_bytes():
    raw = encode(SIE4)
    from_bytes = parse_sie(raw)
    assert parse_sie(io.BytesIO(raw)) == from_bytes
    lines = LinesOnly(raw)
    assert parse_sie(lines) == from_bytes
    assert lines.served == SIE4.count("\n")


def test_crlf_line_endings_and_a_trailing_ctrl_z():
    raw = encode(SIE4.replace("\n", "\r\n")) + b"\x1a"
    assert parse_sie(raw) == parse_sie(encode(SIE4))


def test_text_is_refused():
    with pytest.raises(TypeError):
        parse_sie(SIE4)
    with pytest.raises(TypeError):
        parse_sie(io.StringIO(SIE4))


# --- Tokenizer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, tokens",
    [
        (
            '#TRANS 7010 {1 "9916" 6 "P123"} -1234.50',
            ["#TRANS", "7010", ("1", "9916", "6", "P123"), "-1234.50"],
        ),
        ("#TRANS 7010 {} 1", ["#TRANS", "7010", (), "1"]),
        ("#TRANS\t7010\t{ 1\t9916 }\t1", ["#TRANS", "7010", ("1", "9916"), "1"]),
        ('#VER "" "" 20230101 ""', ["#VER", "", "", "20230101", ""]),
        ('"a \\"b\\" c" x', ['a "b" c', "x"]),
        ('"C:\\temp\\\\"', ["C:\\temp\\"]),
        ('{"1" "a b"}', [("1", "a b")]),
        ("  ", []),
    ],
)
def test_tokenize(line, tokens):
    assert tokenize(line) == tokens


@pytest.mark.parametrize("line", ['"abc', '"abc\\"', "{1 2", "{1 {2}}"])
def test_tokenize_refuses(line):
    with pytest.raises(SieSyntaxError):
        tokenize(line)


# --- Properties -----------------------------------------------------------------------------

amounts = st.decimals(
    min_value=D("-999999999999.99"),
    max_value=D("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
# Any character cp437 can encode except line breaks, with the tricky ones made likely.
cp437_text = st.text(
    st.sampled_from('"\\ \t{}') | st.characters(codec="cp437", exclude_characters="\r\n"),
    max_size=40,
)


@given(amounts)
def test_any_amount_with_two_decimals_reads_back_exactly(amount):
    written = f"{amount:.2f}"
    body = f'#VER A 1 20230115 "x"\n{{\n#TRANS 7010 {{1 "9916"}} {written}\n'
    body += f"#TRANS 1930 {{}} {-amount:.2f}\n}}\n"
    result = parsed(HEADER + body)
    assert result.problems == []
    assert result.transactions[0].amount == amount
    assert str(result.transactions[0].amount) == written


@given(cp437_text, cp437_text)
def test_quoted_text_round_trips_through_the_tokenizer(text, other):
    line = f"#OBJEKT 1 {quote(text)}\t{quote(other)}"
    assert tokenize(line) == ["#OBJEKT", "1", text, other]
    assert tokenize("{1 " + quote(text) + "}") == [("1", text)]


@given(cp437_text.filter(lambda t: t != "" and "\x00" not in t))
def test_quoted_text_round_trips_through_a_cp437_file(text):
    body = f'#OBJEKT 6 "P1" {quote(text)}\n#VER A 1 20230115 {quote(text)}\n'
    body += '{\n#TRANS 7010 {6 "P1"} 1.00\n#TRANS 1930 {} -1.00\n}\n'
    result = parsed(HEADER + body)
    assert result.problems == []
    assert result.object_names[("6", "P1")] == text
    assert [t.text for t in result.transactions] == [text, text]


def test_a_nul_byte_is_refused_with_its_line_not_stored():
    body = '#VER A 1 20230115 "a\x00b"\n{\n#TRANS 7010 {1 "9916"} 1.00\n#TRANS 1930 {} -1.00\n}\n'
    result = parsed(HEADER + body)
    assert any("NUL-tecken" in p and p.startswith("Rad ") for p in result.problems)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("100.005", "fler än två decimaler"),
        ("10000000000000", "för stort"),
        ("1" * 50, "för långt"),
    ],
)
def test_amounts_the_database_cannot_keep_exactly_are_refused(amount, message):
    body = f'#VER A 1 20230115 "x"\n{{\n#TRANS 7010 {{1 "9916"}} {amount}\n'
    body += f"#TRANS 1930 {{}} -{amount}\n}}\n"
    result = parsed(HEADER + body)
    assert any(message in p for p in result.problems), result.problems
    assert result.transactions == []
