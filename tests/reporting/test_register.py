"""The register of every year's state grants: entered in the app, read from XLSX or CSV with
every problem named, filled from the agreements the app holds; the annual summary from it for
any year, with its totals once."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from allocations.importing import ImportFileError
from common.money import format_amount
from grants.models import DocumentKind
from reporting.actions import (
    RegisterError,
    do_fill_state_grants_from_agreements,
    do_import_state_grants,
)
from reporting.models import StateGrant, StateGrantLine, StateGrantYear
from reporting.pdf import render_document
from reporting.reads.documents import document_context
from reporting.register import GrantRow, read_register_file

from .layout import read_layout

D = Decimal

CSV_2023 = (
    "Statsbidrag;Myndighet eller källa;Diarienummer;Belopp;Kommentar;Tillfälligt\n"
    "God och nära vård 2023;Kammarkollegiet;RS/116/2023;75 422 690;;nej\n"
    ";;;−1 310 000;Översänt till SKR för 1177 Vårdguiden;\n"
    "Psykisk hälsa och suicidprevention;Kammarkollegiet;RS/860/2022;10 123 456,50;;\n"
    "Ersättning för merkostnader covid-19;Socialstyrelsen;;2 000 000;;ja\n"
).encode()


def kr(amount) -> str:
    return format_amount(amount).replace("\u00a0", " ")


def test_a_csv_file_fills_a_year(db, users):
    grants = read_register_file(CSV_2023, "statsbidrag-2023.csv")
    assert [(g.name, g.temporary, g.lines) for g in grants] == [
        (
            "God och nära vård 2023",
            False,
            [(D(75_422_690), ""), (D(-1_310_000), "Översänt till SKR för 1177 Vårdguiden")],
        ),
        ("Psykisk hälsa och suicidprevention", False, [(D("10123456.50"), "")]),
        ("Ersättning för merkostnader covid-19", True, [(D(2_000_000), "")]),
    ]
    do_import_state_grants(2023, grants, acting_user=users["officer"])
    context = document_context(DocumentKind.ANNUAL_SUMMARY, year=2023)
    assert context["regular_total"] == D("84236146.50")
    assert context["temporary_total"] == D(2_000_000)
    line = StateGrantLine.objects.get(amount=D(-1_310_000))
    assert line.history.get().history_user == users["officer"]
    # The same file again: refused, nothing added twice.
    with pytest.raises(RegisterError) as refused:
        do_import_state_grants(2023, grants, acting_user=users["officer"])
    assert refused.value.messages[0] == (
        "Rad 2: ”God och nära vård 2023” finns redan för 2023; ändra det i registret i stället."
    )
    assert StateGrant.objects.count() == 3


def test_an_xlsx_file_is_read_too(db):
    book = Workbook()
    sheet = book.active
    sheet.append(["Statsbidrag", "Belopp", "Kommentar"])
    sheet.append(["Cancervård", 4686082, None])
    sheet.append(["Civilt försvar", "5 097 497", "rapporteras 30 april"])
    buffer = io.BytesIO()
    book.save(buffer)
    grants = read_register_file(buffer.getvalue(), "statsbidrag.xlsx")
    assert [(g.name, g.lines) for g in grants] == [
        ("Cancervård", [(D(4_686_082), "")]),
        ("Civilt försvar", [(D(5_097_497), "rapporteras 30 april")]),
    ]


def test_every_problem_is_named_by_row_and_column(db):
    bad = (
        "Statsbidrag;Belopp;Tillfälligt\n"
        ";100;\n"
        "Cancervård;fyra miljoner;\n"
        "Civilt försvar;12,345;kanske\n"
        "Totalt erhållna medel;156 262 283;\n"
        "Cancervård;5;\n"
    ).encode()
    with pytest.raises(ImportFileError) as refused:
        read_register_file(bad, "fel.csv")
    assert refused.value.messages == [
        "Rad 2, kolumnen ”Statsbidrag”: statsbidragets namn saknas.",
        "Rad 3, kolumnen ”Belopp”: ”fyra miljoner” är inte ett belopp. "
        + refused.value.messages[1].split("är inte ett belopp. ", 1)[1],
        "Rad 4, kolumnen ”Belopp”: ”12,345” har fler än två decimaler (öre).",
        "Rad 4, kolumnen ”Tillfälligt”: ”kanske” ska vara ja eller nej.",
        "Rad 5: ”Totalt erhållna medel” är en summeringsrad. Ta bort den: totalen räknas "
        "fram av raderna.",
        "Rad 6: ”Cancervård” står redan på rad 3; skriv fler belopp för samma statsbidrag på "
        "rader utan namn under det.",
    ]
    with pytest.raises(ImportFileError, match="saknar kolumnen ”Belopp”"):
        read_register_file(b"Namn;Summa\nX;1\n", "fel.csv")
    with pytest.raises(ImportFileError, match="Filen är tom"):
        read_register_file(b"\n\n", "tom.csv")
    with pytest.raises(ImportFileError, match="Excel"):
        read_register_file(b"PK\x03\x04 inte en xlsx", "trasig.xlsx")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=-(10**11), max_value=10**11), min_size=1, max_size=8))
def test_amounts_written_the_swedish_way_read_back_exactly(amounts):
    rows = ["Statsbidrag;Belopp"] + [
        f"Bidrag {i};{format_amount(D(a) / 100, unit='')}" for i, a in enumerate(amounts)
    ]
    grants = read_register_file("\n".join(rows).encode("utf-8"), "b.csv")
    assert [g.lines[0][0] for g in grants] == [D(a) / 100 for a in amounts]


def test_filled_from_the_agreements_the_app_holds(allocations2023, users):
    added, notes = do_fill_state_grants_from_agreements(2023, acting_user=users["officer"])
    assert [g.agreement for g in added] == [allocations2023]
    assert added[0].lines.get().amount == D(75_422_690)
    assert added[0].authority == "Kammarkollegiet"
    again, notes = do_fill_state_grants_from_agreements(2023, acting_user=users["officer"])
    assert again == [] and notes == ["God och nära vård 2023 finns redan i registret."]
    assert document_context(DocumentKind.ANNUAL_SUMMARY, year=2023)["regular_total"] == D(
        75_422_690
    )


def test_the_2021_summary_prints_each_total_once(grants2021):
    content = render_document(DocumentKind.ANNUAL_SUMMARY, "pdf", year=2021)
    lines = [line.text for page in read_layout(content) for line in page.lines]
    text = " ".join(lines)
    assert text.count(kr(156_262_283)) == 1
    # Each grand total once; a total under God och nära vård's table per development area
    # (seed 004) and under each of the three usage tables.
    assert [t for t in lines if t.startswith("Totalt")] == [
        "Totalt erhållna medel 2021",
        "Totalt tillfälliga bidrag",
        "Totalt belopp som erhållits",
    ] + ["Totalt"] * 3
    # The temporary rows and the published total differ: the total row shows both.
    assert f"Enligt beslutet: {kr(320_459_179)}" in text


def test_a_year_without_grants_says_so(db):
    content = render_document(DocumentKind.ANNUAL_SUMMARY, "pdf", year=2019)
    text = " ".join(line.text for page in read_layout(content) for line in page.lines)
    assert "Inga statsbidrag finns för år 2019, varken i registret eller" in text
    assert "Totalt" not in text


# Through the pages.


def test_entering_2023_in_the_app(client_for, allocations2023, users):
    client = client_for("officer")
    assert client.get(reverse("reporting:register")).status_code == 200
    response = client.get(reverse("reporting:register"), {"ar": "2023"})
    assert response.url == reverse("reporting:register_year", args=[2023])
    url = reverse("reporting:register_new", args=[2023])
    data = {
        "name": "Överenskommelse om civilt försvar 2023",
        "authority": "Kammarkollegiet",
        "case_number": "RS/258/2023",
        "amount_1": "5 097 497",
        "amount_2": "−97 497",
        "comment_2": "Översänt till länsstyrelsen",
        "amount_3": "",
        "comment_3": "kommentar utan belopp",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Ange beloppet som kommentaren gäller." in response.content.decode()
    data["comment_3"] = ""
    assert client.post(url, data).status_code == 302
    grant = StateGrant.objects.get()
    assert grant.grant_year.year == 2023 and grant.version == 1
    assert [(line.amount, line.comment) for line in grant.lines.all()] == [
        (D(5_097_497), ""),
        (D(-97_497), "Översänt till länsstyrelsen"),
    ]
    page = client.get(reverse("reporting:register_year", args=[2023])).content.decode()
    assert "5\u00a0000\u00a0000\u00a0kr" in page  # the total of the year
    summary = client.get(reverse("reporting:annual_summary", args=[2023])).content.decode()
    assert "Översänt till länsstyrelsen" in summary

    # Two people editing: the second save, made from the same version, is refused.
    edit = reverse("reporting:register_grant", args=[2023, grant.pk])
    first = {**data, "version": "1", "amount_1": "5 100 000"}
    assert client.post(edit, first).status_code == 302
    stale = {**data, "version": "1", "amount_1": "1"}
    response = client.post(edit, stale)
    assert response.status_code == 400
    assert "Statsbidraget har ändrats av någon annan" in response.content.decode()
    assert grant.lines.first().amount == D(5_100_000)

    # The same amounts in another order are saved in that order.
    swapped = {
        **first,
        "version": "2",
        "amount_1": first["amount_2"],
        "comment_1": first["comment_2"],
        "amount_2": first["amount_1"],
        "comment_2": "",
    }
    assert client.post(edit, swapped).status_code == 302
    assert [line.amount for line in grant.lines.order_by("position")] == [
        D(-97_497),
        D(5_100_000),
    ]


def test_import_and_fill_through_the_pages(client_for, allocations2023):
    client = client_for("officer")
    bad = SimpleUploadedFile("fel.csv", "Statsbidrag;Belopp\nCancervård;abc\n".encode())
    response = client.post(reverse("reporting:register_import", args=[2023]), {"file": bad})
    assert response.status_code == 400
    assert "Rad 2, kolumnen ”Belopp”" in response.content.decode()
    assert not StateGrant.objects.exists()
    good = SimpleUploadedFile("statsbidrag.csv", CSV_2023)
    response = client.post(reverse("reporting:register_import", args=[2023]), {"file": good})
    assert response.status_code == 302
    assert StateGrant.objects.count() == 3
    client.post(reverse("reporting:register_fill", args=[2023]))
    assert StateGrant.objects.filter(agreement=allocations2023).count() == 1


def test_managers_read_the_register_but_do_not_change_it(client_for, grants2021):
    client = client_for("manager")
    assert client.get(reverse("reporting:register_year", args=[2021])).status_code == 200
    assert client.get(reverse("reporting:register_new", args=[2021])).status_code == 403
    assert client.post(reverse("reporting:register_fill", args=[2021])).status_code == 403
    assert StateGrantYear.objects.get().grants.count() == 14


def test_the_import_command(db, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "statsbidrag-2023.csv"
    good.write_bytes(CSV_2023)
    call_command("import_state_grants", str(good), "--year", "2023")
    assert StateGrant.objects.count() == 3
    with pytest.raises(CommandError, match="finns redan för 2023"):
        call_command("import_state_grants", str(good), "--year", "2023")


def test_the_register_pages_make_the_same_queries_however_many_grants(client_for, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("manager")

    def queries(count):
        grants = [
            GrantRow(row=n, name=f"Statsbidrag {count}-{n}", lines=[(D(n), ""), (D(-1), "X")])
            for n in range(count)
        ]
        do_import_state_grants(2000 + count, grants, acting_user=None)
        counts = []
        for url in (
            reverse("reporting:register"),
            reverse("reporting:register_year", args=[2000 + count]),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    assert queries(3) == queries(30)
