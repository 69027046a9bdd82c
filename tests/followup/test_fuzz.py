"""Every file gets an answer: a correct import, or Swedish messages with nothing saved.

Files are generated in memory: the families that once crashed the import or gave wrong data
(undecodable bytes, NUL, huge fields and lines, stray quotes, XLSX bombs, NaN cells, amounts
beyond the money columns, periods that are not months, other scripts' digits), garbage and
truncations of good files, and, with hypothesis, ledgers whose every row is checked against
an oracle: the import keeps exactly the grant rows' sum, or it is refused.
"""

import io
import random
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocations.importing import ImportFileError, read_county_table
from followup.actions import LedgerImportError, do_import_ledger_file
from followup.models import LedgerImport, LedgerTransaction, ReplacedLedgerTransaction

from .conftest import HEADER
from .forge import column_letters, shared_strings_xml, sheet_xml, xlsx_bytes

D = Decimal
GOOD_ROW = "V1;2023-03-10;5410;1234;9916;;Mobilt team;202303;12 345,50"
SIE_HEAD = '#FLAGGA 0\n#SIETYP 4\n#RAR 0 20230101 20231231\n#DIM 1 "Ansvar"\n'
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def csv_file(rows, *, title=True, encoding="cp1252"):
    lines = (["Huvudbok 2023"] if title else []) + [HEADER] + list(rows)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def counts():
    return (
        LedgerImport.objects.count(),
        LedgerTransaction.objects.count(),
        ReplacedLedgerTransaction.objects.count(),
    )


def answer(content: bytes, name: str, source, user):
    """Import the bytes; assert the answer is a correct import or a refusal with nothing
    saved. Returns the import or the list of problems."""
    before = counts()
    try:
        record = do_import_ledger_file(SimpleUploadedFile(name, content), source, user)
    except LedgerImportError as exc:
        problems = exc.messages
        assert problems, "a refusal must say why"
        assert all(isinstance(p, str) and p.strip() for p in problems)
        assert len(problems) <= 101  # the first 100, then a count
        assert sum(len(p) for p in problems) < 100_000  # messages never carry the file
        assert not any("Traceback" in p or "Error" in p for p in problems)
        assert counts() == before, "a refused file must leave nothing"
        return problems
    rows = LedgerTransaction.objects.filter(ledger_import=record)
    assert rows.count() == record.rows_kept
    outcome = sum((r.amount for r in rows if not r.is_budget), D(0))
    assert outcome == record.total_amount
    assert record.rows_kept + record.rows_ignored <= record.rows_total
    for row in rows:
        assert row.amount == row.amount.quantize(D("0.01"))
        assert abs(row.amount) < D(10) ** 13
        assert 1 <= row.month <= 12
        assert "\x00" not in row.text + row.account + row.voucher + row.responsibility
    return record


def refused(result, *fragments):
    assert isinstance(result, list), f"expected a refusal, got {result}"
    text = "\n".join(result)
    for fragment in fragments:
        assert fragment in text, text
    return text


# --- The families that crashed or gave wrong data -------------------------------------------


