"""Follow-up pages as finance, officers and managers use them."""

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from distribution.models import Activity
from followup.demo import load_demo_ledger
from followup.models import ActivityLink, ClosedPeriod, LedgerSource, LedgerTransaction
from followup.periods import PERIODS
from followup.reads import build_followup

from .test_ledger_import import csv_bytes

D = Decimal


@pytest.fixture
def ledger(year2023):
    load_demo_ledger(year2023)
    return year2023


def test_demo_ledger_is_plausible(ledger):
    report = build_followup(ledger, PERIODS["ar"])
    assert report.unused.received == D(75_422_690)
    # The outcome follows the distributed budgets within 3 %, plus the demo ledger's three named
    # deviations (−1 200 000, +360 000 and +350 000 kr, see its README line).
    distributed = sum(a.amount for a in Activity.objects.filter(area__agreement=ledger))
    expected = distributed - D(1_200_000) + D(360_000) + D(350_000)
    assert abs(report.unused.outcome - expected) <= D("0.03") * distributed
    assert report.unused.outcome < report.unused.received
    assert {b.cost_object.number for a in report.areas for b in a.objects} == {
        "9916",
        "9917",
        "9942",
        "9943",
    }
    assert report.unlinked_count == 0


def test_overview_shows_budget_outcome_and_unused(client_for, ledger):
    report = build_followup(ledger, PERIODS["T1"])
    url = reverse("followup:overview", args=[ledger.pk]) + "?period=T1"
    html = client_for("manager").get(url).content.decode()
    assert "Tertial 1 (januari–april)" in html
    assert "75\u00a0422\u00a0690\u00a0kr" in html
    unused = report.unused.unused.quantize(D("0.01"))
    from common.money import format_amount

    assert format_amount(unused) in html
    assert "Öronmärkt: Vidareutbildning för sjuksköterskor, regionerna" in html


@pytest.mark.parametrize("who", ["officer", "finance", "manager", "admin"])
def test_every_role_reads_the_follow_up(client_for, ledger, who):
    client = client_for(who)
    for url in [
        reverse("followup:overview", args=[ledger.pk]),
        reverse("followup:imports"),
        reverse("followup:periods", args=[2023]),
        reverse("followup:links", args=[ledger.pk]),
        reverse("followup:workbook", args=[ledger.pk]),
    ]:
        assert client.get(url).status_code == 200, (who, url)


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_only_finance_imports_and_closes_periods(client_for, year2023, source, who):
    client = client_for(who)
    response = client.post(
        reverse("followup:upload"),
        {"source": source.pk, "file": SimpleUploadedFile("h.csv", csv_bytes())},
    )
    assert response.status_code == 403
    assert (
        client.post(reverse("followup:close_period", args=[2023]), {"month": 3}).status_code == 403
    )
    assert client.get(reverse("followup:source_new")).status_code == 403
    assert not LedgerTransaction.objects.exists() and not ClosedPeriod.objects.exists()


def test_anonymous_and_roleless_users_are_kept_out(client, client_for, year2023):
    url = reverse("followup:imports")
    assert client.get(url).status_code == 302
    assert client_for("norole").get(url).status_code == 403


