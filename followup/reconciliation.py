"""The reconciliation workbook of an agreement and period: a summary, one sheet per cost
object with monthly budget, outcome and deviation per activity, and the transactions.
Totals and deviations are formulas (with their values cached), so the workbook recalculates
to the app's numbers in any spreadsheet."""

from decimal import Decimal

from common.money import format_amount
from common.xlsx import KRONOR, KRONOR_ORE, Formula, Workbook, col

from .accounts import Kind
from .calculations import BASIS_OUTCOME
from .reads import basis_text

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
    "Prognosens grund",
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
    "Slag",
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
    None,
]


def _sum_formula(column: int, first: int, last: int, values) -> Formula:
    letter = col(column)
    return Formula(f"=SUM({letter}{first}:{letter}{last})", sum((v or ZERO for v in values), ZERO))


def _sum(values) -> Decimal:
    return sum((v or ZERO for v in values), ZERO)


def _split_lines(block):
    """The area's lines on its distributed budget, and those on no budget (ofördelat)."""
    lines = [line for o in block.objects for line in o.lines] + list(block.other_lines)
    own = [line for line in lines if line.kind == "activity" and line.followup.budget]
    spent = [
        line
        for line in lines
        if line not in own and (line.kind != "activity" or line.followup.outcome_to_date)
    ]
    return own, spent


def _basis(lines) -> str:
    counts: dict[str, int] = {}
    for line in lines:
        basis = line.forecast_basis or BASIS_OUTCOME
        counts[basis] = counts.get(basis, 0) + 1
    return basis_text(counts)


def reconciliation_xlsx(report, transactions) -> bytes:
    """`report` is a followup.reads.FollowUpReport; `transactions` an iterable of
    LedgerTransaction with cost_object, its area and activity loaded and `kind` annotated
    (LedgerTransaction.objects.with_kind()), in period order."""
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
    sheet.header(SUMMARY_HEADER, [44, 22, 16, 18, 18, 18, 16, 18, 16, 34])
    first = sheet.row + 1
    rows = []
    for block in report.areas:
        # Money decided but not distributed to activities (ofördelat) has no budget of its
        # own: what is spent from it (activities without a budget, rows on no activity) is
        # its own line, never a deviation from the distributed budget.
        own, unallocated = _split_lines(block)
        budget_to_date = Decimal(sum(block.total.budget_by_month[: report.period.last_month]))
        own_outcome = _sum(line.followup.outcome_to_date for line in own)
        other_outcome = _sum(line.followup.outcome_to_date for line in unallocated)
        values = [
            block.decided,
            block.total.followup.budget,
            budget_to_date,
            own_outcome,
            _sum(line.followup.forecast for line in own),
            own_outcome - budget_to_date,
            block.decided - own_outcome - other_outcome,
        ]
        rows.append(values)
        objects = ", ".join(o.cost_object.number for o in block.objects) or "–"
        left = "=C{r}-F{r}" + (f"-F{sheet.row + 2}" if unallocated else "")
        sheet.write_row(
            [block.area.name, objects]
            + values[:5]
            + [Formula("=F{r}-E{r}", values[5]), Formula(left, values[6]), _basis(own)],
            SUMMARY_FORMATS,
        )
        if unallocated:
            unallocated_money = block.decided - block.total.followup.budget
            other = [
                None,
                None,
                None,
                other_outcome,
                _sum(line.followup.forecast for line in unallocated),
                None,
                None,
            ]
            rows.append(other)
            sheet.write_row(
                [
                    f"Ofördelat: {block.area.name}",
                    "beslutat men inte fördelat på aktiviteter: "
                    + format_amount(unallocated_money),
                ]
                + other
                + [_basis(unallocated)],
                SUMMARY_FORMATS,
            )
    last = sheet.row
    sheet.autofilter(last)
    sheet.write_row(
        ["Totalt", None]
        + [_sum_formula(2 + i, first, last, [r[i] for r in rows]) for i in range(7)]
        + [report.forecast_basis_text],
        SUMMARY_FORMATS,
        bold=True,
    )
    sheet.row += 1
    # The year's money in the same columns: Beslutat/mottaget (C), Utfall = kostnader (F) and
    # Kvar (I). Each ring-fenced pot and the rest on their own lines, never netted: what is
    # left of a pot is repaid whatever the rest does, and neither part goes below zero.
    unused = report.unused
    sheet.write_row(
        ["Hela året: mottaget − kostnader", None, unused.received]
        + [None, None, unused.costs, None, None, Formula("=C{r}-F{r}", unused.unused)],
        SUMMARY_FORMATS,
        bold=True,
    )
    repay_rows = []
    for pot in unused.pots:
        repay_rows.append(
            sheet.write_row(
                [f"Öronmärkt: {pot.name}", None, pot.amount, None, None, pot.costs]
                + [None, None, Formula("=MAX(0,C{r}-F{r})", pot.unused)],
                SUMMARY_FORMATS,
            )
        )
    if unused.pots:
        repay_rows.append(
            sheet.write_row(
                ["Övriga medel (utom öronmärkta)", None, unused.rest_received, None, None]
                + [unused.rest_costs, None, None, Formula("=MAX(0,C{r}-F{r})", unused.rest_unused)],
                SUMMARY_FORMATS,
            )
        )
        repay_formula = "=" + "+".join(f"I{row}" for row in repay_rows)
    else:
        repay_formula = f"=MAX(0,I{sheet.row})"
    sheet.write_row(
        ["Att återbetala senast 31 mars", None, None, None, None, None, None, None]
        + [Formula(repay_formula, unused.repayable)],
        SUMMARY_FORMATS,
        bold=True,
    )
    sheet.write_row(
        ["Bokfört statsbidrag: intäkter på objekten (F) mot beslutat (C), skillnad (I)", None]
        + [unused.received, None, None, unused.income, None, None]
        + [Formula("=F{r}-C{r}", unused.income_difference)],
        SUMMARY_FORMATS,
    )


