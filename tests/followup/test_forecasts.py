"""A forecast is never below what is spent (issue 22, point 2).

A hand ledger through June on the 2023 distribution; every expected figure is worked out here
by hand from the rows and the budgets (even spread: a budget of 24 000 000 is 2 000 000 a
month):

  24 mkr fördelas (budget 24 000 000, no forecast): outcome 6 × 2 500 000 = 15 000 000, plus
      July–December 6 × 2 000 000 = 12 000 000 → 27 000 000 (utfall + budgetprofil)
  Framtagande av gemensam plan (budget 0): outcome 1 800 000 → 1 800 000 (utfall), never 0
  Vidareutbildning (5 039 944 = 12 × 419 995 + 4; the 4 kr go to January–April):
      July–December 6 × 419 995 = 2 519 970 (no outcome)
  Karriärtjänster (1 259 986 = 12 × 104 998 + 10): July–October 104 999, November–December
      104 998 → 4 × 104 999 + 2 × 104 998 = 629 992
  Informationsutbyte (1 249 692 = 12 × 104 141): 6 × 104 141 = 624 846
  Utveckling av ambulanssjukvården: entered 1 000 000 (no outcome) → 1 000 000 (angiven)
  Other activities: budget 0, no outcome → 0
  Unlinked costs on 9917: 500 000 → 500 000 (utfall)
  Total: 27 000 000 + 1 800 000 + 2 519 970 + 629 992 + 624 846 + 1 000 000 + 500 000
       = 34 074 808; costs 15 000 000 + 1 800 000 + 500 000 = 17 300 000.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from common.money import format_amount
from dashboard.reads.figures import build_dashboard
from distribution.models import Activity
from followup.actions import ForecastError, do_import_ledger_file, do_set_forecast
from followup.calculations import forecast_for
from followup.periods import PERIODS
from followup.reads import build_followup

from .conftest import HEADER

D = Decimal
BIG = "24 mkr fördelas"
PLAN = "Framtagande av gemensam plan"
AMBULANCE = "Utveckling av ambulanssjukvården"
TOTAL_FORECAST = D(34_074_808)
COSTS = D(17_300_000)


def _import(rows, name="hand.csv"):
    from followup.models import LedgerSource

    source = LedgerSource.objects.first()
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    return do_import_ledger_file(SimpleUploadedFile(name, text.encode("cp1252")), source, None)


@pytest.fixture
def ledger(distribution2023, source, users):
    agreement = distribution2023
    Activity.objects.filter(area__agreement=agreement, name__startswith=BIG).update(
        ledger_code="NV1"
    )
    Activity.objects.filter(area__agreement=agreement, name__startswith=PLAN).update(
        ledger_code="GP"
    )
    rows = [
        f"V{m};2023-{m:02d}-10;5410;1;9916;NV1;Vårdenheter;2023{m:02d};2 500 000,00"
        for m in range(1, 7)
    ]
    rows += [
        "V20;2023-03-15;5410;1;9916;GP;Gemensam plan;202303;1 000 000,00",
        "V21;2023-05-15;6550;1;9916;GP;Gemensam plan;202305;850 000,00",
        "V22;2023-06-15;6550;1;9916;GP;Kreditnota;202306;50 000,00-",
        "V23;2023-06-20;3190;1;9916;;Statsbidrag;202306;-20 000 000,00",
        "V24;2023-04-02;5410;1;9917;;Ej kopplat;202304;500 000,00",
    ]
    _import(rows)
    do_set_forecast(
        Activity.objects.get(area__agreement=agreement, name=AMBULANCE),
        D(1_000_000),
        acting_user=users["finance"],
    )
    return agreement


def _header(sheet, first):
    return next([c.value for c in row] for row in sheet.iter_rows() if row[0].value == first)


def _line(report, name):
    for area in report.areas:
        for block in area.objects:
            for line in block.lines:
                if line.kind == "activity" and line.label.startswith(name):
                    return line
        for line in area.other_lines:
            if line.label.startswith(name):
                return line
    raise AssertionError(name)


def test_without_an_entered_forecast_it_is_the_outcome_plus_the_remaining_profile(ledger):
    report = build_followup(ledger, PERIODS["ar"])
    big = _line(report, BIG)
    assert (big.followup.forecast, big.forecast_basis) == (D(27_000_000), "profile")
    plan = _line(report, PLAN)
    assert (plan.followup.forecast, plan.forecast_basis) == (D(1_800_000), "outcome")
    ambulance = _line(report, AMBULANCE)
    assert (ambulance.followup.forecast, ambulance.forecast_basis) == (D(1_000_000), "entered")
    assert report.unused.costs == COSTS
    assert report.total.followup.forecast == TOTAL_FORECAST
    for area in report.areas:
        for block in area.objects:
            for line in block.lines:
                assert line.followup.forecast >= sum(line.by_month.values(), D(0)), line.label


def test_the_page_the_dashboard_and_the_workbook_show_the_same_forecast_and_its_basis(
    ledger, client_for, recalculate
):
    html = client_for("finance").get(reverse("followup:overview", args=[ledger.pk])).content
    html = html.decode()
    assert f"Prognos för året: {format_amount(TOTAL_FORECAST)}" in html
    assert (
        f'{format_amount(D(1_800_000))} <span class="muted forecast-basis">(utfall)</span>' in html
    )
    basis = '<span class="muted forecast-basis">(utfall + budgetprofil)</span>'
    assert f"{format_amount(D(27_000_000))} {basis}" in html
    assert "(budget)" not in html
    dashboard = build_dashboard(2023, datetime.date(2024, 2, 1))
    assert dashboard.forecast == TOTAL_FORECAST
    assert (
        dashboard.forecast_basis_text == build_followup(ledger, PERIODS["ar"]).forecast_basis_text
    )
    page = client_for("manager").get(reverse("dashboard:overview") + "?ar=2023").content.decode()
    assert "1 angiven" in page and "utfall + budgetprofil" in page
    content = client_for("finance").get(reverse("followup:workbook", args=[ledger.pk])).content
    book = recalculate(content)
    # LibreOffice's results are the app's: every cell the same as the values it wrote.
    written = load_workbook(io.BytesIO(content), data_only=True)
    for name in written.sheetnames:
        for mine, theirs in zip(
            written[name].iter_rows(values_only=True),
            book[name].iter_rows(values_only=True),
            strict=True,
        ):
            for a, b in zip(mine, theirs, strict=True):
                if isinstance(a, int | float) and isinstance(b, int | float):
                    assert abs(D(str(a)) - D(str(b))) < D("0.005"), (name, mine)
                else:
                    assert (a or None) == (b or None), (name, mine)
    sheet = book["Sammanställning"]
    header = _header(sheet, "Utvecklingsområde")
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    prognos = header.index("Prognos")
    assert D(str(rows["Totalt"][prognos].value)) == TOTAL_FORECAST
    # Ofördelat money is its own line: its outcome (the plan's 1 800 000) is no deviation.
    near = next(name for name in rows if str(name).startswith("Utvecklingen av den nära"))
    unallocated = rows[f"Ofördelat: {near}"]
    assert D(str(unallocated[header.index("Utfall t.o.m. perioden")].value)) == D(1_800_000)
    assert unallocated[header.index("Avvikelse (utfall − budget)")].value in (None, "")
    assert "utfall" in unallocated[header.index("Prognosens grund")].value
    deviation = D(str(rows[near][header.index("Avvikelse (utfall − budget)")].value))
    # The year's workbook: the 24 mkr's outcome against its whole budget; the plan's 1 800 000
    # (no budget of its own) is not in it.
    assert deviation == D(15_000_000) - D(24_000_000)
    object_sheet = book[next(n for n in book.sheetnames if n.startswith("9916"))]
    labels = {row[0].value: row for row in object_sheet.iter_rows() if row[0].value}
    object_header = _header(object_sheet, "Aktivitet")
    basis = object_header.index("Prognosens grund")
    assert labels[next(k for k in labels if str(k).startswith(BIG))][basis].value == (
        "utfall + budgetprofil"
    )


def test_an_entered_forecast_below_the_outcome_is_refused_in_swedish(ledger, client_for, users):
    big = Activity.objects.get(area__agreement=ledger, name__startswith=BIG)
    with pytest.raises(ForecastError) as refused:
        do_set_forecast(big, D(14_999_999), acting_user=users["finance"])
    message = str(refused.value)
    assert big.name in message and format_amount(D(15_000_000)) in message
    response = client_for("finance").post(
        reverse("followup:forecast", args=[big.pk]),
        {"forecast": "14 000 000", "version": big.version},
    )
    assert response.status_code == 400
    assert format_amount(D(15_000_000)) in response.content.decode()
    big.refresh_from_db()
    assert big.forecast is None
    do_set_forecast(big, D(15_000_000), acting_user=users["finance"])  # the outcome itself


def test_an_entered_forecast_overtaken_by_later_outcome_counts_the_outcome(ledger, users):
    plan = Activity.objects.get(area__agreement=ledger, name__startswith=PLAN)
    do_set_forecast(plan, D(2_000_000), acting_user=users["finance"])
    line = _line(build_followup(ledger, PERIODS["ar"]), PLAN)
    assert (line.followup.forecast, line.forecast_basis) == (D(2_000_000), "entered")
    _import(["V30;2023-07-05;5410;1;9916;GP;Konsult;202307;300 000,00"], name="juli.csv")
    report = build_followup(ledger, PERIODS["ar"])
    line = _line(report, PLAN)
    assert (line.followup.forecast, line.forecast_basis) == (D(2_100_000), "outcome")
    # July is read: the 24 mkr's profile has August–December left, 5 × 2 000 000.
    assert _line(report, BIG).followup.forecast == D(15_000_000) + D(10_000_000)
    dashboard = build_dashboard(2023, datetime.date(2024, 2, 1))
    assert dashboard.forecast == report.total.followup.forecast


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


@given(
    entered=st.none() | amounts,
    outcome=amounts,
    budget=st.lists(st.integers(min_value=0, max_value=10**8), min_size=12, max_size=12),
    last_month=st.integers(min_value=0, max_value=12),
)
def test_the_rule_never_gives_less_than_the_outcome(entered, outcome, budget, last_month):
    forecast = forecast_for(entered, outcome, budget, last_month)
    assert forecast.amount >= outcome
    remaining = sum(budget[last_month:])
    if entered is not None and entered >= outcome:
        assert (forecast.amount, forecast.basis) == (entered, "entered")
    elif entered is None and remaining:
        assert (forecast.amount, forecast.basis) == (outcome + remaining, "profile")
    else:
        assert (forecast.amount, forecast.basis) == (outcome, "outcome")
