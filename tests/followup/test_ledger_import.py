"""Ledger files in the forms real exports take, and the files that are refused."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from distribution.models import Activity, CostObject
from followup.actions import (
    LedgerImportError,
    do_close_period,
    do_import_ledger_file,
    do_reopen_period,
)
from followup.models import ActivityLink, ClosedPeriod, LedgerImport, LedgerTransaction

from .conftest import HEADER

pytestmark = pytest.mark.both_databases  # the writer is COPY on PostgreSQL

D = Decimal
ROWS = [
    "V1;2023-03-10;5410;1234;9916;A1;Mobilt team mars;202303;12 345,50",
    "V2;2023-03-11;5410;1234;9916;;Utan kod;202303;1\u00a0000,00",
    "V3;2023-03-12;6550;2000;4711;;Annan verksamhet;202303;999,00",
    "V4;2023-04-02;5410;1234;9917;;Kreditering;202304;250,00-",
    "V5;2023-04-03;5410;1234;9942;;Narrow;202304;1\u202f500,25",
]


def csv_bytes(rows=ROWS, *, header=HEADER, encoding="cp1252", delimiter=";", title=True):
    lines = (["Huvudbok 2023;;;;;;;;", ""] if title else []) + [header] + list(rows)
    text = "\r\n".join(line.replace(";", delimiter) for line in lines) + "\r\n"
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    return text.replace("\u202f", " ").replace("\u00a0", " ").encode(encoding)


def upload(content, name="huvudbok.csv"):
    return SimpleUploadedFile(name, content)


def test_semicolon_cp1252_with_title_rows(year2023, source, users):
    record = do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    assert (record.rows_total, record.rows_kept, record.rows_ignored) == (5, 4, 1)
    assert record.total_amount == D("12345.50") + D("1000") - D("250") + D("1500.25")
    assert record.periods == ["2023-03", "2023-04"]
    assert record.uploaded_by == users["finance"]
    assert len(record.checksum) == 64
    rows = {t.voucher: t for t in LedgerTransaction.objects.all()}
    assert rows["V4"].amount == D("-250.00")
    assert rows["V1"].date.isoformat() == "2023-03-10"
    assert rows["V1"].cost_object.number == "9916" and rows["V1"].month == 3


def test_utf8_bom_comma_separated_columns_in_any_order(year2023, source, users):
    header = "Belopp,Period,Objekt,Text,Verifikation,Aktivitet,Ansvar,Konto,Bokföringsdatum"
    rows = [
        '"12 345,50",202303,9916,Text,V1,,1234,5410,2023-03-10',
        '"−1 000,00",2023-03,9917,T,V2,,1,5410,2023-03-11',
    ]
    content = ("\ufeff" + header + "\r\n" + "\r\n".join(rows) + "\r\n").encode("utf-8")
    record = do_import_ledger_file(upload(content), source, users["finance"])
    assert record.rows_kept == 2
    assert LedgerTransaction.objects.get(voucher="V2").amount == D("-1000")


def test_xlsx_through_calamine(year2023, source, users):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Huvudbok"])
    sheet.append(HEADER.split(";"))
    sheet.append(["V1", "2023-05-02", 5410, 1234, 9916, "", "Text", 202305, 1234.5])
    sheet.append(["V2", "2023-05-03", 5410, 1234, 9943, "", "Text", "2023-05", "2 000,00"])
    out = io.BytesIO()
    workbook.save(out)
    record = do_import_ledger_file(
        upload(out.getvalue(), "huvudbok.xlsx"), source, users["finance"]
    )
    assert record.file_format == "xlsx"
    assert sorted(LedgerTransaction.objects.values_list("amount", flat=True)) == [
        D("1234.50"),
        D("2000"),
    ]


def test_bad_rows_are_listed_and_nothing_is_saved(year2023, source, users):
    rows = ROWS + [
        "V6;2023-03-13;5410;1234;9916;;Fel belopp;202303;12,3,4",
        "V7;2023-03-14;5410;1234;9917;;Fel period;mars 2023;100",
        "V8;2023-13-01;5410;1234;9942;;Fel datum;202303;100",
        "V9;2023-03-14;5410;1234;4711;;Fel på annat objekt ignoreras;x;y",
    ]
    with pytest.raises(LedgerImportError) as caught:
        do_import_ledger_file(upload(csv_bytes(rows)), source, users["finance"])
    problems = caught.value.messages
    assert any(p.startswith("Rad 9, kolumn ”Belopp”") for p in problems), problems
    assert any(
        p.startswith("Rad 10, kolumn ”Period”: ”mars 2023” är ingen period") for p in problems
    )
    assert any(p.startswith("Rad 11, kolumn ”Bokföringsdatum”") for p in problems)
    assert len(problems) == 3
    assert not LedgerTransaction.objects.exists()
    assert not LedgerImport.objects.exists()


def test_a_file_without_the_mapped_header_is_refused(year2023, source, users):
    content = "Datum;Summa\r\n2023-01-01;5\r\n".encode("cp1252")
    with pytest.raises(LedgerImportError, match="Hittar ingen rubrikrad"):
        do_import_ledger_file(upload(content), source, users["finance"])


def test_reimport_of_a_period_replaces_it_and_the_same_file_is_recognised(year2023, source, users):
    do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    with pytest.raises(LedgerImportError, match="Filen är redan inläst"):
        do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    corrected = [ROWS[0].replace("12 345,50", "10 000,00")]
    record = do_import_ledger_file(upload(csv_bytes(corrected)), source, users["finance"])
    # March on 9916 is replaced (two rows out, one in); April on 9917 and 9942 stays.
    assert record.rows_replaced == 2
    march = LedgerTransaction.objects.filter(cost_object__number="9916", month=3)
    assert list(march.values_list("amount", flat=True)) == [D("10000")]
    assert LedgerTransaction.objects.filter(month=4).count() == 2


def test_a_closed_period_is_not_replaced_until_reopened(year2023, source, users):
    do_close_period(2023, 3, acting_user=users["finance"])
    with pytest.raises(LedgerImportError, match="Perioden 2023-03 är stängd"):
        do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    do_reopen_period(ClosedPeriod.objects.get(), acting_user=users["finance"], reason="Rättelse")
    do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    reopened = ClosedPeriod.history.filter(history_type="-").get()
    assert (reopened.history_user, reopened.history_change_reason) == (users["finance"], "Rättelse")


def test_rows_are_tied_to_activities_by_code_then_by_link(year2023, source, users):
    nine916 = CostObject.objects.get(number="9916")
    coded = Activity.objects.filter(cost_object=nine916).first()
    coded.ledger_code = "A1"
    coded.save()
    linked = Activity.objects.filter(cost_object=nine916).exclude(pk=coded.pk).first()
    ActivityLink.objects.create(cost_object=nine916, responsibility="1234", activity=linked)
    do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    assert LedgerTransaction.objects.get(voucher="V1").activity == coded
    assert LedgerTransaction.objects.get(voucher="V2").activity == linked
    assert LedgerTransaction.objects.get(voucher="V4").activity is None


SIE4 = """#FLAGGA 0
#FORMAT PC8
#SIETYP 4
#FNAMN "Region Jämtland Härjedalen"
#RAR 0 20230101 20231231
#DIM 1 "Objekt"
#OBJEKT 1 "9916" "Nära vård"
#VER A 1 20230315 "Konsulter mars"
{
#TRANS 5410 {1 "9916"} 1500.00
#TRANS 2440 {} -1500.00
}
#VER A 2 20230316 "Annat"
{
#TRANS 5410 {1 "4711"} 300.00
#TRANS 2440 {} -300.00
}
"""
SIE3 = """#FLAGGA 0
#SIETYP 3
#RAR 0 20230101 20231231
#PSALDO 0 202305 5410 {1 "9917"} 2500.50
#PBUDGET 0 202305 5410 {1 "9917"} 3000.00
#PSALDO 0 202305 5410 {1 "4711"} 99.00
"""


def test_sie_type_4_transactions(year2023, users):
    record = do_import_ledger_file(
        upload(SIE4.encode("cp437"), "export.se"), None, users["finance"]
    )
    assert record.file_format == "sie"
    row = LedgerTransaction.objects.get()
    assert (row.cost_object.number, row.amount, row.month, row.voucher) == (
        "9916",
        D("1500"),
        3,
        "A 1",
    )
    assert record.rows_ignored == 3  # the other object's row and the two balancing rows


def test_sie_type_3_period_balances_and_budgets(year2023, users):
    do_import_ledger_file(upload(SIE3.encode("cp437"), "saldo.se"), None, users["finance"])
    outcome = LedgerTransaction.objects.get(is_budget=False)
    budget = LedgerTransaction.objects.get(is_budget=True)
    assert (outcome.amount, budget.amount, outcome.month) == (D("2500.50"), D("3000"), 5)


def test_a_broken_sie_file_is_refused_with_its_line(year2023, users):
    broken = SIE4.replace("1500.00\n#TRANS 2440 {} -1500.00", "15x0.00\n#TRANS 2440 {} -1500.00")
    with pytest.raises(LedgerImportError, match="Rad 10"):
        do_import_ledger_file(upload(broken.encode("cp437"), "export.se"), None, users["finance"])
    assert not LedgerTransaction.objects.exists()


def test_import_ledger_command(year2023, source, tmp_path):
    path = tmp_path / "huvudbok.csv"
    path.write_bytes(csv_bytes())
    call_command("import_ledger", str(path), "--source", "Raindance")
    assert LedgerTransaction.objects.count() == 4
    sie = tmp_path / "export.se"
    sie.write_bytes(SIE4.encode("cp437"))
    call_command("import_ledger", str(sie))
    with pytest.raises(CommandError, match="Okänd källa"):
        call_command("import_ledger", str(path), "--source", "Finns inte")
    with pytest.raises(CommandError, match="redan inläst"):
        call_command("import_ledger", str(path), "--source", "Raindance")


def test_a_new_link_never_reties_rows_of_a_closed_month(year2023, source, users):
    from followup.actions import do_save_activity_link

    do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    do_close_period(2023, 3, acting_user=users["finance"])
    nine916 = CostObject.objects.get(number="9916", year=2023)
    activity = Activity.objects.filter(cost_object=nine916).first()
    april = "V6;2023-04-10;5410;1234;9916;;April;202304;100,00"
    do_import_ledger_file(upload(csv_bytes([april])), source, users["finance"])
    tied = do_save_activity_link(
        ActivityLink(cost_object=nine916, responsibility="1234", activity=activity),
        acting_user=users["finance"],
    )
    assert tied == 1  # April only
    assert LedgerTransaction.objects.get(voucher="V6").activity == activity
    march = LedgerTransaction.objects.filter(cost_object=nine916, month=3)
    assert march.count() == 2 and not march.filter(activity__isnull=False).exists()
    link = ActivityLink.objects.get()
    assert link.history.get().history_user == users["finance"]


def test_replaced_rows_are_archived_with_the_import_that_replaced_them(year2023, source, users):
    from followup.models import ReplacedLedgerTransaction

    first = do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    corrected = [ROWS[0].replace("12 345,50", "10 000,00")]
    second = do_import_ledger_file(upload(csv_bytes(corrected)), source, users["finance"])
    archived = ReplacedLedgerTransaction.objects.filter(replaced_by=second).order_by("line")
    assert [(r.voucher, r.amount, r.ledger_import_id) for r in archived] == [
        ("V1", D("12345.50"), first.pk),
        ("V2", D("1000.00"), first.pk),
    ]
    assert second.rows_replaced == 2


SIE_DIMENSIONS = """#FLAGGA 0
#SIETYP 4
#RAR 0 20230101 20231231
#DIM 1 "Ansvar"
#DIM 6 "Projekt"
#DIM 7 "Aktivitet"
#VER A 1 20230315 "Konsulter"
{
#TRANS 5410 {1 "31007" 6 "9916"} 1500.00
#TRANS 5410 {1 "31008" 6 "9916" 7 "A1"} 200.00
#TRANS 2440 {} -1700.00
}
"""


def test_sie_rows_are_tied_by_the_ansvar_dimension_and_activity_codes(year2023, users):
    from followup.models import LedgerSource

    nine916 = CostObject.objects.get(number="9916", year=2023)
    linked, coded = Activity.objects.filter(cost_object=nine916)[:2]
    coded.ledger_code = "A1"
    coded.save()
    ActivityLink.objects.create(cost_object=nine916, responsibility="31007", activity=linked)
    # Without a source: the object in any dimension, the ansvar in dimension 1.
    content = SIE_DIMENSIONS.encode("cp437")
    do_import_ledger_file(upload(content, "export.se"), None, users["finance"])
    rows = {t.amount: t for t in LedgerTransaction.objects.all()}
    assert rows[D("1500")].responsibility == "31007"
    assert rows[D("1500")].activity == linked
    assert rows[D("200")].activity is None  # no activity dimension without a source
    # A source that names the activity dimension ties the coded row too.
    source = LedgerSource.objects.create(
        name="Visma SIE",
        sie_object_dimension=6,
        sie_responsibility_dimension=1,
        sie_activity_dimension=7,
    )
    again = SIE_DIMENSIONS.replace("Konsulter", "Konsulter, rättad").encode("cp437")
    record = do_import_ledger_file(upload(again, "export2.se"), source, users["finance"])
    rows = {t.amount: t for t in LedgerTransaction.objects.filter(ledger_import=record)}
    assert rows[D("200")].activity_code == "A1" and rows[D("200")].activity == coded
    assert rows[D("1500")].activity == linked
    assert record.rows_replaced == 2 and record.source == source


def test_a_sie_source_with_another_object_dimension_finds_no_grant_rows(year2023, users):
    from followup.models import LedgerSource

    source = LedgerSource.objects.create(name="Fel dimension", sie_object_dimension=1)
    record = do_import_ledger_file(
        upload(SIE_DIMENSIONS.encode("cp437"), "export.se"), source, users["finance"]
    )
    assert record.rows_kept == 0 and record.rows_ignored == 3


def test_the_object_dimension_is_not_also_read_as_the_ansvar(year2023, users):
    do_import_ledger_file(upload(SIE4.encode("cp437"), "export.se"), None, users["finance"])
    assert LedgerTransaction.objects.get().responsibility == ""


def test_a_long_text_is_kept_whole_never_shortened(year2023, source, users):
    """A text is what the file says, however long (an ERP export's text can pass 255)."""
    long_text = "Konsultarvode för utveckling av mobila team, " * 12  # ~550 characters
    rows = [f"V1;2023-03-10;5410;1234;9916;;{long_text.strip()};202303;100,00"]
    do_import_ledger_file(upload(csv_bytes(rows)), source, users["finance"])
    assert LedgerTransaction.objects.get(voucher="V1").text == long_text.strip()
    assert len(long_text.strip()) > 500


def test_the_already_imported_message_gives_the_time_in_the_regions_zone(year2023, source, users):
    import datetime

    from followup.models import LedgerImport

    record = do_import_ledger_file(upload(csv_bytes()), source, users["finance"])
    # 17:35 UTC on a summer day is 19:35 in Sweden, as the import list shows it.
    LedgerImport.objects.filter(pk=record.pk).update(
        uploaded_at=datetime.datetime(2024, 6, 3, 17, 35, tzinfo=datetime.UTC)
    )
    with pytest.raises(LedgerImportError, match="redan inläst 2024-06-03 19:35 av"):
        do_import_ledger_file(upload(csv_bytes()), source, users["finance"])


def test_texts_with_backslashes_tabs_and_null_markers_are_stored_as_written(
    year2023, source, users
):
    """The writer formats COPY's text itself: a value that needs escaping (a backslash, a tab,
    the text \\N that COPY reads as NULL) is stored as the file wrote it, amount exact."""
    texts = {
        "V1": "C:\\mapp\\faktura",
        "V2": "\\N",
        "V3": "före\tefter",
        "V4": "Läkemedel; öppenvård",
    }
    rows = [
        f'{voucher};2023-03-10;5410;1234;9916;;"{text}";202303;1 234,56-'
        for voucher, text in texts.items()
    ]
    record = do_import_ledger_file(upload(csv_bytes(rows)), source, users["finance"])
    assert record.rows_kept == 4
    stored = {t.voucher: t for t in LedgerTransaction.objects.all()}
    assert {voucher: t.text for voucher, t in stored.items()} == texts
    assert {t.amount for t in stored.values()} == {D("-1234.56")}
    assert record.total_amount == D("-4938.24")
