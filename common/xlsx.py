"""The one way the app writes XLSX: XlsxWriter in constant-memory mode, Swedish kronor formats.

Exports take computed rows and return bytes; views wrap them in a response and commands
write them to a file. Every cell goes through common.inert: text is written as a string,
never a formula or a link; the only formulas are our own (`Formula`).
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from xlsxwriter.utility import xl_col_to_name

from .inert import inert_cell

# Negative amounts with the minus sign U+2212, as everywhere the app shows a number.
KRONOR = '#,##0 "kr";"\u2212"#,##0 "kr"'
KRONOR_ORE = '#,##0.00 "kr";"\u2212"#,##0.00 "kr"'
TOTAL_LABEL = "Summa"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Formula:
    """A formula and the value it gives, stored as the cell's cached result so a reader
    that does not recalculate (LibreOffice by default) still shows the right number.
    `{r}` in the text becomes the cell's row number."""

    text: str
    value: object = None


class Sheet:
    """A worksheet written row by row, as constant-memory mode requires."""

    def __init__(self, book, worksheet):
        self.book = book
        self.ws = worksheet
        self.row = 0

    def title(self, text):
        self.cell(0, text, self.book.formats["title"])
        self.row += 2

    def cell(self, col, value, fmt=None):
        """Write one value of ours or of a user: numbers as numbers, text as a string."""
        cell = inert_cell(value)
        if cell.value is None:
            self.ws.write_blank(self.row, col, None, fmt)
        elif cell.is_text:
            if cell.risky:
                fmt = self.book.quoted(fmt)
            self.ws.write_string(self.row, col, cell.value, fmt)
        elif isinstance(cell.value, bool):
            self.ws.write_boolean(self.row, col, cell.value, fmt)
        elif isinstance(cell.value, int | float | Decimal):
            self.ws.write_number(self.row, col, _cell_number(cell.value), fmt)
        else:  # a date, or a moment in the region's local time (cells have no time zone)
            value = cell.value
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                value = timezone.make_naive(value)
            self.ws.write_datetime(self.row, col, value, fmt)

    def header(self, names, widths=None, freeze_columns=0):
        """Write the header row; freeze panes below it (and right of `freeze_columns`)."""
        for col, name in enumerate(names):
            self.cell(col, name, self.book.formats["header"])
        for col, width in enumerate(widths or []):
            self.ws.set_column(col, col, width)
        self.ws.freeze_panes(self.row + 1, freeze_columns)
        self.header_row = self.row
        self.columns = len(names)
        self.row += 1

    def write_row(self, values, formats=None, bold=False):
        """Write a row of values and Formulas; returns its spreadsheet row number."""
        excel_row = self.row + 1
        for col, value in enumerate(values):
            fmt = self.book.format_for(formats[col] if formats else None, bold)
            if isinstance(value, Formula):
                cached = _cell_number(value.value)
                self.ws.write_formula(
                    self.row,
                    col,
                    value.text.format(r=excel_row),
                    fmt,
                    0 if cached is None else cached,
                )
            else:
                self.cell(col, value, fmt)
        self.row += 1
        return excel_row

    def autofilter(self, last_data_row):
        self.ws.autofilter(self.header_row, 0, last_data_row - 1, self.columns - 1)


class Workbook:
    def __init__(self):
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(
            self.buffer,
            {
                "constant_memory": True,
                "in_memory": True,
                # Belt and braces: even a stray write() keeps text as text.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.formats = {
            "title": self.wb.add_format({"bold": True, "font_size": 14}),
            "header": self.wb.add_format(
                {
                    "bold": True,
                    "bg_color": "#E6ECF1",
                    "bottom": 2,
                    "text_wrap": True,
                    "valign": "top",
                }
            ),
        }
        self._cache = {}

    def format_for(self, number_format, bold=False):
        key = (number_format, bold)
        if key not in self._cache:
            props = {}
            if number_format:
                props["num_format"] = number_format
            if bold:
                props["bold"] = True
            self._cache[key] = self.wb.add_format(props) if props else None
        return self._cache[key]

    def quoted(self, fmt):
        """The same format with Excel's quote prefix: the cell stays text when edited."""
        key = ("quoted", id(fmt))
        if key not in self._cache:
            props = {"quote_prefix": True}
            if fmt is not None:
                for name in ("num_format", "bold", "font_size", "bg_color", "text_wrap"):
                    value = getattr(fmt, name, None)
                    if value:
                        props[name] = value
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def sheet(self, name) -> Sheet:
        # Sheet names: at most 31 characters, none of []:*?/\
        clean = "".join(c for c in name if c not in "[]:*?/\\")[:31]
        return Sheet(self, self.wb.add_worksheet(clean))

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


def list_workbook(name, header, formats, rows, *, widths=None, totals=None) -> bytes:
    """A list as one sheet: header, the rows, and a total row over the columns in `totals`
    (by default those that hold kronor) whose sums are SUBTOTAL formulas (so a filter in the
    spreadsheet narrows them too) carrying the values summed here. Rows may be an iterator;
    they are written as they come.
    """
    book = Workbook()
    sheet = book.sheet(name)
    sheet.header(header, widths or [30] * len(header))
    summed = (
        [i for i, f in enumerate(formats) if f in (KRONOR, KRONOR_ORE)]
        if totals is None
        else list(totals)
    )
    sums = {i: Decimal("0") for i in summed}
    first = sheet.row + 1
    for row in rows:
        sheet.write_row(row, formats)
        for i in summed:
            sums[i] += Decimal(row[i] or 0)
    last = sheet.row
    sheet.autofilter(max(last, first))
    if summed:
        total_row = [None] * len(header)
        total_row[0] = TOTAL_LABEL
        for i in summed:
            total_row[i] = (
                Formula(f"=SUBTOTAL(109,{col(i)}{first}:{col(i)}{last})", sums[i])
                if last >= first
                else sums[i]
            )
        sheet.write_row(total_row, formats, bold=True)
    return book.close()


def col(index: int) -> str:
    return xl_col_to_name(index)


def _cell_number(value):
    """Decimals as whole numbers when they are, else as float for the spreadsheet cell."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
