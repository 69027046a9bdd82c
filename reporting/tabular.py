"""Exports of the allocation table: CSV and XLSX, as bytes; the view and the command wrap them."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

KRONOR = '#,##0 "kr";-#,##0 "kr"'
CSV_HEADER = {
    "lanskod": "Länskod",
    "mottagare": "Mottagare",
    "utvecklingsomrade": "Utvecklingsområde",
    "delomrade": "Delområde",
    "berakat": "Beräknat belopp",
    "beslutat": "Beslutat belopp",
    "skillnad": "Skillnad",
}


def _plain(value):
    if value is None:
        return ""
    return str(int(value)) if Decimal(value) == int(value) else str(value)


def allocation_table_csv(table) -> bytes:
    """Semicolon CSV, UTF-8 with BOM so Excel opens it right; whole kronor without spaces."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER.values())
    for row in table.long_rows():
        writer.writerow(
            [
                _plain(row[key]) if key in ("berakat", "beslutat", "skillnad") else row[key]
                for key in CSV_HEADER
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def allocation_table_xlsx(table) -> bytes:
    """A workbook whose totals are formulas: the sheet recalculates to the app's numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Fördelning"
    bold = Font(bold=True)
    own_fill = PatternFill("solid", fgColor="FFF4C2")

    sheet["A1"] = f"{table.agreement} – {table.group_label}"
    sheet["A1"].font = Font(bold=True, size=14)
    header_row, first = 3, 4
    last = first + len(table.recipients) - 1
    total_row = last + 1
    sheet.cell(header_row, 1, "Länskod")
    sheet.cell(header_row, 2, "Mottagare")

    # Three spreadsheet columns per table column: computed, decided, difference.
    letters = {}
    for index, column in enumerate(table.columns):
        start = 3 + index * 3
        letters[column.key] = tuple(get_column_letter(start + i) for i in range(3))
        for offset, title in enumerate(("beräknat", "beslutat", "skillnad")):
            cell = sheet.cell(header_row, start + offset, f"{column.label}, {title}")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    component_keys = {c.key for c in table.columns if c.kind == "component"}
    area_members = {}
    for column in table.columns:
        if column.kind == "area":
            area_members[column.key] = [
                c.key for c in table.columns if c.kind == "component" and c.area == column.area
            ]
        elif column.kind == "total":
            area_members[column.key] = [c.key for c in table.columns if c.key in component_keys]

    for row_index, (recipient, cells) in enumerate(table.rows):
        row = first + row_index
        sheet.cell(row, 1, recipient.code)
        sheet.cell(row, 2, recipient.name + (" (egen region)" if recipient.is_own else ""))
        for column, cell in zip(table.columns, cells, strict=True):
            computed, decided, difference = letters[column.key]
            if column.key in area_members:
                members = area_members[column.key]
                for target, part in ((computed, 0), (decided, 1)):
                    sources = [letters[m][part] for m in members]
                    value = cell.computed if part == 0 else cell.decided
                    if value is not None:
                        sheet[f"{target}{row}"] = "=" + "+".join(f"{s}{row}" for s in sources)
            else:
                if cell.computed is not None:
                    sheet[f"{computed}{row}"] = cell.computed
                if cell.decided is not None:
                    sheet[f"{decided}{row}"] = int(cell.decided)
            if cell.difference is not None:
                sheet[f"{difference}{row}"] = f"={computed}{row}-{decided}{row}"
        if recipient.is_own:
            for col in range(1, 3 + 3 * len(table.columns)):
                sheet.cell(row, col).fill = own_fill
                sheet.cell(row, col).font = bold

    sheet.cell(total_row, 2, "Totalt").font = bold
    for column in table.columns:
        total = column.total
        for letter, value in zip(
            letters[column.key], (total.computed, total.decided, total.difference), strict=True
        ):
            if value is not None:
                cell = sheet[f"{letter}{total_row}"]
                cell.value = f"=SUM({letter}{first}:{letter}{last})"
                cell.font = bold
    for row in sheet.iter_rows(min_row=first, max_row=total_row, min_col=3):
        for cell in row:
            cell.number_format = KRONOR
    sheet.freeze_panes = f"C{first}"
    sheet.column_dimensions["A"].width = 9
    sheet.column_dimensions["B"].width = 32
    for index in range(3, 3 + 3 * len(table.columns)):
        sheet.column_dimensions[get_column_letter(index)].width = 17
    sheet.row_dimensions[header_row].height = 60
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(2 + 3 * len(table.columns))}{last}"

    rows_sheet = workbook.create_sheet("Rader")
    rows_sheet.append(list(CSV_HEADER.values()))
    for row in table.long_rows():
        rows_sheet.append(
            [
                int(row[k])
                if k in ("berakat", "beslutat", "skillnad") and row[k] is not None
                else row[k]
                for k in CSV_HEADER
            ]
        )
    for row in rows_sheet.iter_rows(min_row=2, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = KRONOR
    rows_sheet.freeze_panes = "A2"
    rows_sheet.auto_filter.ref = rows_sheet.dimensions
    for letter, width in zip("ABCDEFG", (9, 30, 40, 45, 17, 17, 12), strict=True):
        rows_sheet.column_dimensions[letter].width = width

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