def _families():
    big = "x" * 200_000
    yield "empty.csv", b"", "Hittar ingen rubrikrad"
    yield "empty.xlsx", b"", "Excel-fil"
    yield "empty.se", b"", "inte en SIE-fil"
    yield "only-header.csv", csv_file([]), None
    for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
        text = GOOD_ROW.replace("Mobilt", "Mobilt\ufffd").encode("cp1252", "replace")
        content = csv_file([]).rstrip(b"\r\n") + b"\r\n" + text.replace(b"?", bytes([byte]))
        yield f"byte-{byte:02x}.csv", content, "Rad 3: byte 0x"
    # Valid UTF-8 for more than 64 KiB, then a byte that is not.
    filler = [GOOD_ROW.replace("9916", "4711").replace("V1", f"V{n}") for n in range(1200)]
    content = (
        csv_file(filler, encoding="utf-8") + b"V9;2023-03-10;5410;1;9916;;\xff\xfe;202303;1\r\n"
    )
    yield "late-bad-utf8.csv", content, "Rad 1203: filen är skriven i UTF-8 men byte 0xFF"
    content = b"\xef\xbb\xbf" + csv_file(filler, encoding="utf-8") + b"V9;x;\xff;\r\n"
    yield "bom-bad-utf8.csv", content, "inte giltig UTF-8"
    ascii_then_cp1252 = csv_file(filler) + "V9;;5410;1;9916;;Läkemedel;202303;1\r\n".encode(
        "cp1252"
    )
    yield "ascii-then-cp1252.csv", ascii_then_cp1252, None
    yield "huge-field.csv", csv_file([f'V1;2023-03-10;5410;1;9916;;"{big}";202303;1']), "Rad 3"
    yield "huge-line.csv", csv_file([";" * 1_100_000]), "längre än"
    yield "many-columns.csv", csv_file([";" * 500_000, GOOD_ROW]), None
    yield "nul.csv", csv_file([GOOD_ROW.replace("Mobilt", "Mob\x00ilt")]), "NUL"
    yield "utf16.csv", "\ufeff".encode("utf-16-le") + HEADER.encode("utf-16-le"), "UTF-16"
    yield (
        "ten-to-13.csv",
        csv_file([GOOD_ROW.replace("12 345,50", "10 000 000 000 000")]),
        ("för stort"),
    )
    yield "27-digits.csv", csv_file([GOOD_ROW.replace("12 345,50", "1" * 27)]), "för stort"
    yield (
        "foreign-digits.csv",
        csv_file([GOOD_ROW.replace("12 345,50", "١٢٣")], encoding="utf-8"),
        "0–9",
    )
    yield (
        "fullwidth.csv",
        csv_file([GOOD_ROW.replace("12 345,50", "１２３")], encoding="utf-8"),
        ("0–9"),
    )
    yield "feb-30.csv", csv_file([GOOD_ROW.replace("202303", "2023-02-30")]), "ingen period"
    yield (
        "date-31-april.csv",
        csv_file([GOOD_ROW.replace("2023-03-10", "2023-04-31")]),
        ("inget datum"),
    )
    yield (
        "three-decimals.csv",
        csv_file([GOOD_ROW.replace("12 345,50", "100,005")]),
        ("två decimaler"),
    )
    stray = [
        GOOD_ROW,
        'V2;2023-03-11;5410;1234;9916;;"Faktura Vård;202303;100,00',
        "V3;2023-03-12;5410;1234;9916;;Tre;202303;100,00",
        "V4;2023-03-13;5410;1234;9916;;Fyra;202303;100,00",
        'V5;2023-03-14;5410;1234;9916;;Fem" slut;202303;100,00',
    ]
    yield "stray-quote.csv", csv_file(stray), "Rad 4: ett fält börjar med citattecken"
    multiline = [GOOD_ROW, 'V2;2023-03-11;5410;1;9916;;"två\r\nrader";202303;1,00', GOOD_ROW]
    yield "quoted-line-break.csv", csv_file(multiline), "raderna 4–5"
    yield "stray-quote-at-end.csv", csv_file([GOOD_ROW, 'V2;2023;"öppen']), "citattecken"
    yield "formula.csv", csv_file([GOOD_ROW.replace("Mobilt team", "=HYPERLINK(1)")]), None
    yield "long-account.csv", csv_file([GOOD_ROW.replace("5410", "5" * 25)]), "längre än 20"
    yield "garbage.csv", random.Random(1).randbytes(5000), None
    yield "garbage.xlsx", random.Random(2).randbytes(5000), "Excel-fil"
    yield "garbage.se", b"#FLAGGA 0\n" + random.Random(3).randbytes(5000), None
    # XLSX: number cells that are no amount, and amounts with more than two decimals.
    header = HEADER.split(";")
    for text, fragment in [
        ("NaN", "NaN"),
        ("INF", "oändligt"),
        ("1E+400", "oändligt"),
        ("-INF", "oändligt"),
        ("100.005", "två decimaler"),
        ("1E+20", "för stort"),
    ]:
        row = ["V1", "2023-03-10", 5410, 1234, 9916, "", "T", 202303, ("n", text)]
        yield f"xlsx-{text}.xlsx", xlsx_bytes([["Huvudbok"], header, row]), fragment
    good = ["V1", "2023-03-10", 5410, 1234, 9916, "", "T", 202303, 1234.5]
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    yield "far-cell.xlsx", xlsx_bytes([header, good], extra=far), "gränsen är"
    yield (
        "declared-huge.xlsx",
        xlsx_bytes([header, good], dimension="A1:XFD1048576"),
        ("anger området"),
    )
    bomb = "".join(f'<row r="{n}"><c r="I{n}"><v>1</v></c></row>' for n in range(3, 30))
    bomb += '<row r="1048000"><c r="Z1048000"><v>1</v></c></row>'
    yield "row-bomb.xlsx", xlsx_bytes([header, good], extra=bomb), "gränsen är"
    huge = xlsx_bytes(
        sheet=sheet_xml([header, ["V1", "2023-03-10", 5410, 1, 9916, "", {"s": 0}, 202303, 1]]),
        raw_shared=shared_strings_xml(["A" * 3_000_000]),
    )
    yield "huge-shared-string.xlsx", huge, "längre än Excel tillåter"
    many = "".join(f'<row r="{n}"><c r="G{n}" t="s"><v>0</v></c></row>' for n in range(3, 9000))
    repeated = xlsx_bytes(
        sheet=sheet_xml([header, good], extra=many),
        raw_shared=shared_strings_xml(["B" * 30_000]),
    )
    yield "repeated-shared-string.xlsx", repeated, "delade texter"
    valid = xlsx_bytes([["Huvudbok"], header, good])
    for cut in (10, 100, len(valid) // 2, len(valid) - 30):
        yield f"truncated-{cut}.xlsx", valid[:cut], "Excel-fil"
    xxe = (
        sheet_xml([header, good])
        .replace(
            "<worksheet",
            '<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet',
            1,
        )
        .replace("<t>T</t>", "<t>&x;</t>")
    )
    yield "xxe.xlsx", xlsx_bytes(sheet=xxe), None
    # SIE
    sie_rows = (
        '#VER A 1 20230115 "x"\n{\n#TRANS 7010 {1 "9916"} AMOUNT\n#TRANS 1930 {} -AMOUNT\n}\n'
    )
    yield "decimals.se", (SIE_HEAD + sie_rows.replace("AMOUNT", "1.005")).encode(), "två decimaler"
    yield (
        "nul.se",
        (SIE_HEAD + sie_rows.replace("AMOUNT", "1.00").replace('"x"', '"\x00"')).encode(),
        ("NUL"),
    )
    yield "long-line.se", (SIE_HEAD + "#KONTO 1 " + "x" * 1_100_000 + "\n").encode(), "1 MB"


FAMILIES = list(_families())


@pytest.mark.parametrize(
    ("name", "content", "fragment"), FAMILIES, ids=[name for name, _, _ in FAMILIES]
)
def test_every_file_of_the_families_gets_an_answer(
    objects2023, source, users, name, content, fragment
):
    result = answer(content, name, source, users["finance"])
    if fragment is not None:
        refused(result, fragment)


def test_xxe_reads_no_local_file(objects2023, source, users):
    name, content, _ = next(f for f in FAMILIES if f[0] == "xxe.xlsx")
    answer(content, name, source, users["finance"])
    assert not LedgerTransaction.objects.filter(text__contains="root:").exists()


def test_a_stray_quote_is_refused_instead_of_merging_rows(objects2023, source, users):
    _, content, _ = next(f for f in FAMILIES if f[0] == "stray-quote.csv")
    text = refused(answer(content, "stray-quote.csv", source, users["finance"]))
    assert "raderna 4–7" in text


def test_a_file_read_as_windows_1252_after_64_kib_keeps_its_letters(objects2023, source, users):
    rows = [GOOD_ROW.replace("9916", "4711").replace("V1", f"V{n}") for n in range(1200)]
    rows.append("V9;2023-03-10;5410;1;9916;;Läkemedel;202303;1,00")
    record = answer(csv_file(rows), "sen.csv", source, users["finance"])
    assert LedgerTransaction.objects.get(ledger_import=record).text == "Läkemedel"


def test_error_lists_are_capped_at_100_then_counted(objects2023, source, users):
    rows = [GOOD_ROW.replace("12 345,50", "x").replace("V1", f"V{n}") for n in range(250)]
    problems = refused(answer(csv_file(rows), "manga-fel.csv", source, users["finance"]))
    assert problems.count("Rad ") == 100
    assert "… och 150 fel till" in problems


# --- Generated files --------------------------------------------------------------------------


@given(content=st.binary(max_size=3000))
@HYPOTHESIS
def test_any_bytes_as_csv_xlsx_or_sie_get_an_answer(objects2023, source, users, content):
    for name in ("fil.csv", "fil.xlsx", "fil.se"):
        answer(content, name, source, users["finance"])


@given(data=st.data())
@HYPOTHESIS
def test_a_good_file_cut_or_flipped_anywhere_gets_an_answer(objects2023, source, users, data):
    kind = data.draw(st.sampled_from(["csv", "xlsx", "se"]))
    if kind == "csv":
        content = csv_file([GOOD_ROW, GOOD_ROW.replace("V1", "V2").replace("202303", "202304")])
    elif kind == "xlsx":
        good = ["V1", "2023-03-10", 5410, 1234, 9916, "", "T", 202303, 1234.5]
        content = xlsx_bytes([HEADER.split(";"), good])
    else:
        body = '#VER A 1 20230115 "x"\n{\n#TRANS 7010 {1 "9916"} 10.50\n#TRANS 1930 {} -10.50\n}\n'
        content = (SIE_HEAD + body).encode("cp437")
    cut = data.draw(st.integers(0, len(content)))
    flips = data.draw(
        st.lists(st.tuples(st.integers(0, len(content) - 1), st.integers(0, 255)), max_size=4)
    )
    mutated = bytearray(
        content[:cut] + content[cut:] if data.draw(st.booleans()) else content[:cut]
    )
    for position, value in flips:
        if position < len(mutated):
            mutated[position] = value
    answer(bytes(mutated), f"fil.{kind}", source, users["finance"])


amounts = st.decimals(min_value=D("-1e14"), max_value=D("1e14"), places=3, allow_nan=False)


def swedish(amount: Decimal, style: int) -> str:
    text = format(amount, "f")
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    fraction = fraction.rstrip("0") if style % 3 == 0 else fraction
    grouped = f"{int(whole):,}".replace(",", [" ", "", "\u00a0"][style % 3])
    body = grouped + ("," + fraction if fraction else "")
    if negative:
        return body + "-" if style % 2 else "-" + body
    return body


row_specs = st.tuples(
    st.sampled_from(["9916", "9917", "4711", ""]),
    amounts,
    st.integers(0, 5),
    st.tuples(
        st.integers(1989, 2024), st.integers(0, 13), st.one_of(st.none(), st.integers(0, 32))
    ),
)


@given(specs=st.lists(row_specs, min_size=1, max_size=12))
@HYPOTHESIS
def test_generated_ledgers_keep_exactly_the_grant_rows_or_are_refused(
    objects2023, source, users, specs
):
    lines, expected, valid = [], D(0), True
    kept = 0
    for n, (number, amount, style, (year, month, day)) in enumerate(specs):
        period = f"{year}{month:02d}" if day is None else f"{year}-{month:02d}-{day:02d}"
        lines.append(f"V{n};;5410;1;{number};;Rad {n};{period};{swedish(amount, style)}")
        if number not in ("9916", "9917"):
            continue
        real = 1 <= month <= 12 and 1990 <= year <= 2100
        if real and day is not None:
            import datetime

            try:
                datetime.date(year, month, day)
            except ValueError:
                real = False
        fits = amount == amount.quantize(D("0.01")) and abs(amount) < D(10) ** 13
        if not (real and fits):
            valid = False
        elif year == 2023:
            expected += amount
            kept += 1
    content = csv_file(lines)
    if LedgerImport.objects.filter(periods__isnull=False).exists():
        LedgerTransaction.objects.all().delete()  # each example starts from an empty ledger
        ReplacedLedgerTransaction.objects.all().delete()
        LedgerImport.objects.all().delete()
    result = answer(content, "genererad.csv", source, users["finance"])
    if valid:
        assert not isinstance(result, list), result
        assert result.rows_kept == kept
        assert result.total_amount == expected
    else:
        refused(result, "Rad ")


# --- The key-data import ----------------------------------------------------------------------

COUNTIES = {f"{code:02d}": f"Län {code}" for code in (1, 3, 4)}
KEY_HEADER = "Länskod;Län;Befolkning"


def county_answer(content: bytes, name: str):
    try:
        table = read_county_table(content, name, COUNTIES)
    except ImportFileError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert len(exc.problems) <= 101
        assert sum(len(p) for p in exc.problems) < 100_000
        return exc.problems
    for column in table.values.values():
        for value in column.values():
            assert value >= 0 and abs(value) < D(10) ** 14
            assert value == value.quantize(D("0.000001"))
    return table


def _county_families():
    ok = "01;Stockholm;100\r\n03;Uppsala;200\r\n04;Södermanland;300\r\n"
    yield "ok.csv", (KEY_HEADER + "\r\n" + ok).encode("cp1252"), None
    yield "byte-81.csv", (KEY_HEADER + "\r\n" + ok).encode("cp1252") + b"\x81", "0x81"
    yield "nul.csv", (KEY_HEADER + "\r\n" + ok.replace("100", "1\x0000")).encode(), "NUL"
    yield "huge-field.csv", (KEY_HEADER + '\r\n01;"' + "x" * 200_000 + '";1\r\n').encode(), "Rad 2"
    yield "big-value.csv", (KEY_HEADER + "\r\n" + ok.replace("100", "1" * 30)).encode(), "för stort"
    many = "".join(f"{'x' * 1000};a;b\r\n" for _ in range(900))
    yield "many-errors.csv", (KEY_HEADER + "\r\n" + many).encode(), "fel till"
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    yield "far.xlsx", xlsx_bytes([KEY_HEADER.split(";"), ["01", "S", 1]], extra=far), "gränsen"
    yield "declared.xlsx", xlsx_bytes([["a"]], dimension="A1:XFD1048576"), "anger området"
    yield "garbage.xlsx", random.Random(4).randbytes(3000), "Excel-fil"
    yield "nan.xlsx", xlsx_bytes([KEY_HEADER.split(";"), ["01", "S", ("n", "NaN")]]), "NaN"


COUNTY_FAMILIES = list(_county_families())


@pytest.mark.parametrize(
    ("name", "content", "fragment"), COUNTY_FAMILIES, ids=[n for n, _, _ in COUNTY_FAMILIES]
)
def test_every_key_data_file_of_the_families_gets_an_answer(name, content, fragment):
    result = county_answer(content, name)
    if fragment is not None:
        assert isinstance(result, list), result
        assert fragment in "\n".join(result), result


@given(content=st.binary(max_size=3000))
@settings(max_examples=60, deadline=None)
def test_any_bytes_as_key_data_get_an_answer(content):
    county_answer(content, "fil.csv")
    county_answer(content, "fil.xlsx")


def test_the_forge_writes_a_package_calamine_and_openpyxl_read():
    from openpyxl import load_workbook

    content = xlsx_bytes([["a", 1.5], ["b", {"s": 0}]], shared=["delad"])
    assert zipfile.is_zipfile(io.BytesIO(content))
    sheet = load_workbook(io.BytesIO(content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["a", 1.5], ["b", "delad"]]
    assert column_letters(16383) == "XFD"
