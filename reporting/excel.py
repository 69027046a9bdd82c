"""The financial report as a workbook, for finance staff who work in Excel."""

from common.xlsx import KRONOR_ORE, Formula, Workbook


def financial_report_xlsx(context) -> bytes:
    agreement, profile, info = context["agreement"], context["profile"], context["info"]
    book = Workbook()
    sheet = book.sheet("Ekonomisk redovisning")
    sheet.title(f"Ekonomisk redovisning – {agreement}")
    sheet.header(["Uppgift", "Värde"], [62, 26])
    formats = [None, None]
    for label, value in [
        ("Bidragsmottagare", profile.name),
        ("Organisationsnummer", profile.org_number),
        ("Kontaktperson", profile.contact_person),
        ("Regeringskansliets diarienummer för överenskommelsen", agreement.government_case_number),
        (
            "Regeringskansliets diarienummer för utbetalningsbeslut",
            agreement.payment_decision_case_number,
        ),
        ("Överenskommelsens benämning", agreement.name),
        ("Period", f"{context['period_start']} – {context['period_end']}"),
    ]:
        sheet.write_row([label, value or "–"], formats)
    money = [None, KRONOR_ORE]
    sheet.write_row(["Summa bidrag enligt överenskommelsen", context["decided_total"]], money)
    paid_row = sheet.write_row(
        ["Bidrag som erhållits av regeringen/Regeringskansliet", context["paid"]], money
    )
    first = sheet.row + 1
    for item in context["items"]:
        sheet.write_row([f"Kostnader: {item.label}", item.amount], money)
    last = sheet.row
    costs_row = sheet.write_row(
        [
            "Summa kostnader",
            Formula(f"=SUM(B{first}:B{last})" if context["items"] else "=0", context["costs"]),
        ],
        money,
        bold=True,
    )
    sheet.write_row(
        [
            "Medel som inte har förbrukats (bidrag − kostnader)",
            Formula(f"=B{paid_row}-B{costs_row}", context["unused"]),
        ],
        money,
        bold=True,
    )
    # Each ring-fenced pot on its own lines and the rest, neither below zero; their sum is
    # what is repaid, even when the rest is overspent.
    money_left = context["money"]
    unused_rows = []
    covered_rows = []
    for pot in money_left.pots:
        amount_row = sheet.write_row([f"Öronmärkt: {pot.name}, bidrag", pot.amount], money)
        costs_row_pot = sheet.write_row([f"Öronmärkt: {pot.name}, kostnader", pot.costs], money)
        covered_rows.append((amount_row, costs_row_pot))
        unused_rows.append(
            sheet.write_row(
                [
                    f"Öronmärkt: {pot.name}, ej förbrukat",
                    Formula(f"=MAX(0,B{amount_row}-B{costs_row_pot})", pot.unused),
                ],
                money,
            )
        )
    if money_left.pots:
        pots_sum = "+".join(f"B{a}" for a, _ in covered_rows)
        covered = "+".join(f"MIN(B{a},B{c})" for a, c in covered_rows)
        rest_received = sheet.write_row(
            [
                "Övriga medel, bidrag",
                Formula(f"=B{paid_row}-({pots_sum})", money_left.rest_received),
            ],
            money,
        )
        rest_costs = sheet.write_row(
            [
                "Övriga medel, kostnader",
                Formula(f"=B{costs_row}-({covered})", money_left.rest_costs),
            ],
            money,
        )
        unused_rows.append(
            sheet.write_row(
                [
                    "Övriga medel, ej förbrukat",
                    Formula(f"=MAX(0,B{rest_received}-B{rest_costs})", money_left.rest_unused),
                ],
                money,
            )
        )
        repay = "=" + "+".join(f"B{row}" for row in unused_rows)
    else:
        repay = f"=MAX(0,B{sheet.row})"
    sheet.write_row(
        ["Att återbetala senast 31 mars", Formula(repay, context["repayable"])], money, bold=True
    )
    income_row = sheet.write_row(
        ["Bokfört statsbidrag (intäkter på objekten)", context["income"]], money
    )
    sheet.write_row(
        [
            "Skillnad: bokfört − erhållet bidrag",
            Formula(f"=B{income_row}-B{paid_row}", money_left.income_difference),
        ],
        money,
    )
    sheet.write_row(["Ekonomichefens granskning", info.get_attestation_display()], formats)
    if info.deviations:
        sheet.write_row(["Avvikelser och åtgärder", info.deviations], formats)
    return book.close()
