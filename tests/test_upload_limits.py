"""Every upload kind refuses a file over each of its limits (rows, columns, bytes, nesting,
decompression) with a Swedish message naming the limit, saving nothing, and accepts a file at
its documented maximum. No timing here: scripts/bench_uploads.py prints the times."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from allocations.importing import ImportFileError, read_county_table
from allocations.models import KeyDataSet, KeyDataValue
from allocations.scb import ScbError, read_population
from filestore.models import StoredFile
from plan.kolada import parse_kolada
from plan.models import Measurement
from reporting.forms import SignedCopyForm
from reporting.models import StateGrant, StateGrantLine

from .plan.conftest import plan_data
from .upload_bombs import (
    columns_bomb,
    county_table,
    depth_bomb,
    kolada_json,
    register_file,
    rows_bomb,
    size_bomb,
    xlsx_cells_bomb,
    xlsx_empty_rows,
)


def codes():
    from grants.models import Region

    return list(Region.objects.values_list("county_code", flat=True))


def post_key_data(client, name, content):
    return client.post(
        reverse("allocations:dataset_import"),
        {
            "name": "Nyckeldata",
            "measure": "befolkning",
            "reference_date": "2023-11-01",
            "source": "test",
            "file": SimpleUploadedFile(name, content),
        },
    )


# --- Key data and decided amounts (one reader) ----------------------------------------------

KEY_DATA_BOMBS = {
    # The header that held a worker 120 s (200 000 columns, 1.5 MB).
    "columns": (
        "kolumner.csv",
        lambda: columns_bomb(200_000),
        "gränsen för filen är 200 kolumner utöver länskod och namn",
    ),
    "rows": ("rader.csv", lambda: rows_bomb(1_001), "gränsen är 1\u00a0000 rader"),
    "bytes": ("stor.csv", lambda: size_bomb(5 * 1024 * 1024 + 1), "gränsen är 5 MB"),
    "xlsx-cells": ("celler.xlsx", xlsx_cells_bomb, "gränsen är 202\u00a0202 celler"),
    "xlsx-empty-rows": ("tomma.xlsx", lambda: xlsx_empty_rows(100_000), "gränsen är"),
}


@pytest.mark.parametrize("kind", KEY_DATA_BOMBS)
def test_a_key_data_bomb_is_refused_naming_the_limit(client_for, db, kind):
    name, make, message = KEY_DATA_BOMBS[kind]
    response = post_key_data(client_for("officer"), name, make())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not KeyDataSet.objects.exists() and not KeyDataValue.objects.exists()
    assert not StoredFile.objects.exists()


def test_a_key_data_file_at_the_maximum_is_read_in_with_its_history(client_for, db):
    width = settings.KEYDATA_MAX_COLUMNS
    response = post_key_data(client_for("officer"), "bred.csv", county_table(codes(), width))
    assert response.status_code == 302, response.content.decode()[:2000]
    dataset = KeyDataSet.objects.get()
    assert dataset.columns.count() == width
    assert list(dataset.columns.values_list("position", flat=True)) == list(range(1, width + 1))
    assert KeyDataValue.objects.count() == width * len(codes())
    assert KeyDataValue.history.filter(history_user__username="hospa").count() == (
        width * len(codes())
    )
    assert StoredFile.objects.get().file_name == "bred.csv"


def test_a_column_name_longer_than_kept_is_refused(db):
    header = "lanskod;region;" + "x" * 81
    content = (header + "\n" + "\n".join(f"{c};Län;1" for c in codes())).encode()
    with pytest.raises(ImportFileError, match="längre än 80 tecken"):
        read_county_table(content, "lang.csv", dict.fromkeys(codes(), "Län"))


def test_a_decided_amount_file_over_the_column_limit_is_refused(client_for, allocations2023):
    component = allocations2023.components.first()
    response = client_for("officer").post(
        reverse("allocations:decided_import", args=[allocations2023.pk, component.pk]),
        {"file": SimpleUploadedFile("kolumner.csv", columns_bomb(10_000)), "reason": "test"},
    )
    assert response.status_code in (200, 400)
    assert "gränsen för filen är 200 kolumner utöver länskod och namn" in response.content.decode()


def test_the_form_refuses_a_key_data_file_over_the_byte_limit_before_reading_it(
    client_for, db, settings
):
    settings.KEYDATA_MAX_UPLOAD_MB = 1
    response = post_key_data(client_for("officer"), "stor.csv", size_bomb(1024 * 1024 + 1))
    assert response.status_code == 400
    assert "gränsen är 1 MB" in response.content.decode()


# --- The state-grant register ---------------------------------------------------------------

REGISTER_BOMBS = {
    # 200 000 rows (6 MB) held a worker 120 s, inserting one row at a time.
    "rows": ("rader.csv", lambda: register_file(5_001), "gränsen är 5\u00a0000 rader"),
    "columns": ("kolumner.csv", lambda: columns_bomb(100), "gränsen för registerfilen är 50"),
    "bytes": (
        "stor.csv",
        lambda: size_bomb(5 * 1024 * 1024 + 1, "Statsbidrag;Belopp;Kommentar"),
        "gränsen är 5 MB",
    ),
    "xlsx-cells": ("celler.xlsx", xlsx_cells_bomb, "celler"),
}


@pytest.mark.parametrize("kind", REGISTER_BOMBS)
def test_a_register_bomb_is_refused_naming_the_limit(client_for, db, kind):
    name, make, message = REGISTER_BOMBS[kind]
    response = client_for("officer").post(
        reverse("reporting:register_import", args=[2023]),
        {"file": SimpleUploadedFile(name, make())},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StateGrant.objects.exists()


def test_a_register_file_at_the_maximum_is_read_in_with_its_history(client_for, db):
    rows = settings.REGISTER_MAX_ROWS
    response = client_for("officer").post(
        reverse("reporting:register_import", args=[2023]),
        {"file": SimpleUploadedFile("register.csv", register_file(rows))},
    )
    assert response.status_code == 302
    assert StateGrant.objects.count() == StateGrantLine.objects.count() == rows
    assert list(StateGrant.objects.order_by("position").values_list("position", flat=True)[:3]) == [
        1,
        2,
        3,
    ]
    assert StateGrant.history.filter(history_user__username="hospa").count() == rows
    assert StateGrantLine.history.count() == rows
    last = StateGrant.objects.get(name=f"Statsbidrag {rows - 1}")
    assert last.position == rows and last.lines.get().amount == rows * 1000


# --- Kolada ---------------------------------------------------------------------------------


@pytest.fixture
def bare_plan(db):
    """The demo plan without the agreement (as tests/plan/conftest.py's)."""
    from plan.demo import load_plan_setup

    data = plan_data()
    data.pop("links")
    data.pop("agreement_indicators")
    return load_plan_setup(data)


def test_a_kolada_file_over_the_value_limit_is_refused(db):
    problems = parse_kolada(kolada_json(100_001), "kolada.json").problems
    assert problems == [
        "Kolada-filen har fler än 100\u00a0000 värden; gränsen är 100\u00a0000 värden. "
        "Hämta färre år eller kommuner."
    ]


def test_a_kolada_csv_over_the_value_limit_is_refused(db, settings):
    settings.KOLADA_MAX_VALUES = 10
    text = "kpi;municipality;period;value\n" + "N15428;2380;2021;1\n" * 11
    problems = parse_kolada(text.encode(), "kolada.csv").problems
    assert problems and "gränsen är 10 värden" in problems[0]


def test_a_kolada_depth_bomb_is_refused_before_parsing(db):
    problems = parse_kolada(depth_bomb(1_000_000), "djup.json").problems
    assert problems == [
        "Kolada-filen är nästlad 1\u00a0000\u00a0000 nivåer djupt; gränsen är 10 nivåer."
    ]


def test_the_kolada_page_refuses_a_file_over_the_byte_limit(client_for, bare_plan, settings):
    settings.KOLADA_MAX_UPLOAD_MB = 1
    response = client_for("officer").post(
        reverse("plan:kolada", args=[bare_plan.pk]),
        {"file": SimpleUploadedFile("stor.json", b" " * (1024 * 1024 + 1))},
    )
    assert response.status_code == 400
    assert "gränsen är 1 MB" in response.content.decode()


def test_a_kolada_file_at_the_maximum_is_read_in(client_for, bare_plan):
    content = kolada_json(settings.KOLADA_MAX_VALUES)
    assert len(content) <= settings.KOLADA_MAX_UPLOAD_MB * 1024 * 1024
    response = client_for("officer").post(
        reverse("plan:kolada", args=[bare_plan.pk]),
        {"file": SimpleUploadedFile("kolada.json", content)},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Measurement.objects.filter(party__kolada_id="2380", year=2000).exists()


# --- Signed copies and SCB's answer ---------------------------------------------------------


def test_a_signed_copy_over_the_byte_limit_is_refused_by_the_form(settings):
    settings.SIGNED_COPY_MAX_UPLOAD_MB = 1
    over = SimpleUploadedFile("kopia.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    form = SignedCopyForm({"signatory": "Lars", "signed_on": "2024-01-10"}, {"file": over})
    assert not form.is_valid()
    assert "gränsen är 1 MB" in form.errors["file"][0]
    at = SimpleUploadedFile("kopia.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9))
    form = SignedCopyForm({"signatory": "Lars", "signed_on": "2024-01-10"}, {"file": at})
    assert form.is_valid(), form.errors


def test_an_scb_answer_nested_too_deep_is_refused():
    with pytest.raises(ScbError, match="gränsen är 20 nivåer"):
        read_population(depth_bomb(100_000), ["23"], "2023M10")


def test_the_ledger_mapping_page_takes_a_preview_nested_a_million_deep_as_not_well_formed():
    from followup.forms import _preview_rows

    assert _preview_rows("[" * 1_000_000 + "]" * 1_000_000) is None


def test_a_sie_file_over_its_own_limit_is_refused_naming_it(db, settings):
    from followup.actions import LedgerImportError, do_import_ledger_file
    from followup.models import LedgerImport

    settings.LEDGER_SIE_MAX_UPLOAD_MB = 1
    content = b"#FLAGGA 0\r\n#SIETYP 4\r\n" + b'#PROGRAM "x"\r\n' * 80_000
    assert len(content) > 1024 * 1024
    with pytest.raises(LedgerImportError, match="gränsen för SIE-filer är 1 MB"):
        do_import_ledger_file(SimpleUploadedFile("stor.se", content), None, None)
    assert not LedgerImport.objects.exists()
