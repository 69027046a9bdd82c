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
    sheet.write_row(["Ekonomichefens granskning", info.get_attestation_display()], formats)
    if info.deviations:
        sheet.write_row(["Avvikelser och åtgärder", info.deviations], formats)
    return book.close()
