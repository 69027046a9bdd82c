"""The demo ledger follows the demo's budgets, with a few deliberate, named deviations (issue 22
point 7): a newcomer's first dashboard shows those and nothing else as deviations."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db.models import Sum

from dashboard.reads.figures import build_dashboard
from distribution.models import Activity
from followup.demo import CREDIT_NOTE, demo_ledger_csv, load_demo_ledger
from followup.models import LedgerTransaction

pytestmark = pytest.mark.both_databases  # the writer is COPY on PostgreSQL

D = Decimal
# Independent of the generator's constants: what the README's line for load_demo_ledger says.
NAMED = {
    "Vidareutbildning för sjuksköterskor": D("-1200000"),
    "Utveckling av ambulanssjukvården": D("360000"),
    "Framtagande av gemensam plan för primärvård": D("350000"),
}
BOUND = D("0.03")  # every other activity's outcome within 3 % of its budget


def named(activity):
    return next((kr for prefix, kr in NAMED.items() if activity.name.startswith(prefix)), None)


def outcome(activity):
    total = LedgerTransaction.objects.filter(activity=activity, is_budget=False).aggregate(
        total=Sum("amount")
    )["total"]
    return total or D(0)


def test_demo_ledger_follows_the_budgets_but_for_the_named_deviations(year2023):
    load_demo_ledger(year2023)
    activities = list(Activity.objects.filter(area__agreement=year2023, cost_object__isnull=False))
    assert sum(named(a) is not None for a in activities) == len(NAMED)
    for activity in activities:
        spent = outcome(activity)
        deviation = named(activity)
        if deviation is not None:
            # Whole kronor: the deliberate deviation is exact, the credit note not on it.
            assert abs(spent - (activity.amount + deviation)) < 1, activity.name
        elif activity.amount == 0:
            assert spent == 0, activity.name
        else:
            assert abs(spent - activity.amount) <= BOUND * activity.amount, activity.name


def test_the_first_dashboard_shows_only_the_named_deviations(year2023):
    load_demo_ledger(year2023)
    dashboard = build_dashboard(2023, datetime.date(2024, 1, 15))
    assert dashboard.last_month == 12
    shown = {row.name: percent for row, _budget, _spent, percent in dashboard.deviations}
    assert {next((p for p in NAMED if name.startswith(p)), name) for name in shown} == set(NAMED)
    assert shown["Vidareutbildning för sjuksköterskor"] == D("-23.8")
    assert shown["Utveckling av ambulanssjukvården"] == D("25.0")
    # Each area's outcome is its activities' budgets plus the named deviations, within the
    # bound: no area or object at hundreds of per cent.
    for figures in dashboard.areas:
        activities = Activity.objects.filter(area_id=figures.area_id)
        budget = sum(a.amount for a in activities)
        expected = budget + sum(named(a) or 0 for a in activities)
        assert abs(figures.outcome - expected) <= BOUND * budget, figures.name


def test_the_export_keeps_its_shape_income_and_credit_note(year2023):
    load_demo_ledger(year2023)
    text = demo_ledger_csv(year2023).decode("cp1252")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[2][:2] == ["Verifikationsnr", "Bokf.datum"]
    income = [row for row in rows[3:] if row[2] == "3190"]
    assert income and all(row[8].startswith("-") for row in income)
    credit = [row for row in rows[3:] if row[6].startswith("Kreditfaktura")]
    assert len(credit) == 1 and credit[0][8] == "-18 750,00" and CREDIT_NOTE == D("18750")
    assert any("å" in row[6] or "ä" in row[6] or "ö" in row[6] for row in rows[3:])
