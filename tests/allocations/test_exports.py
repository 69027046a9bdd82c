"""The allocation table as CSV, as a workbook that recalculates, and from manage.py."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from allocations.exports import allocation_table_csv, allocation_table_xlsx
from allocations.models import DecidedAmount, KeyDataSet
from allocations.reads import build_allocation_table


def test_csv_has_one_row_per_recipient_and_component(allocations2023):
    table = build_allocation_table(allocations2023, "kommuner")
    text = allocation_table_csv(table).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 21 * 3
    assert list(rows[0]) == [
        "Länskod",
        "Mottagare",
        "Utvecklingsområde",
        "Delområde",
        "Beräknat belopp",
        "Beslutat belopp",
        "Skillnad",
    ]
    jamtland = next(
        r for r in rows if r["Länskod"] == "23" and r["Delområde"] == "Nära vård, kommunerna"
    )
    assert jamtland["Beräknat belopp"] == "10134426"
    assert jamtland["Beslutat belopp"] == "10134426"
    assert jamtland["Skillnad"] == "0"
    assert sum(int(r["Beräknat belopp"]) for r in rows) == 1_050_000_000


def test_workbook_totals_are_formulas(allocations2023):
    table = build_allocation_table(allocations2023, "regioner")
    sheet = load_workbook(io.BytesIO(allocation_table_xlsx(table)))["Fördelning"]
    assert sheet["C25"].value == "=SUM(C4:C24)"
    assert sheet["E4"].value == "=C4-D4"
    assert sheet["C4"].number_format.startswith("#,##0")
    assert sheet.freeze_panes == "C4"


def test_workbook_recalculates_to_the_apps_numbers(allocations2023, recalculate):
    table = build_allocation_table(allocations2023, "regioner")
    sheet = recalculate(allocation_table_xlsx(table))["Fördelning"]
    total_row = 4 + len(table.recipients)
    for index, column in enumerate(table.columns):
        first = 3 + 3 * index
        for offset, recipient in enumerate(table.recipients):
            cell = column.cells[recipient.code]
            row = [sheet.cell(4 + offset, first + i).value for i in range(3)]
            assert row == [
                cell.computed,
                None if cell.decided is None else int(cell.decided),
                None if cell.difference is None else int(cell.difference),
            ], (column.label, recipient.code)
        total = column.total
        assert sheet.cell(total_row, first).value == total.computed, column.label
        assert sheet.cell(total_row, first + 1).value == int(total.decided), column.label
    assert sheet.cell(total_row, 3 + 3 * (len(table.columns) - 1)).value == 5_043_000_000


def test_allocate_command_prints_csv_and_table(allocations2023, capsysbinary):
    call_command(
        "allocate", "god-och-nara-vard-2023", "--recipients", "kommuner", "--format", "csv"
    )
    rows = list(
        csv.reader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig")), delimiter=";")
    )
    assert len(rows) == 1 + 21 * 3
    call_command("allocate", "god-och-nara-vard-2023")
    text = capsysbinary.readouterr().out.decode()
    assert "Jämtland Härjedalen (egen)" in text
    assert "2 389 000 000" in text
    assert "299 999 998" in text


def test_allocate_command_writes_xlsx(allocations2023, tmp_path):
    target = tmp_path / "fordelning.xlsx"
    call_command("allocate", "god-och-nara-vard-2023", "--format", "xlsx", "--output", str(target))
    assert load_workbook(target).sheetnames == ["Fördelning", "Rader"]


def test_allocate_command_names_unknown_agreements(db):
    with pytest.raises(CommandError, match="Hittar ingen överenskommelse"):
        call_command("allocate", "finns-inte")


def test_import_commands(allocations2023, tmp_path):
    from grants.models import Region

    path = tmp_path / "sjukskoterskor.csv"
    lines = ["lanskod;lan;antal"] + [
        f"{r.county_code};{r.county_name};{100 + i}" for i, r in enumerate(Region.objects.all())
    ]
    path.write_text("\n".join(lines), encoding="cp1252")
    call_command(
        "import_keydata",
        str(path),
        "--name",
        "Sjuksköterskor 2022",
        "--measure",
        "sjukskoterskor",
        "--date",
        "2022-11-01",
    )
    assert KeyDataSet.objects.get(name="Sjuksköterskor 2022").columns.get().values.count() == 21

    bad = tmp_path / "trasig.csv"
    bad.write_text("lanskod;antal\n01;-1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Rad 2, kolumn ”antal”"):
        call_command(
            "import_keydata",
            str(bad),
            "--name",
            "Trasig",
            "--measure",
            "annat",
            "--date",
            "2022-11-01",
        )
    assert not KeyDataSet.objects.filter(name="Trasig").exists()

    call_command(
        "import_decided",
        str(path),
        "--agreement",
        "god-och-nara-vard-2023",
        "--component",
        "VFU-satsning för sjuksköterskestudenter",
    )
    assert DecidedAmount.objects.filter(component__name__startswith="VFU").count() == 21
