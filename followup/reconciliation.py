"""The reconciliation workbook of an agreement and period: a summary, one sheet per cost
object with monthly budget, outcome and deviation per activity, and the transactions.
Totals and deviations are formulas (with their values cached), so the workbook recalculates
to the app's numbers in any spreadsheet."""

from decimal import Decimal

from common.xlsx import KRONOR, KRONOR_ORE, Formula, Workbook, col

ZERO = Decimal("0")
SUMMARY_HEADER = [
    "Utvecklingsområde",
    "Objekt",
    "Beslutat",
    "Fördelat (årsbudget)",
    "Budget t.o.m. perioden",
    "Utfall t.o.m. perioden",
    "Prognos",
    "Avvikelse (utfall − budget)",
    "Kvar av beslutat",
]
TRANSACTION_HEADER = [
    "Överenskommelse",
    "Utvecklingsområde",
    "Objekt",
    "Aktivitet",
    "Period",
    "Datum",
    "Konto",
    "Ansvar",
    "Verifikation",
    "Text",
    "Belopp",
]
SUMMARY_FORMATS = [
    None,
    None,
    KRONOR,
    KRONOR,
    KRONOR,
    KRONOR_ORE,
    KRONOR_ORE,
    KRONOR_ORE,
    KRONOR_ORE,
]


def _sum_formula(column: int, first: int, last: int, values) -> Formula:
    letter = col(column)
    return Formula(f"=SUM({letter}{first}:{letter}{last})", sum((v or ZERO for v in values), ZERO))


def reconciliation_xlsx(report, transactions) -> bytes:
    """`report` is a followup.followup_table.FollowUpReport; `transactions` an iterable of
    LedgerTransaction with cost_object, its area and activity loaded, in period order."""
    book = Workbook()
    months = list(range(1, report.period.last_month + 1))
    _summary_sheet(book, report)
    for block in report.areas:
        for object_block in block.objects:
            _object_sheet(book, object_block, months)
    _transactions_sheet(book, report.agreement, transactions)
    return book.close()


def _summary_sheet(book, report):
    agreement = report.agreement
    sheet = book.sheet("Sammanställning")
    sheet.title(f"{agreement} – avstämning {report.period.label}, {agreement.year}")
    sheet.header(SUMMARY_HEADER, [44, 22, 16, 18, 18, 18, 16, 18, 16])
    first = sheet.row + 1
    rows = []
    for block in report.areas:
        f = block.total.followup
        budget_to_date = Decimal(sum(block.total.budget_by_month[: report.period.last_month]))
        values = [
            block.decided,
            f.budget,
            budget_to_date,
            f.outcome_to_date,
            f.forecast,
            f.outcome_to_date - budget_to_date,
            block.decided - f.outcome_to_date,
        ]
        rows.append(values)
        sheet.write_row(
            [block.area.name, ", ".join(o.cost_object.number for o in block.objects) or "–"]
            + values[:5]
            + [Formula("=F{r}-E{r}", values[5]), Formula("=C{r}-F{r}", values[6])],
            SUMMARY_FORMATS,
        )
    last = sheet.row
    sheet.autofilter(last)
    sheet.write_row(
        ["Totalt", None]
        + [_sum_formula(2 + i, first, last, [r[i] for r in rows]) for i in range(7)],
        SUMMARY_FORMATS,
        bold=True,
    )
    sheet.row += 1
    # Unused money (received minus the year's outcome) and the ring-fenced parts, in the
    # same columns: Beslutat (C), Utfall (F) and Kvar (I).
    unused = report.unused
    sheet.write_row(
        ["Hela året: ej förbrukat, återbetalas om det inte används", None, unused.received]
        + [None, None, unused.outcome, None, None, Formula("=C{r}-F{r}", unused.unused)],
        SUMMARY_FORMATS,
        bold=True,
    )
    for name, pot, spent in unused.ring_fenced:
        sheet.write_row(
            [f"Öronmärkt: {name}", None, pot, None, None, spent]
            + [None, None, Formula("=C{r}-F{r}", pot - spent)],
            SUMMARY_FORMATS,
        )


def _object_sheet(book, block, months):
    sheet = book.sheet(f"{block.cost_object.number} {block.cost_object.name}")
    header = ["Aktivitet"]
    for month in months:
        header += [f"Budget {month:02d}", f"Utfall {month:02d}", f"Avvikelse {month:02d}"]
    header += ["Budget summa", "Utfall summa", "Avvikelse summa"]
    width = 3 * len(months) + 3
    sheet.header(header, [44] + [13] * width)
    formats = [None] + [KRONOR_ORE] * width
    first = sheet.row + 1
    grid = []
    for line in block.lines:
        numbers = []
        for month in months:
            budget = Decimal(line.budget_by_month[month - 1])
            outcome = line.by_month.get(month, ZERO)
            numbers += [budget, outcome, outcome - budget]
        budget_total = sum(numbers[0::3], ZERO)
        outcome_total = sum(numbers[1::3], ZERO)
        numbers += [budget_total, outcome_total, outcome_total - budget_total]
        grid.append(numbers)
        cells = []
        for index in range(len(months)):
            budget_col, outcome_col = col(1 + 3 * index), col(2 + 3 * index)
            cells += [
                numbers[3 * index],
                numbers[3 * index + 1],
                Formula(f"={outcome_col}{{r}}-{budget_col}{{r}}", numbers[3 * index + 2]),
            ]
        budget_cols = "+".join(f"{col(1 + 3 * i)}{{r}}" for i in range(len(months)))
        outcome_cols = "+".join(f"{col(2 + 3 * i)}{{r}}" for i in range(len(months)))
        total_budget_col, total_outcome_col = col(1 + 3 * len(months)), col(2 + 3 * len(months))
        cells += [
            Formula(f"={budget_cols}", budget_total),
            Formula(f"={outcome_cols}", outcome_total),
            Formula(f"={total_outcome_col}{{r}}-{total_budget_col}{{r}}", numbers[-1]),
        ]
        sheet.write_row([line.label] + cells, formats)
    last = sheet.row
    if grid:
        sheet.autofilter(last)
    sheet.write_row(
        ["Summa"]
        + [_sum_formula(c + 1, first, last, [row[c] for row in grid]) for c in range(width)],
        formats,
        bold=True,
    )


def _transactions_sheet(book, agreement, transactions):
    sheet = book.sheet("Transaktioner")
    sheet.header(TRANSACTION_HEADER, [26, 40, 10, 40, 9, 11, 8, 9, 13, 40, 16])
    first = sheet.row + 1
    formats = [None] * 10 + [KRONOR_ORE]
    total = ZERO
    name = str(agreement)
    for t in transactions:
        total += t.amount
        sheet.write_row(
            [
                name,
                t.cost_object.area.name,
                t.cost_object.number,
                t.activity.name if t.activity else "Ej kopplat",
                f"{t.year}-{t.month:02d}",
                t.date.isoformat() if t.date else "",
                t.account,
                t.responsibility,
                t.voucher,
                t.text,
                t.amount,
            ],
            formats,
        )
    last = sheet.row
    sheet.autofilter(max(last, first))
    sheet.write_row(
        ["Summa"] + [None] * 9 + [Formula(f"=SUM(K{first}:K{last})", total)], formats, bold=True
    )
