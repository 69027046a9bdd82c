"""Costs, income, unused and repayable money: the same on the follow-up page, the dashboard,
the reconciliation workbook (recalculated in LibreOffice) and the financial report (PDF read
with pypdf, XLSX recalculated), on the demo ledger and on a hand-made ledger file with income
rows, a credit note, rows that are not outcome, and a ring-fenced pot partly used while the
rest of the agreement is overspent."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.money import format_amount
from dashboard.reads.figures import build_dashboard
from distribution.models import Activity
from followup.actions import do_import_ledger_file, do_set_forecast
from followup.demo import DEMO_MAPPING, load_demo_ledger
from followup.models import LedgerSource
from followup.periods import PERIODS
from followup.reads import activity_outcome, build_followup
from reporting.actions import do_generate_document
from reporting.models import DocumentKind
from reporting.reads.documents import document_context

from .test_documents import kr, pdf_text

D = Decimal
AMBULANCE = "Utveckling av ambulanssjukvården"
HEADER = "Verifikation;Bokföringsdatum;Konto;Ansvar;Objekt;Aktivitet;Text;Period;Belopp"

# Hand-computed figures of HAND_ROWS (see the file below):
#   costs   = 70 000 000 + 4 759 594 + 1 259 986 + 1 500 000 + 1 000 000 − 12 500 + 2 000
#           = 78 509 080 (the class 3, class 8 and class 2 rows are not costs)
#   income  = 74 172 998 + 1 249 692 = 75 422 690, the decided amount: difference 0
#   unused  = 75 422 690 − 78 509 080 = −3 086 390 (overspent as a whole)
#   pots    : Vidareutbildning 5 039 944 − 4 759 594 = 280 350 unused;
#             Karriärtjänster 1 259 986 − 1 259 986 = 0
#   rest    : received 75 422 690 − 6 299 930 = 69 122 760, costs 78 509 080 − 6 019 580
#             = 72 489 500: overspent, so 0
#   repay   = 280 350 + 0 = 280 350
HAND = {
    "costs": D(78_509_080),
    "income": D(75_422_690),
    "unused": D(-3_086_390),
    "repayable": D(280_350),
    "pot_unused": D(280_350),
}
HAND_ROWS = [
    "V1;2023-03-10;5410;1234;9916;NV1;Ersättning vårdenheter;202303;70 000 000,00",
    "V2;2023-04-10;4690;2000;9917;VU;Vidareutbildning;202304;4 759 594,00",
    "V3;2023-04-11;5010;2000;9917;KT;Karriärtjänster;202304;1 259 986,00",
    "V4;2023-05-02;7010;3000;9942;EH;Informationsutbyte;202305;1 500 000,00",
    "V5;2023-05-03;5410;4000;9943;AMB;Ambulans;202305;1 000 000,00",
    "V6;2023-06-03;5410;4000;9943;AMB;Kreditfaktura;202306;12 500,00-",
    "V7;2023-06-04;;4000;9943;;Utan konto;202306;2 000,00",
    "V8;2023-06-20;3190;1100;9916;;Statsbidrag;202306;-74 172 998,00",
    "V9;2023-06-20;3190;1100;9942;;Statsbidrag;202306;-1 249 692,00",
    "V10;2023-07-01;8410;1100;9916;;Ränta;202307;1 000,00",
    "V11;2023-07-02;2440;1100;9917;;Leverantörsskuld;202307;5 000,00",
]
CODES = {
    "24 mkr fördelas": "NV1",
    "Vidareutbildning för sjuksköterskor": "VU",
    "Karriärtjänster för specialistsjuksköterskor": "KT",
    "Informationsutbyte enligt lagen": "EH",
    "Utveckling av ambulanssjukvården": "AMB",
}


def import_hand_ledger(agreement):
    for prefix, code in CODES.items():
        Activity.objects.filter(area__agreement=agreement, name__startswith=prefix).update(
            ledger_code=code
        )
    source = LedgerSource.objects.create(name="Hand", mapping=DEMO_MAPPING)
    text = "\r\n".join([HEADER, *HAND_ROWS]) + "\r\n"
    do_import_ledger_file(SimpleUploadedFile("hand.csv", text.encode("cp1252")), source, None)


@pytest.fixture(params=["hand", "demo"])
def ledger(request, distribution2023):
    if request.param == "hand":
        import_hand_ledger(distribution2023)
    else:
        load_demo_ledger(distribution2023)
    return request.param, distribution2023


def _html_amount(html, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return match.group(1)


def _line_named(report, name):
    return next(
        line
        for area in report.areas
        for block in area.objects
        for line in block.lines
        if line.label == name
    )


def _cell(value) -> Decimal:
    return D(str(value)).quantize(D("0.01"))


def test_every_surface_shows_the_same_money(ledger, client_for, recalculate, users):
    kind, agreement = ledger
    ambulance = Activity.objects.get(area__agreement=agreement, name=AMBULANCE)
    # Not below its outcome (987 500 in the hand ledger: 1 000 000), else refused.
    entered = activity_outcome(ambulance) + D(12_500)
    do_set_forecast(ambulance, entered, acting_user=users["finance"])
    report = build_followup(agreement, PERIODS["ar"])
    # Forecasts (the rule's own figures are tests/followup/test_forecasts.py): the entered one
    # as entered, and never below what is spent, here or in any line.
    forecast = report.total.followup.forecast
    assert forecast >= report.unused.costs
    assert _line_named(report, AMBULANCE).followup.forecast == entered
    assert (report.forecast_count, report.activity_count) == (1, 19)
    money = report.unused
    if kind == "hand":
        assert money.costs == HAND["costs"]
        assert money.income == HAND["income"]
        assert money.unused == HAND["unused"]
        assert money.repayable == HAND["repayable"]
        vidare = next(p for p in money.pots if p.name.startswith("Vidareutbildning"))
        assert vidare.unused == HAND["pot_unused"]
        assert money.income_difference == 0
        assert report.no_account_count == 1 and report.no_account_amount == D(2000)
        assert {(r.cost_object.number, r.kind, r.amount) for r in report.other_rows} == {
            ("9916", "finansiell", D(1000)),
            ("9917", "balans", D(5000)),
        }
        # 9943's table adds up: its activity plus the row without account and activity.
        ambulance = next(
            b for a in report.areas for b in a.objects if b.cost_object.number == "9943"
        )
        assert [(line.label, line.followup.outcome_to_date) for line in ambulance.lines] == [
            ("Utveckling av ambulanssjukvården", D(987_500)),
            ("Ej kopplat till aktivitet", D(2000)),
        ]
    else:
        # The demo books the decided grant as income and has a credit note.
        assert money.income == money.received == D(75_422_690)
        assert money.income_difference == 0
        # Costs follow the distributed budgets within 3 %, plus the demo ledger's three named
        # deviations (−1 200 000, +360 000 and +350 000 kr, see its README line).
        distributed = sum(a.amount for a in Activity.objects.filter(area__agreement=agreement))
        expected = distributed - D(1_200_000) + D(360_000) + D(350_000)
        assert abs(money.costs - expected) <= D("0.03") * distributed
        assert money.costs < money.received
        assert money.repayable == money.unused  # nothing overspent in the demo
    expected = {
        "costs": money.costs,
        "income": money.income,
        "unused": money.unused,
        "repayable": money.repayable,
    }

    # The follow-up page.
    html = client_for("finance").get(reverse("followup:overview", args=[agreement.pk])).content
    html = html.decode()
    for key, amount in expected.items():
        assert _html_amount(html, key) == format_amount(amount), key
    assert _html_amount(html, "income-difference") == "0\u00a0kr"
    assert f"Prognos för året: {format_amount(forecast)} (1 av 19 aktiviteter" in html
    assert f"grund: {report.forecast_basis_text})" in html
    for pot in money.pots:
        assert f"Öronmärkt: {pot.name}" in html and format_amount(pot.unused) in html

    # The dashboard: its figures and its page.
    dashboard = build_dashboard(agreement.year, datetime.date(2024, 2, 1))
    assert (dashboard.forecast, dashboard.forecast_count) == (forecast, 1)
    assert (dashboard.outcome, dashboard.income, dashboard.unused, dashboard.repayable) == (
        expected["costs"],
        expected["income"],
        expected["unused"],
        expected["repayable"],
    )
    html = client_for("manager").get(reverse("dashboard:overview") + "?ar=2023").content.decode()
    for element_id, key in [
        ("outcome", "costs"),
        ("income", "income"),
        ("unused", "unused"),
        ("repayable", "repayable"),
    ]:
        assert _html_amount(html, element_id) == format_amount(expected[key]), element_id
    assert _html_amount(html, "forecast").strip() == format_amount(forecast)
    assert "(1 av 19 aktiviteter har en inlagd prognos" in html

    # The reconciliation workbook, recalculated by LibreOffice.
    content = client_for("finance").get(reverse("followup:workbook", args=[agreement.pk])).content
    sheet = recalculate(content)["Sammanställning"]
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert _cell(rows["Totalt"][6].value) == forecast  # the Prognos column, summed
    for block in report.areas:
        # The area's distributed budget and its ofördelat line add up to the area's forecast.
        unallocated = rows.get(f"Ofördelat: {block.area.name}")
        area_forecast = _cell(rows[block.area.name][6].value)
        if unallocated is not None:
            area_forecast += _cell(unallocated[6].value)
        assert area_forecast == block.total.followup.forecast
    whole = rows["Hela året: mottaget − kostnader"]
    assert _cell(whole[5].value) == expected["costs"]
    assert _cell(whole[8].value) == expected["unused"]
    assert _cell(rows["Att återbetala senast 31 mars"][8].value) == expected["repayable"]
    income_row = next(r for label, r in rows.items() if label.startswith("Bokfört statsbidrag"))
    assert _cell(income_row[5].value) == expected["income"]
    assert _cell(income_row[8].value) == 0
    for pot in money.pots:
        assert _cell(rows[f"Öronmärkt: {pot.name}"][8].value) == pot.unused

    # The financial report: its figures, the PDF as read by pypdf, the XLSX recalculated.
    context = document_context(DocumentKind.FINANCIAL_REPORT, agreement=agreement)
    assert (context["costs"], context["income"], context["unused"], context["repayable"]) == (
        expected["costs"],
        expected["income"],
        expected["unused"],
        expected["repayable"],
    )
    text = pdf_text(
        bytes(
            do_generate_document(DocumentKind.FINANCIAL_REPORT, "pdf", agreement=agreement).content
        )
    )
    assert f"Summa kostnader {kr(expected['costs'])}" in text
    assert f"Medel som inte har förbrukats (bidrag − kostnader) {kr(expected['unused'])}" in text
    assert f"Att återbetala {kr(expected['repayable'])}" in text
    assert f"bokfört statsbidrag (intäkter på objekten) {kr(expected['income'])}" in text
    for pot in money.pots:
        assert f"Öronmärkt: {pot.name} {kr(pot.amount)} {kr(pot.costs)} {kr(pot.unused)}" in text
    workbook = recalculate(
        bytes(
            do_generate_document(DocumentKind.FINANCIAL_REPORT, "xlsx", agreement=agreement).content
        )
    )["Ekonomisk redovisning"]
    values = {row[0].value: row[1].value for row in workbook.iter_rows(min_row=4) if row[0].value}
    assert _cell(values["Summa kostnader"]) == expected["costs"]
    assert _cell(values["Medel som inte har förbrukats (bidrag − kostnader)"]) == expected["unused"]
    assert _cell(values["Att återbetala senast 31 mars"]) == expected["repayable"]
    assert _cell(values["Bokfört statsbidrag (intäkter på objekten)"]) == expected["income"]
    assert _cell(values["Skillnad: bokfört − erhållet bidrag"]) == 0
    for pot in money.pots:
        assert _cell(values[f"Öronmärkt: {pot.name}, ej förbrukat"]) == pot.unused


def test_activity_report_tables_add_up_to_the_area_outcome(distribution2023):
    import_hand_ledger(distribution2023)
    context = document_context(DocumentKind.ACTIVITY_REPORT, agreement=distribution2023)
    ambulance = next(a for a in context["areas"] if a["area"].name.startswith("Förstärkning"))
    assert ambulance["unlinked"] == [("Ej kopplat till aktivitet (objekt 9943)", D(2000))]
    listed = sum((spent for _, spent, _ in ambulance["activities"]), D(0)) + sum(
        (spent for _, spent in ambulance["unlinked"]), D(0)
    )
    assert listed == ambulance["spent"] == D(989_500)
    for area in context["areas"]:
        assert (
            sum((spent for _, spent, _ in area["activities"]), D(0))
            + sum((spent for _, spent in area["unlinked"]), D(0))
            == area["spent"]
        ), area["area"].name
    text = pdf_text(
        bytes(
            do_generate_document(
                DocumentKind.ACTIVITY_REPORT, "pdf", agreement=distribution2023
            ).content
        )
    )
    assert f"Ej kopplat till aktivitet (objekt 9943) – {kr(D(2000))}" in text
    assert f"Summa {kr(ambulance['budget'])} {kr(D(989_500))}" in text


def test_the_dashboards_outcome_links_to_the_cost_rows(client_for, distribution2023):
    import_hand_ledger(distribution2023)
    client = client_for("manager")
    html = client.get(reverse("dashboard:overview") + "?ar=2023").content.decode()
    link = re.search(r'href="([^"]*)" id="outcome"', html).group(1).replace("&amp;", "&")
    assert "kind=kostnad" in link
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(link + "&format=xlsx").content))["Transaktioner"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # The last row is the list's total (a SUBTOTAL formula); the rows above it are the data.
    assert str(rows[-1][7]).startswith("=SUBTOTAL(")
    amounts = [D(str(r[7])) for r in rows[:-1] if r[7] is not None]
    assert len(amounts) == 7  # V1–V7: the credit note and the row without account included
    assert sum(amounts, D(0)) == HAND["costs"]
    income = client.get(
        reverse("dashboard:transactions") + "?year=2023&kind=intakt&format=xlsx"
    ).content
    rows = list(
        load_workbook(io.BytesIO(income))["Transaktioner"].iter_rows(min_row=2, values_only=True)
    )
    assert -sum((D(str(r[7])) for r in rows[:-1]), D(0)) == HAND["income"]  # less the total
