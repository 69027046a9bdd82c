"""Every list exports to XLSX with the user's filters, with a total row where there are amounts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from common.money import format_number
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


def test_region_list_exports_all_regions_with_the_own_marked(client_for, gnv2023):
    from grants.models import Region

    client = client_for("officer")
    page = client.get(reverse("grants:region_list")).content.decode()
    assert "?format=xlsx" in page
    rows = sheet_rows(client.get(reverse("grants:region_list") + "?format=xlsx"), "Regioner")
    assert rows[0] == ("Länskod", "Län", "Region", "Egen region")
    assert [r[0] for r in rows[1:]] == list(Region.objects.values_list("county_code", flat=True))
    own = [r[1] for r in rows[1:] if r[3] == "Ja"]
    assert own == [r.county_name for r in Region.objects.all() if r.is_own]


def test_key_data_lists_export_and_the_values_sum_to_the_country(
    client_for, allocations2023, recalculate
):
    from allocations.models import KeyDataSet, KeyDataValue

    client = client_for("officer")
    rows = sheet_rows(
        client.get(reverse("allocations:dataset_list") + "?format=xlsx"), "Nyckeldata"
    )
    assert {r[0] for r in rows[1:]} == set(KeyDataSet.objects.values_list("name", flat=True))
    assert all(isinstance(r[2], datetime.datetime) for r in rows[1:])

    dataset = KeyDataSet.objects.filter(columns__isnull=False).first()
    url = reverse("allocations:dataset_detail", args=[dataset.pk])
    page = client.get(url).content.decode()
    assert "?format=xlsx" in page
    response = client.get(url + "?format=xlsx")
    rows = sheet_rows(response, dataset.name[:31])
    columns = list(dataset.columns.all())
    assert list(rows[0][3:]) == [c.code for c in columns]
    assert len(rows) == 1 + 21 + 1 and rows[-1][0] == "Summa"
    sheet = recalculate(response.content)[dataset.name[:31]]
    for index, column in enumerate(columns):
        expected = sum(KeyDataValue.objects.filter(column=column).values_list("value", flat=True))
        assert Decimal(str(sheet.cell(row=len(rows), column=4 + index).value)) == expected
        # The page's total row says the same.
        footer = page[page.index("<tfoot>") : page.index("</tfoot>")]
        assert format_number(expected) in footer


def test_ledger_imports_export_the_list_all_kept_rows_and_the_replaced_rows(
    client_for, ledger2023, users, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from followup.actions import do_import_ledger_file
    from followup.models import LedgerImport, LedgerSource
    from followup.views import IMPORT_PAGE_ROWS

    first = LedgerImport.objects.get()
    assert first.rows_kept > IMPORT_PAGE_ROWS  # the page shows a part; the export all
    rows_in_db = LedgerTransaction.objects.filter(ledger_import=first)
    # A correction of one month of 9916 replaces that month's rows.
    month = rows_in_db.filter(cost_object__number="9916").order_by("year", "month").first()
    replaced = rows_in_db.filter(
        cost_object__number="9916", year=month.year, month=month.month
    ).count()
    header = "Verifikation;Bokföringsdatum;Konto;Ansvar;Objekt;Aktivitet;Text;Period;Belopp\n"
    source = LedgerSource.objects.get()
    line = f"V1;;5410;;9916;;Rättelse;{month.year}{month.month:02d};100,50\n"
    second = do_import_ledger_file(
        SimpleUploadedFile("rättelse.csv", (header + line).encode("utf-8")),
        source,
        users["finance"],
    )
    client = client_for("finance")

    response = client.get(reverse("followup:imports") + "?format=xlsx")
    listing = sheet_rows(response, "Importer")
    assert [r[2] for r in listing[1:-1]] == ["rättelse.csv", first.file_name]
    # When, in the region's local time (a spreadsheet cell has no time zone).
    local = timezone.make_naive(second.uploaded_at)
    assert abs(listing[1][0] - local) < datetime.timedelta(seconds=1)
    assert listing[-1][0] == "Summa" and listing[-1][10].startswith("=SUBTOTAL(109,K2:K3)")

    detail = reverse("followup:import_detail", args=[first.pk])
    response = client.get(detail + "?format=xlsx")
    assert "rader-huvudbok" in response["Content-Disposition"]
    kept = sheet_rows(response, "Rader")
    assert len(kept) - 2 == first.transactions.count()
    assert {r[9] for r in kept[1:-1]} == {first.file_name}
    assert sorted(r[10] for r in kept[1:-1]) == sorted(
        first.transactions.values_list("line", flat=True)
    )

    detail = reverse("followup:import_detail", args=[second.pk])
    page = client.get(detail).content.decode()
    assert "format=xlsx&amp;rader=ersatta" in page
    response = client.get(detail + "?format=xlsx&rader=ersatta")
    # The non-ASCII name travels as RFC 6266 says (filename*=utf-8'').
    assert "filename*=utf-8''ersatta-rader-r%C3%A4ttelse.xlsx" in response["Content-Disposition"]
    archived = sheet_rows(response, "Ersatta rader")
    assert len(archived) - 2 == replaced > 0
    assert {r[1] for r in archived[1:-1]} == {"9916"}
    assert {r[9] for r in archived[1:-1]} == {first.file_name}


def test_the_area_page_exports_its_activities(client_for, distribution2023, recalculate):
    area = Activity.objects.filter(area__agreement=distribution2023).first().area
    client = client_for("officer")
    url = reverse("distribution:area", args=[area.pk])
    assert "?format=xlsx" in client.get(url).content.decode()
    response = client.get(url + "?format=xlsx")
    rows = sheet_rows(response, "Aktiviteter")
    activities = list(Activity.objects.filter(area=area).order_by("position", "id"))
    assert [r[3] for r in rows[1:-1]] == [a.name for a in activities]
    assert [r[6] for r in rows[1:-1]] == [
        a.cost_object.number if a.cost_object else None for a in activities
    ]
    sheet = recalculate(response.content)["Aktiviteter"]
    assert Decimal(str(sheet.cell(row=len(rows), column=9).value)) == sum(
        a.amount for a in activities
    )
    assert client_for("norole").get(url + "?format=xlsx").status_code == 403
