"""The follow-up's lists as XLSX (common.xlsx): the ledger imports and ledger rows."""

from common.xlsx import DATETIME, KRONOR_ORE, list_workbook

LEDGER_ROW_HEADER = [
    "Period",
    "Objekt",
    "Aktivitet",
    "Konto",
    "Ansvar",
    "Verifikation",
    "Text",
    "Belopp",
    "Budget",
    "Inläst med",
    "Rad i filen",
]


def ledger_rows_xlsx(name, rows) -> bytes:
    """Ledger rows (kept or replaced, with cost_object, activity and ledger_import selected),
    each traceable to the file and line it came from; summed by the list's total row."""
    return list_workbook(
        name,
        LEDGER_ROW_HEADER,
        [None] * 7 + [KRONOR_ORE, None, None, None],
        (
            [
                f"{t.year}-{t.month:02d}",
                t.cost_object.number,
                t.activity.name if t.activity else "Ej kopplat",
                t.account,
                t.responsibility,
                t.voucher,
                t.text,
                t.amount,
                "Ja" if t.is_budget else "",
                t.ledger_import.file_name,
                t.line,
            ]
            for t in rows
        ),
        widths=[10, 10, 40, 10, 10, 14, 40, 16, 8, 30, 10],
    )


def import_list_xlsx(imports) -> bytes:
    return list_workbook(
        "Importer",
        [
            "Inläst",
            "Av",
            "Fil",
            "Format",
            "Källa",
            "Perioder",
            "Rader i filen",
            "Sparade rader",
            "Andra objekt",
            "Ersatta rader",
            "Summa",
            "Kontrollsumma (SHA-256)",
        ],
        [DATETIME] + [None] * 9 + [KRONOR_ORE, None],
        (
            [
                i.uploaded_at,
                i.uploaded_by.username if i.uploaded_by else "systemet",
                i.file_name,
                i.file_format.upper(),
                str(i.source) if i.source else "",
                ", ".join(i.periods),
                i.rows_total,
                i.rows_kept,
                i.rows_ignored,
                i.rows_replaced,
                i.total_amount,
                i.checksum,
            ]
            for i in imports
        ),
        widths=[16, 14, 36, 8, 20, 30, 12, 12, 12, 12, 16, 66],
        totals=range(6, 11),
    )
