"""Every list exports to XLSX with the user's filters, with a total row where there are amounts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from distribution.models import Activity
from followup.models import LedgerTransaction
from grants.models import Deadline
from tests.conftest import load_demo_agreement

pytestmark = pytest.mark.django_db


def sheet_rows(response, name):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book[name].iter_rows(values_only=True))


def test_agreement_list_exports_its_filter_with_a_total(client_for, demo, recalculate):
    client = client_for("manager")
    response = client.get(reverse("grants:agreement_list") + "?year=2023&format=xlsx")
    rows = sheet_rows(response, "Överenskommelser")
    assert rows[0][0] == "År"
    assert [r[0] for r in rows[1:-1]] == [2023]
    assert rows[-1][0] == "Summa"
    assert rows[-1][5] == "=SUBTOTAL(109,F2:F2)"
    book = recalculate(response.content)
    assert Decimal(book["Överenskommelser"]["F3"].value) == demo[2023].national_total

    everything = sheet_rows(
        client.get(reverse("grants:agreement_list") + "?format=xlsx"), "Överenskommelser"
    )
    assert sorted(r[0] for r in everything[1:-1]) == sorted(demo)
    # The page has the same filter and links to the export of what it shows.
    page = client.get(reverse("grants:agreement_list") + "?year=2023").content.decode()
    assert "?year=2023&amp;format=xlsx" in page


def test_deadline_list_filters_and_exports(client_for, gnv2023):
    client = client_for("finance")
    page = client.get(reverse("grants:deadline_list") + "?kind=rekvisition").content.decode()
    table = page[page.index("<table") :]
    assert "Rekvisition" in table and "Verksamhetsrapport" not in table
    rows = sheet_rows(
        client.get(reverse("grants:deadline_list") + "?kind=rekvisition&format=xlsx"), "Frister"
    )
    expected = Deadline.objects.filter(kind="rekvisition")
    assert len(rows) - 1 == expected.count() > 0  # no amounts, no total row
    assert {r[2] for r in rows[1:]} == {"Rekvisition"}
    assert all(isinstance(r[0], datetime.datetime) for r in rows[1:])
    assert {r[0].date() for r in rows[1:]} == set(expected.values_list("due_date", flat=True))


def test_bad_filter_values_answer_with_an_empty_list_not_an_error(client_for, gnv2023):
    client = client_for("officer")
    response = client.get(reverse("grants:deadline_list") + "?after=01/11/2024")
    assert response.status_code == 200
    assert "Inga frister." in response.content.decode()
    rows = sheet_rows(
        client.get(reverse("grants:deadline_list") + "?after=01/11/2024&format=xlsx"), "Frister"
    )
    assert len(rows) == 1


def test_drill_down_lists_have_total_rows(client_for, ledger2023):
    load_demo_agreement("god-och-nara-vard-2020")
    client = client_for("manager")
    rows = sheet_rows(
        client.get(reverse("dashboard:transactions") + "?cost_object=9916&format=xlsx"),
        "Transaktioner",
    )
    expected = LedgerTransaction.objects.filter(cost_object__number="9916", is_budget=False)
    assert len(rows) - 2 == expected.count()
    assert rows[-1][0] == "Summa"
    assert rows[-1][7] == f"=SUBTOTAL(109,H2:H{len(rows) - 1})"

    rows = sheet_rows(
        client.get(reverse("dashboard:activities") + "?year=2023&format=xlsx"), "Aktiviteter"
    )
    assert rows[-1][0] == "Summa"
    assert len(rows) - 2 == Activity.objects.filter(area__agreement__year=2023).count()


def test_total_row_values_are_the_sums(client_for, ledger2023):
    """The stored result of each total formula is the sum of its column (readers that do not
    recalculate show it)."""
    from common.xlsx import KRONOR_ORE, list_workbook

    content = list_workbook(
        "Test",
        ["Namn", "Belopp"],
        [None, KRONOR_ORE],
        iter([["a", Decimal("1.10")], ["b", Decimal("-2.25")], ["c", None]]),
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book["Test"]
    assert sheet["B5"].value == "=SUBTOTAL(109,B2:B4)"
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>-1.15</v>" in xml