def _object_sheet(book, block, months):
    sheet = book.sheet(f"{block.cost_object.number} {block.cost_object.name}")
    header = ["Aktivitet"]
    for month in months:
        header += [f"Budget {month:02d}", f"Utfall {month:02d}", f"Avvikelse {month:02d}"]
    header += ["Budget summa", "Utfall summa", "Avvikelse summa", "Prognos", "Prognosens grund"]
    width = 3 * len(months) + 3
    sheet.header(header, [44] + [13] * (width + 1) + [24])
    formats = [None] + [KRONOR_ORE] * (width + 1) + [None]
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
            line.followup.forecast,
            line.forecast_basis_label,
        ]
        sheet.write_row([line.label] + cells, formats)
    last = sheet.row
    if grid:
        sheet.autofilter(last)
    sheet.write_row(
        ["Summa"]
        + [_sum_formula(c + 1, first, last, [row[c] for row in grid]) for c in range(width)]
        + [_sum_formula(width + 1, first, last, [line.followup.forecast for line in block.lines])],
        formats,
        bold=True,
    )


def _transactions_sheet(book, agreement, transactions):
    """Every row on the objects, with its kind by the chart of accounts (`t.kind`, from
    LedgerTransaction.objects.with_kind()), and the sums per kind as SUMIF formulas."""
    sheet = book.sheet("Transaktioner")
    sheet.header(TRANSACTION_HEADER, [26, 40, 10, 40, 9, 11, 8, 9, 13, 40, 16, 14])
    first = sheet.row + 1
    formats = [None] * 10 + [KRONOR_ORE, None]
    total = ZERO
    by_kind = {}
    name = str(agreement)
    for t in transactions:
        total += t.amount
        label = Kind(t.kind).label
        by_kind[label] = by_kind.get(label, ZERO) + t.amount
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
                label,
            ],
            formats,
        )
    last = max(sheet.row, first)
    sheet.autofilter(last)
    sheet.write_row(
        ["Summa"] + [None] * 9 + [Formula(f"=SUM(K{first}:K{last})", total), None],
        formats,
        bold=True,
    )
    for kind in Kind:
        sheet.write_row(
            [f"varav {kind.label.lower()}"]
            + [None] * 9
            + [
                Formula(
                    f'=SUMIF(L{first}:L{last},"{kind.label}",K{first}:K{last})',
                    by_kind.get(kind.label, ZERO),
                ),
                kind.label,
            ],
            formats,
        )
