"""Real ERP exports set up their own source (issue 22, point 1).

Each shape is a generated month's extract the size real ones have (several thousand rows,
title lines above the header, credit notes, income rows, rows on other objects), uploaded on
Huvudbok › Ny källa through the page, mapped by the suggestion alone, saved, and then imported
through the upload page. The imported sums are compared with a hand sum made here, from the
generated rows, apart from the app's code.

Column names, as the ERPs' own exports and manuals write them:
- Raindance (Region/kommun): Verifikationsnr, Bokf.datum, Konto, Ansvar, Verksamhet, Aktivitet,
  Objekt, Motpart, Text, Belopp; Windows-1252, semicolons, report title lines above.
- Agresso/Unit4 (XLSX from the transaction query): Period, Konto, Ansvar, Projekt, Aktivitet,
  Bilagsnr, Transdatum, Beskrivning, Belopp.
- Visma: Ver.nr, Datum, Konto, Kontonamn, Kst, Projekt, Text, Belopp (UTF-8 with BOM).
- Hogia: Vernr, Verdatum, Konto, Kostnadsställe, Projekt, Text, Belopp; tab separated, ANSI
  (Windows-1252), as Hogia's import/export manual describes its text files.
"""

import io
import json
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from followup.ledger_files import FIELD_SYNONYMS, header_key, suggest_mapping
from followup.models import LedgerField, LedgerImport, LedgerSource, LedgerTransaction

ROWS = 4000
GRANT = ("9916", "9917")
OTHER = ("1100", "2200", "3145")


def month_rows(seed):
    """A month's extract: costs, credit notes (negative costs), grant income (class 3, negative)
    and rows on other objects. Amounts as Decimal with öre."""
    rng = random.Random(seed)
    rows = []
    for n in range(ROWS):
        on_grant = rng.random() < 0.3
        number = rng.choice(GRANT) if on_grant else rng.choice(OTHER)
        kind = rng.random()
        if kind < 0.08:
            account, amount = "3190", -Decimal(rng.randint(100_000, 5_000_000)) / 100
        elif kind < 0.18:
            account, amount = "5410", -Decimal(rng.randint(1_000, 900_000)) / 100  # credit note
        else:
            account = rng.choice(("5010", "5410", "6550", "7010", "7610"))
            amount = Decimal(rng.randint(100, 2_500_000)) / 100
        rows.append(
            {
                "voucher": f"{200000 + n}",
                "date": date(2023, 5, 1) + timedelta(days=rng.randint(0, 30)),
                "account": account,
                "responsibility": rng.choice(("41100", "41200", "42010")),
                "activity": rng.choice(("", "A12", "B7")),
                "object": number,
                "text": rng.choice(("Lön maj", "Kurs Östersund", "Kreditnota, återbetalning")),
                "amount": amount,
            }
        )
    return rows


def swedish(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    whole, _, ore = f"{abs(amount):.2f}".partition(".")
    return sign + f"{int(whole):,}".replace(",", " ") + "," + ore


def hand_sums(rows):
    sums = {number: Decimal("0") for number in GRANT}
    for row in rows:
        if row["object"] in sums:
            sums[row["object"]] += row["amount"]
    return sums


def raindance_csv(rows) -> bytes:
    lines = [
        "Huvudbok - transaktioner;;;;;;;;;",
        "Region Jämtland Härjedalen;Period: 2023-05 -- 2023-05;;;;;;;;",
        "Utskriven: 2023-06-02 07:41;Användare: ANNBER;;;;;;;;",
        "",
        "Verifikationsnr;Bokf.datum;Period;Konto;Ansvar;Verksamhet;Aktivitet;Objekt;Motpart;Text;Belopp",
    ]
    for r in rows:
        lines.append(
            ";".join(
                [
                    r["voucher"],
                    r["date"].isoformat(),
                    r["date"].strftime("%Y%m"),
                    r["account"],
                    r["responsibility"],
                    "310",
                    r["activity"],
                    r["object"],
                    "",
                    r["text"],
                    swedish(r["amount"]),
                ]
            )
        )
    lines.append(f";;;;;;;;;Summa;{swedish(sum(r['amount'] for r in rows))}")
    return "\r\n".join(lines).encode("cp1252")


def agresso_xlsx(rows) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Transaktioner")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Transaktionsfråga huvudbok"])
    sheet.write_row(1, 0, ["Klient: RJH", "Period: 202305 - 202305"])
    header = [
        "Period",
        "Konto",
        "Ansvar",
        "Projekt",
        "Aktivitet",
        "Bilagsnr",
        "Transdatum",
        "Beskrivning",
        "Belopp",
    ]
    sheet.write_row(3, 0, header)
    for i, r in enumerate(rows, start=4):
        sheet.write_number(i, 0, int(r["date"].strftime("%Y%m")))
        sheet.write_string(i, 1, r["account"])
        sheet.write_string(i, 2, r["responsibility"])
        sheet.write_string(i, 3, r["object"])
        sheet.write_string(i, 4, r["activity"])
        sheet.write_number(i, 5, int(r["voucher"]))
        sheet.write_datetime(i, 6, r["date"], dates)
        sheet.write_string(i, 7, r["text"])
        sheet.write_number(i, 8, float(r["amount"]))
    book.close()
    return out.getvalue()


