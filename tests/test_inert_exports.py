"""Hostile names go out through every export and come back as text: no formula but our own,
no link, CSV cells that start like a formula neutralised, amounts still numbers."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from common.inert import FORMULA_TRIGGERS, csv_text, inert_cell
from distribution.models import Activity
from followup.demo import load_demo_ledger
from followup.models import LedgerTransaction
from grants.models import Component, DevelopmentArea

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/x","Klicka")',
    "+SUM(1;1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "http://evil.example/länk",
]
MARKERS = ("cmd", "HYPERLINK", "evil", "@SUM", "SUM(1")


@pytest.fixture
def hostile(distribution2023):
    """Every name and text an export shows replaced by an attack, in turn."""
    load_demo_ledger(distribution2023)
    for n, activity in enumerate(Activity.objects.filter(area__agreement=distribution2023)):
        # Unique per area: the attack and a number.
        Activity.objects.filter(pk=activity.pk).update(name=f"{HOSTILE[n % len(HOSTILE)]} a{n}")
    for n, area in enumerate(DevelopmentArea.objects.filter(agreement=distribution2023)):
        DevelopmentArea.objects.filter(pk=area.pk).update(name=f"{HOSTILE[n]} {n}")
    for n, component in enumerate(Component.objects.filter(agreement=distribution2023)):
        Component.objects.filter(pk=component.pk).update(name=f"{HOSTILE[n % 8]} k{n}")
    for n, row in enumerate(LedgerTransaction.objects.all()[:200]):
        LedgerTransaction.objects.filter(pk=row.pk).update(text=HOSTILE[n % len(HOSTILE)])
    return distribution2023


def _exports(client, agreement):
    pk = agreement.pk
    yield (
        "allocation table",
        client.get(reverse("allocations:table", args=[pk, "regioner"]) + "?format=xlsx"),
    )
    yield "activities", client.get(reverse("dashboard:activities") + "?format=xlsx")
    yield "transactions", client.get(reverse("dashboard:transactions") + "?format=xlsx")
    yield "reconciliation", client.get(reverse("followup:workbook", args=[pk]) + "?period=ar")
    yield (
        "financial report",
        client.post(
            reverse("reporting:generate", args=[pk, "ekonomisk-redovisning"]), {"format": "xlsx"}
        ),
    )


# Our own formulas: sums and references, and quoted words such as a SUMIF's "Kostnad".
OUR_FORMULA = re.compile(r'^=(?:[A-Z0-9$:+\-*/(),.; ]|"[A-Za-zÅÄÖåäö ]*")+$')


def test_every_workbook_keeps_hostile_text_as_text(client_for, hostile):
    client = client_for("officer")
    seen = set()
    for name, response in _exports(client, hostile):
        assert response.status_code == 200, name
        book = load_workbook(io.BytesIO(response.content))
        formulas = 0
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.hyperlink is None, (name, cell.coordinate)
                    if cell.data_type == "f":
                        formulas += 1
                        assert OUR_FORMULA.match(str(cell.value)), (name, cell.value)
                        assert not any(m in str(cell.value) for m in MARKERS), (name, cell.value)
                    elif isinstance(cell.value, str) and any(m in cell.value for m in MARKERS):
                        assert cell.data_type == "s", (name, cell.coordinate, cell.value)
                        seen.add(name)
                        if cell.value.startswith(FORMULA_TRIGGERS):
                            assert cell.quotePrefix, (name, cell.coordinate, cell.value)
        if name in ("allocation table", "reconciliation", "financial report"):
            assert formulas > 0, f"{name}: our own totals are still formulas"
    assert seen == {"allocation table", "activities", "transactions", "reconciliation"} | (
        seen & {"financial report"}
    )


def test_csv_neutralises_hostile_text_and_keeps_amounts_numbers(client_for, hostile):
    url = reverse("allocations:table", args=[hostile.pk, "regioner"]) + "?format=csv"
    response = client_for("officer").get(url)
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    amounts = {
        i for i, h in enumerate(header) if h in ("Beräknat belopp", "Beslutat belopp", "Skillnad")
    }
    hostile_seen = 0
    for row in body:
        for i, value in enumerate(row):
            if i in amounts:
                if value:
                    Decimal(value)  # a number, never prefixed
                continue
            assert not value.startswith(FORMULA_TRIGGERS), value
            if any(m in value for m in MARKERS):
                hostile_seen += 1
                assert value.startswith("'") or value[:1] not in "=+-@\t\r"
    assert hostile_seen > 0
    assert "'=cmd|' /C calc'!A0" in text


@given(st.text())
def test_no_text_leaves_csv_starting_like_a_formula(text):
    out = csv_text(text)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert out in (text, "'" + text)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2))
def test_amounts_pass_as_numbers(amount):
    cell = inert_cell(amount)
    assert not cell.is_text and cell.value == amount
    assert Decimal(csv_text(amount)) == amount
