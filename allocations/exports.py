"""Exports of the allocation table: CSV and XLSX, as bytes; the view and the command wrap them."""

from decimal import Decimal

from common.csvfile import csv_bytes
from common.xlsx import DATE, KRONOR, Formula, Workbook, col, list_workbook

AMOUNTS = ("berakat", "beslutat", "skillnad")
CSV_HEADER = {
    "lanskod": "Länskod",
    "mottagare": "Mottagare",
    "utvecklingsomrade": "Utvecklingsområde",
    "delomrade": "Delområde",
    "berakat": "Beräknat belopp",
    "beslutat": "Beslutat belopp",
    "skillnad": "Skillnad",
}


def _number(value):
    """Amounts as numbers, so the CSV writer keeps a negative difference a number."""
    return None if value is None else Decimal(value)


def allocation_table_csv(table) -> bytes:
    """Semicolon CSV, UTF-8 with BOM so Excel opens it right; whole kronor without spaces."""
    return csv_bytes(
        list(CSV_HEADER.values()),
        (
            [_number(row[key]) if key in AMOUNTS else row[key] for key in CSV_HEADER]
            for row in table.long_rows()
        ),
    )


def allocation_table_xlsx(table) -> bytes:
    """A workbook whose totals are formulas: the sheet recalculates to the app's numbers."""
    book = Workbook()
    sheet = book.sheet("Fördelning")
    sheet.title(f"{table.agreement} – {table.group_label}")
    header = ["Länskod", "Mottagare"]
    for column in table.columns:
        header += [f"{column.label}, {title}" for title in ("beräknat", "beslutat", "skillnad")]
    sheet.header(header, [9, 32] + [17] * (3 * len(table.columns)), freeze_columns=2)
    formats = [None, None] + [KRONOR] * (3 * len(table.columns))
    first = sheet.row + 1

    # Three spreadsheet columns per table column: computed, decided, difference.
    letters = {
        column.key: tuple(col(2 + 3 * index + i) for i in range(3))
        for index, column in enumerate(table.columns)
    }
    members = {}
    for column in table.columns:
        if column.kind == "area":
            members[column.key] = [
                c.key for c in table.columns if c.kind == "component" and c.area == column.area
            ]
        elif column.kind == "total":
            members[column.key] = [c.key for c in table.columns if c.kind == "component"]

    for recipient, cells in table.rows:
        values = [recipient.code, recipient.name + (" (egen region)" if recipient.is_own else "")]
        for column, cell in zip(table.columns, cells, strict=True):
            computed, decided, _ = letters[column.key]
            if column.key in members:
                parts = members[column.key]
                values += [
                    None
                    if cell.computed is None
                    else Formula(
                        "=" + "+".join(f"{letters[m][0]}{{r}}" for m in parts), cell.computed
                    ),
                    None
                    if cell.decided is None
                    else Formula(
                        "=" + "+".join(f"{letters[m][1]}{{r}}" for m in parts), cell.decided
                    ),
                ]
            else:
                values += [cell.computed, cell.decided]
            values.append(
                None
                if cell.difference is None
                else Formula(f"={computed}{{r}}-{decided}{{r}}", cell.difference)
            )
        sheet.write_row(values, formats, bold=recipient.is_own)
    last = sheet.row
    sheet.autofilter(last)
    totals = ["", "Totalt"]
    for column in table.columns:
        total = column.total
        for letter, value in zip(
            letters[column.key], (total.computed, total.decided, total.difference), strict=True
        ):
            totals.append(
                None if value is None else Formula(f"=SUM({letter}{first}:{letter}{last})", value)
            )
    sheet.write_row(totals, formats, bold=True)

    rows_sheet = book.sheet("Rader")
    rows_sheet.header(list(CSV_HEADER.values()), [9, 30, 40, 45, 17, 17, 12])
    rows = list(table.long_rows())
    for row in rows:
        rows_sheet.write_row([row[key] for key in CSV_HEADER], [None] * 4 + [KRONOR] * 3)
    rows_sheet.autofilter(rows_sheet.row)
    return book.close()


def dataset_list_xlsx(datasets) -> bytes:
    return list_workbook(
        "Nyckeldata",
        ["Namn", "Mått", "Referensdatum", "Källa", "Anmärkningar"],
        [None, None, DATE, None, None],
        ([d.name, d.get_measure_display(), d.reference_date, d.source, d.notes] for d in datasets),
        widths=[40, 36, 14, 40, 40],
    )


def dataset_values_xlsx(dataset, columns, grid) -> bytes:
    """The values per county as on the page (`grid`: region and one value per column, None
    where there is none), with the sum over the counties of each column."""
    return list_workbook(
        dataset.name,
        ["Länskod", "Län", "Egen region"] + [c.code for c in columns],
        [None] * (3 + len(columns)),
        (
            [region.county_code, region.county_name, "Ja" if region.is_own else ""] + values
            for region, values in grid
        ),
        widths=[10, 30, 12] + [18] * len(columns),
        totals=range(3, 3 + len(columns)),
    )