def visma_csv(rows) -> bytes:
    lines = [
        "Huvudbok;;;;;;;",
        "Räkenskapsår: 2023-01-01 - 2023-12-31;;;;;;;",
        "Ver.nr;Datum;Konto;Kontonamn;Kst;Projekt;Text;Belopp",
    ]
    for r in rows:
        lines.append(
            ";".join(
                [
                    f"A{r['voucher']}",
                    r["date"].isoformat(),
                    r["account"],
                    "Övriga kostnader",
                    r["responsibility"],
                    r["object"],
                    r["text"],
                    f"{r['amount']:.2f}".replace(".", ","),
                ]
            )
        )
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def hogia_csv(rows) -> bytes:
    lines = [
        "Transaktionslista\t\t\t\t\t\t",
        "Urval: datum 2023-05-01 - 2023-05-31\t\t\t\t\t\t",
        "",
        "Vernr\tVerdatum\tKonto\tKostnadsställe\tProjekt\tText\tBelopp",
    ]
    for r in rows:
        lines.append(
            "\t".join(
                [
                    r["voucher"],
                    r["date"].isoformat(),
                    r["account"],
                    r["responsibility"],
                    r["object"],
                    r["text"],
                    f"{r['amount']:.2f}",
                ]
            )
        )
    return "\r\n".join(lines).encode("cp1252")