def test_finance_imports_in_the_page_and_bad_files_list_their_rows(client_for, year2023, source):
    client = client_for("finance")
    bad = csv_bytes(["V1;2023-03-10;5410;1;9916;;x;202303;tolv"])
    response = client.post(
        reverse("followup:upload"), {"source": source.pk, "file": SimpleUploadedFile("h.csv", bad)}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Rad 4, kolumn ”Belopp”: ”tolv” är inte ett tal." in html
    response = client.post(
        reverse("followup:upload"),
        {"source": source.pk, "file": SimpleUploadedFile("h.csv", csv_bytes())},
        follow=True,
    )
    assert (
        "4 rader på statsbidragsobjekt, 1 rader på andra objekt ignorerade"
        in response.content.decode()
    )


def test_a_source_is_mapped_once_in_two_steps(client_for, year2023):
    client = client_for("finance")
    response = client.post(
        reverse("followup:source_new"),
        {"name": "Agresso", "file": SimpleUploadedFile("agresso.csv", csv_bytes())},
    )
    assert response.status_code == 200
    form = response.context["mapping_form"]
    assert form.header_names[:3] == ["Verifikation", "Bokföringsdatum", "Konto"]
    data = {
        "name": "Agresso",
        "headers": json.dumps(form.header_names),
        "cost_object": "Objekt",
        "amount": "Belopp",
        "period": "Period",
    }
    assert client.post(reverse("followup:source_new"), {**data, "amount": ""}).status_code == 400
    assert client.post(reverse("followup:source_new"), data).status_code == 302
    assert LedgerSource.objects.get(name="Agresso").mapping == {
        "cost_object": "Objekt",
        "amount": "Belopp",
        "period": "Period",
    }


def test_closing_and_reopening_a_period_in_the_page(client_for, year2023, users):
    client = client_for("finance")
    url = reverse("followup:periods", args=[2023])
    close, reopen = (
        reverse(f"followup:{name}", args=[2023]) for name in ("close_period", "reopen_period")
    )
    client.post(close, {"month": 3})
    assert ClosedPeriod.objects.get().closed_by == users["finance"]
    assert client.post(reopen, {"month": 3, "reason": ""}).status_code == 400
    assert client.post(close, {"month": 13}).status_code == 400
    client.post(reopen, {"month": 3, "reason": "Sen faktura"})
    assert not ClosedPeriod.objects.exists()
    assert "Sen faktura" in client.get(url).content.decode()
    again = client.post(reopen, {"month": 3, "reason": "Igen"})
    assert again.status_code == 400 and "Mars 2023 är redan öppen." in again.content.decode()


@pytest.mark.parametrize(("who", "status"), [("officer", 302), ("finance", 302), ("manager", 403)])
def test_forecast_by_officers_and_finance(client_for, year2023, users, who, status):
    activity = Activity.objects.filter(area__agreement=year2023).first()
    response = client_for(who).post(
        reverse("followup:forecast", args=[activity.pk]),
        {"forecast": "23 500 000", "version": activity.version},
    )
    assert response.status_code == status
    activity.refresh_from_db()
    if status == 302:
        assert activity.forecast == D(23_500_000)
        assert activity.history.first().history_user == users[who]
    else:
        assert activity.forecast is None


def test_a_link_ties_earlier_unlinked_rows(client_for, year2023, source, users):
    from followup.actions import do_import_ledger_file

    do_import_ledger_file(SimpleUploadedFile("h.csv", csv_bytes()), source, users["finance"])
    activity = Activity.objects.filter(cost_object__number="9916").first()
    response = client_for("finance").post(
        reverse("followup:add_link", args=[year2023.pk]),
        {"cost_object": activity.cost_object_id, "responsibility": "1234", "activity": activity.pk},
    )
    assert response.status_code == 302
    assert (
        LedgerTransaction.objects.filter(cost_object__number="9916", activity=activity).count() == 2
    )


def test_a_link_is_removed_at_the_version_the_page_showed(client_for, year2023, users):
    activity = Activity.objects.filter(cost_object__number="9916").first()
    client = client_for("finance")
    client.post(
        reverse("followup:add_link", args=[year2023.pk]),
        {"cost_object": activity.cost_object_id, "responsibility": "1234", "activity": activity.pk},
    )
    link = ActivityLink.objects.get()
    page = client.get(reverse("followup:links", args=[year2023.pk])).content.decode()
    assert f'name="version" value="{link.version}"' in page
    delete = reverse("followup:delete_link", args=[year2023.pk, link.pk])
    stale = client.post(delete, {"version": link.version + 1}, follow=True)
    assert "Kopplingen har ändrats av någon annan" in stale.content.decode()
    assert ActivityLink.objects.filter(pk=link.pk).exists()
    client.post(delete, {"version": link.version})
    assert not ActivityLink.objects.exists()
    assert ActivityLink.history.first().history_user == users["finance"]


def test_overview_queries_do_not_grow(client_for, ledger, django_assert_max_num_queries):
    client = client_for("finance")
    url = reverse("followup:overview", args=[ledger.pk])
    with django_assert_max_num_queries(40) as captured:
        client.get(url)
    baseline = len(captured)
    area = ledger.areas.first()
    for n in range(20):
        Activity.objects.create(
            area=area,
            name=f"Extra {n}",
            amount=0,
            private_providers=True,
            cost_object=area.cost_objects.first(),
        )
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_reconciliation_workbook_recalculates_to_the_apps_numbers(client_for, ledger, recalculate):
    response = client_for("finance").get(
        reverse("followup:workbook", args=[ledger.pk]) + "?period=delar"
    )
    assert response["Content-Disposition"].endswith('avstamning-god-och-nara-vard-2023-delar.xlsx"')
    content = response.content
    raw = load_workbook(io.BytesIO(content))
    assert raw.sheetnames == [
        "Sammanställning",
        "9916 Nära vård",
        "9917 Vårdens medarbetare",
        "9942 Vision e-hälsa",
        "9943 Ambulanssjukvård",
        "Transaktioner",
    ]
    summary = raw["Sammanställning"]
    assert summary["H4"].value == "=F4-E4"
    assert summary.freeze_panes == "A4"
    assert summary.auto_filter.ref.startswith("A3")
    computed = recalculate(content)
    report = build_followup(ledger, PERIODS["delar"])
    sheet = computed["Sammanställning"]
    labels = {sheet[f"A{row}"].value: row for row in range(4, sheet.max_row + 1)}

    def cell(column, row):
        return D(str(sheet[f"{column}{row}"].value or 0)).quantize(D("0.01"))

    for block in report.areas:
        # The area's row holds its activities with a budget; what is spent from ofördelat
        # money (activities without a budget, rows on no activity) is its own line, outside
        # the deviation (issue 22).
        row = labels[block.area.name]
        unallocated = labels.get(f"Ofördelat: {block.area.name}")
        own = [
            line
            for o in block.objects
            for line in o.lines
            if line.kind == "activity" and line.followup.budget
        ] + [line for line in block.other_lines if line.followup.budget]
        own_to_date = sum((line.followup.outcome_to_date for line in own), D(0))
        to_date = block.total.followup.outcome_to_date
        budget_to_date = sum(block.total.budget_by_month[:8])
        assert cell("F", row) == own_to_date
        if unallocated:
            assert cell("F", unallocated) == to_date - own_to_date
            assert sheet[f"H{unallocated}"].value is None
        else:
            assert own_to_date == to_date
        assert cell("H", row) == own_to_date - budget_to_date
        assert cell("I", row) == block.decided - to_date
    total_row = labels["Totalt"]
    assert sheet[f"C{total_row}"].value == 75_422_690
    transactions = computed["Transaktioner"]
    expected = sum(
        LedgerTransaction.objects.filter(month__lte=8, is_budget=False).values_list(
            "amount", flat=True
        ),
        D(0),
    )
    sums = {
        row[0].value: D(str(row[10].value)).quantize(D("0.01"))
        for row in transactions.iter_rows(min_row=transactions.max_row - 6)
    }
    assert sums["Summa"] == expected
    # Every row on the objects is listed with its kind; the costs are the follow-up's outcome.
    assert sums["varav kostnad"] == report.total.followup.outcome_to_date
    object_sheet = computed["9916 Nära vård"]
    last = object_sheet.max_row
    outcome_total = D(str(object_sheet.cell(last, 3 + 3 * 8).value)).quantize(D("0.01"))
    nine916 = next(b for a in report.areas for b in a.objects if b.cost_object.number == "9916")
    assert outcome_total == nine916.total.followup.outcome_to_date


TITLED = [
    "Period: 202305;Utskriven: 2024-01-15 08:12;Användare: anna.berg",
    "Huvudbok;Region Jämtland Härjedalen;",
    "",
    "Verifikation;Bokföringsdatum;Konto;Ansvar;Objekt;Aktivitet;Text;Period;Belopp",
    "V1;2023-05-10;5410;1234;9916;;Mobilt team;202305;12 345,50",
    "V2;2023-05-11;5410;1234;9917;;Kurs;202305;1 000,00",
]


def test_the_header_row_is_found_below_title_lines_with_the_separator():
    from followup.ledger_files import guess_header_row, preview_of

    preview = preview_of(io.BytesIO("\r\n".join(TITLED).encode("cp1252")), "export.csv")
    assert [number for number, _ in preview] == [1, 2, 4, 5, 6]
    assert guess_header_row(preview) == 4


def test_the_mapping_page_shows_the_first_rows_and_the_header_row_can_be_changed(
    client_for, year2023
):
    client = client_for("finance")
    sample = SimpleUploadedFile("export.csv", "\r\n".join(TITLED).encode("cp1252"))
    response = client.post(reverse("followup:source_new"), {"name": "Unit4", "file": sample})
    assert response.status_code == 200
    form = response.context["mapping_form"]
    assert form.header_line == 4
    assert form.header_names[:2] == ["Verifikation", "Bokföringsdatum"]
    html = response.content.decode()
    assert "Filens första rader" in html and "Användare: anna.berg" in html
    assert "Mobilt team" in html
    # The user picks row 2 instead: its cells become the choices; nothing is saved yet.
    posted = {"name": "Unit4", "headers": "[]", "preview": form.initial["preview"]}
    response = client.post(
        reverse("followup:source_new"), {**posted, "header_row": "2", "show_headers": "1"}
    )
    assert response.status_code == 200
    assert response.context["mapping_form"].header_names == [
        "Huvudbok",
        "Region Jämtland Härjedalen",
    ]
    assert not LedgerSource.objects.exists()
    # Back to row 4 and saved; the source then imports a file with the title lines.
    data = {
        **posted,
        "header_row": "4",
        "cost_object": "Objekt",
        "amount": "Belopp",
        "period": "Period",
    }
    assert client.post(reverse("followup:source_new"), data).status_code == 302
    source = LedgerSource.objects.get(name="Unit4")
    from followup.actions import do_import_ledger_file
    from followup.models import LedgerImport

    content = "\r\n".join(TITLED).encode("cp1252")
    do_import_ledger_file(SimpleUploadedFile("maj.csv", content), source, None)
    assert LedgerImport.objects.get().rows_kept == 2


def test_a_tampered_preview_is_refused_not_a_server_error(client_for, year2023):
    client = client_for("finance")
    data = {"name": "X", "headers": "[]", "preview": '[["a", 5]]', "cost_object": "Objekt"}
    response = client.post(reverse("followup:source_new"), data)
    assert response.status_code == 400
    assert "Exempelfilen behöver läsas in igen" in response.content.decode()


def test_a_sie_source_names_its_dimensions(client_for, year2023):
    client = client_for("finance")
    sie = '#FLAGGA 0\n#SIETYP 4\n#DIM 1 "Ansvar"\n#DIM 6 "Projekt"\n'.encode("cp437")
    response = client.post(
        reverse("followup:source_new"),
        {"name": "Visma SIE", "file": SimpleUploadedFile("visma.se", sie)},
    )
    assert response.status_code == 200
    assert "1 Ansvar, 6 Projekt" in response.content.decode()
    data = {
        "sie_source": "1",
        "name": "Visma SIE",
        "sie_object_dimension": "6",
        "sie_responsibility_dimension": "1",
        "sie_activity_dimension": "",
    }
    assert client.post(reverse("followup:source_new"), data).status_code == 302
    source = LedgerSource.objects.get(name="Visma SIE")
    assert (source.sie_object_dimension, source.sie_responsibility_dimension) == (6, 1)
    assert source.mapping == {}


def test_a_refused_upload_names_the_file_on_the_page_and_in_the_log(
    client_for, year2023, source, caplog
):
    bad = csv_bytes(["V1;2023-03-10;5410;1;9916;;x;2023-02-30;100"])
    with caplog.at_level("WARNING", logger="statsbidrag.imports"):
        response = client_for("finance").post(
            reverse("followup:upload"),
            {"source": source.pk, "file": SimpleUploadedFile("mars-export.csv", bad)},
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert "”mars-export.csv” kunde inte läsas in – inget har sparats" in html
    assert "Rad 4, kolumn ”Period”: ”2023-02-30” är ingen period" in html
    record = next(r for r in caplog.records if getattr(r, "event", "") == "import_refused")
    assert record.levelname == "WARNING"
    assert (record.file, record.user) == ("mars-export.csv", "ekonom")
    assert record.first_problems.startswith("Rad 4, kolumn ”Period”")
    assert "5410;1;9916" not in record.first_problems  # never the file's content


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(
    client_for, year2023, source, settings, caplog
):
    settings.LEDGER_MAX_UPLOAD_MB = 1
    big = csv_bytes() + b"x" * (1024 * 1024)
    with caplog.at_level("WARNING", logger="statsbidrag.imports"):
        response = client_for("finance").post(
            reverse("followup:upload"),
            {"source": source.pk, "file": SimpleUploadedFile("stor.csv", big)},
        )
    assert response.status_code == 400
    assert "gränsen för huvudboksfiler är 1 MB" in response.content.decode()
    assert any(getattr(r, "file", "") == "stor.csv" for r in caplog.records)


@pytest.mark.parametrize("amount", ["1" * 27, "10 000 000 000 000", "١٢٣"])
def test_the_forecast_form_refuses_impossible_amounts_in_swedish(client_for, year2023, amount):
    activity = Activity.objects.filter(area__agreement=year2023).first()
    response = client_for("finance").post(
        reverse("followup:forecast", args=[activity.pk]), {"forecast": amount}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "för stort" in html or "andra siffror än 0–9" in html


def test_the_import_page_shows_the_rows_it_replaced(client_for, year2023, source, users):
    from followup.actions import do_import_ledger_file

    first = do_import_ledger_file(
        SimpleUploadedFile("januari.csv", csv_bytes()), source, users["finance"]
    )
    corrected = ["V9;2023-03-10;5410;1234;9916;;Rättad;202303;10 000,00"]
    second = do_import_ledger_file(
        SimpleUploadedFile("rattelse.csv", csv_bytes(corrected)), source, users["finance"]
    )
    client = client_for("manager")
    html = client.get(reverse("followup:import_detail", args=[second.pk])).content.decode()
    assert "Ersatta rader (2)" in html
    assert "12\u00a0345,50\u00a0kr" in html and "Mobilt team mars" in html
    assert "januari.csv" in html  # the import the replaced rows came with
    assert "Rättad" in html
    html = client.get(reverse("followup:import_detail", args=[first.pk])).content.decode()
    assert "Importen ersatte inga tidigare rader." in html
    listing = client.get(reverse("followup:imports")).content.decode()
    assert reverse("followup:import_detail", args=[second.pk]) in listing
    url = reverse("followup:import_detail", args=[first.pk])
    assert client_for("norole").get(url).status_code == 403


def test_a_source_saved_meanwhile_under_the_same_name_is_refused_on_the_mapping_page(
    client_for, year2023, users
):
    """The name is free when the sample is read; another saves it before this one does:
    do_save_ledger_source refuses, the mapping page says so and nothing else is saved."""
    from followup.actions import do_save_ledger_source

    client = client_for("finance")
    response = client.post(
        reverse("followup:source_new"),
        {"name": "Agresso", "file": SimpleUploadedFile("agresso.csv", csv_bytes())},
    )
    form = response.context["mapping_form"]
    do_save_ledger_source(
        LedgerSource(name="Agresso", mapping={"amount": "Belopp"}), acting_user=users["admin"]
    )
    data = {
        "name": "Agresso",
        "headers": json.dumps(form.header_names),
        "cost_object": "Objekt",
        "amount": "Belopp",
        "period": "Period",
    }
    response = client.post(reverse("followup:source_new"), data)
    assert response.status_code == 400
    assert "någon annan sparade den nyss" in response.content.decode()
    source = LedgerSource.objects.get()
    assert source.mapping == {"amount": "Belopp"}
    assert source.history.get().history_user == users["admin"]


def test_the_upload_only_takes_posts(client_for, year2023):
    assert client_for("finance").get(reverse("followup:upload")).status_code == 405