SHAPES = {
    "raindance": (
        "huvudbok_202305.csv",
        raindance_csv,
        5,
        {
            "voucher": "Verifikationsnr",
            "date": "Bokf.datum",
            "period": "Period",
            "account": "Konto",
            "responsibility": "Ansvar",
            "activity_code": "Aktivitet",
            "cost_object": "Objekt",
            "text": "Text",
            "amount": "Belopp",
        },
    ),
    "agresso": (
        "transaktioner.xlsx",
        agresso_xlsx,
        4,
        {
            "period": "Period",
            "account": "Konto",
            "responsibility": "Ansvar",
            "cost_object": "Projekt",
            "activity_code": "Aktivitet",
            "voucher": "Bilagsnr",
            "date": "Transdatum",
            "text": "Beskrivning",
            "amount": "Belopp",
        },
    ),
    "visma": (
        "huvudbok.csv",
        visma_csv,
        3,
        {
            "voucher": "Ver.nr",
            "date": "Datum",
            "account": "Konto",
            "responsibility": "Kst",
            "cost_object": "Projekt",
            "text": "Text",
            "amount": "Belopp",
        },
    ),
    "hogia": (
        "translista.txt",
        hogia_csv,
        4,
        {
            "voucher": "Vernr",
            "date": "Verdatum",
            "account": "Konto",
            "responsibility": "Kostnadsställe",
            "cost_object": "Projekt",
            "text": "Text",
            "amount": "Belopp",
        },
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_months_export_sets_up_its_source_and_imports_to_the_hand_sum(
    shape, client_for, year2023
):
    file_name, write, header_line, expected = SHAPES[shape]
    rows = month_rows(seed=len(shape))
    content = write(rows)
    client = client_for("finance")
    response = client.post(
        reverse("followup:source_new"),
        {"name": shape, "file": SimpleUploadedFile(file_name, content)},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    form = response.context["mapping_form"]
    # The preview shows the title lines and the header row is found below them.
    html = response.content.decode()
    assert "Filens första rader" in html
    assert form.header_line == header_line
    suggested = {
        f.value: form.fields[f.value].initial for f in LedgerField if form.fields[f.value].initial
    }
    assert suggested == expected
    # The user confirms the suggestion as it stands.
    posted = {
        "name": shape,
        "headers": form.initial["headers"],
        "preview": form.initial["preview"],
        "header_row": str(form.header_line),
        **suggested,
    }
    assert client.post(reverse("followup:source_new"), posted).status_code == 302
    source = LedgerSource.objects.get(name=shape)
    assert source.mapping == expected
    response = client.post(
        reverse("followup:upload"),
        {"source": source.pk, "file": SimpleUploadedFile(file_name, content)},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    record = LedgerImport.objects.get(source=source)
    expected_sums = hand_sums(rows)
    on_grant = [r for r in rows if r["object"] in GRANT]
    assert record.rows_kept == len(on_grant)
    assert record.total_amount == sum(expected_sums.values())
    imported = LedgerTransaction.objects.filter(ledger_import=record)
    for number, expected_sum in expected_sums.items():
        kept = imported.filter(cost_object__number=number)
        assert sum(kept.values_list("amount", flat=True)) == expected_sum
    # Dates are read (the date column was mapped), and credit notes and income kept.
    assert not imported.filter(date__isnull=True).exists()
    assert imported.filter(account="3190").count() == sum(
        1 for r in on_grant if r["account"] == "3190"
    )
    assert imported.filter(amount__lt=0, account="5410").exists()


def test_the_demo_source_reads_a_raindance_export_by_its_own_column_names(client_for, year2023):
    """The demo source was mapped with one spelling; a real export writes another
    (Bokf.datum, Verifikationsnr): known synonyms of the same field are accepted."""
    from followup.demo import DEMO_MAPPING

    source = LedgerSource.objects.create(
        name="Huvudbok (äldre)",
        mapping={**DEMO_MAPPING, "date": "Bokföringsdatum", "voucher": "Verifikation"},
    )
    rows = month_rows(seed=99)
    content = raindance_csv(rows)
    response = client_for("finance").post(
        reverse("followup:upload"),
        {"source": source.pk, "file": SimpleUploadedFile("huvudbok.csv", content)},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    record = LedgerImport.objects.get(source=source)
    assert record.total_amount == sum(hand_sums(rows).values())
    first = LedgerTransaction.objects.filter(ledger_import=record).order_by("voucher").first()
    assert first.voucher.isdigit() and first.date is not None


def test_a_misnamed_column_names_the_files_column_in_its_message(year2023, source):
    """A row problem names the column as the file writes it, not as the source was mapped."""
    from followup.actions import LedgerImportError, do_import_ledger_file

    rows = [{**row, "object": "9916"} for row in month_rows(seed=7)[:50]]
    content = raindance_csv(rows).replace(b"2023-05-", b"2023-13-", 1)
    with pytest.raises(LedgerImportError) as refused:
        do_import_ledger_file(SimpleUploadedFile("h.csv", content), source, None)
    assert any("kolumn ”Bokf.datum”" in p for p in refused.value.messages), refused.value.messages


def test_the_preview_leaves_the_upload_open_for_a_file_longer_than_the_preview():
    from followup.ledger_files import preview_of

    binary = io.BytesIO(raindance_csv(month_rows(seed=3)))
    preview = preview_of(binary, "h.csv")
    assert len(preview) == 15
    assert not binary.closed
    binary.seek(0)


def test_suggestions_use_each_column_once_and_leave_unknown_fields_empty():
    assert suggest_mapping(["Datum", "Bokf.datum", "Objekt", "Projekt", "Belopp"]) == {
        "date": "Bokf.datum",
        "cost_object": "Objekt",
        "amount": "Belopp",
    }
    assert json.dumps(suggest_mapping(["Okänd", "Annan"])) == "{}"


@given(
    st.lists(
        st.sampled_from(
            [name for names in FIELD_SYNONYMS.values() for name in names]
            + ["Verksamhet", "Motpart", "Kontonamn", "Summa", "Debet", " Datum ", "VER NR"]
        )
        | st.text(max_size=12),
        max_size=20,
    )
)
def test_a_suggestion_names_only_the_files_columns_each_once_by_a_known_name(headers):
    suggested = suggest_mapping(headers)
    assert set(suggested.values()) <= set(headers)
    assert len(set(suggested.values())) == len(suggested)
    for field, header in suggested.items():
        assert header_key(header) in {header_key(name) for name in FIELD_SYNONYMS[field]}
