"""Issue 24: paste a table of decided amounts, preview, confirm."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from allocations.actions import do_copy_agreement
from allocations.models import DecidedAmount

REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "reference"
RURAL = "Primärvård i landsbygd"


def rural_table() -> str:
    """Bilaga 4 of God och nära vård 2023 as the PDF's text layer gives it (seed 001)."""
    with (REFERENCE / "landsbygdsnyckel-utfall-2023.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    lines = ["Tabell     Fördelning av ekonomiska medel till primärvård i landsbygd", "Kronor", ""]
    for row in rows:
        amount = f"{int(row['belopp_kr']):,}".replace(",", " ")
        lines.append(f"{row['region'].removeprefix('Region ')} {amount}")
    lines += ["Totalt 300 000 000", "", "Källa: egna beräkningar, Tillväxtverket, SCB"]
    return "\n".join(lines)


@pytest.fixture
def copy2024(allocations2023):
    return do_copy_agreement(allocations2023)


def paste_url(agreement, component):
    return reverse("allocations:decided_paste", args=[agreement.pk, component.pk])


def hidden(content: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', content)
    assert match, name
    return match[1]


def test_paste_previews_then_saves_with_source_and_reason(copy2024, client_for, users):
    component = copy2024.components.get(name=RURAL)
    client = client_for("officer")
    url = paste_url(copy2024, component)
    text = rural_table()
    preview = client.post(url, {"text": text, "source": "Bilaga 4", "preview": ""})
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "21 av 21 rader" in content
    assert "Alla regioner och län finns med" in content
    assert not DecidedAmount.objects.filter(component=component).exists()
    # The rows sum to 2 kr less than the table's total, as published; the preview says so.
    assert "299\u00a0999\u00a0998\u00a0kr" in content and "300\u00a0000\u00a0000\u00a0kr" in content
    assert "\u22122\u00a0kr" in content

    # Text changed after the preview: not saved, previewed again.
    changed = client.post(
        url,
        {
            "text": text.replace("Gotland 14", "Gotland 15"),
            "source": "Bilaga 4",
            "confirm": "",
            "previewed": hidden(content, "previewed"),
            f"token_{component.pk}": "",
        },
    )
    assert changed.status_code == 200
    assert not DecidedAmount.objects.filter(component=component).exists()

    saved = client.post(
        url,
        {
            "text": text,
            "source": "Bilaga 4",
            "confirm": "",
            "column_1": str(component.pk),
            "previewed": hidden(content, "previewed"),
            f"token_{component.pk}": hidden(content, f"token_{component.pk}"),
        },
    )
    assert saved.status_code == 302
    decided = {d.region.county_code: d for d in component.decided_amounts.select_related("region")}
    assert len(decided) == 21
    assert decided["23"].amount == Decimal("14897341")
    assert decided["23"].source == "Bilaga 4"
    assert decided["23"].history.get().history_user == users["officer"]
    # The allocation table shows them beside the computed amounts.
    table = client.get(reverse("allocations:table", args=[copy2024.pk, "regioner"]))
    assert "14\u00a0897\u00a0341" in table.content.decode()


def test_a_wrong_line_is_named_and_nothing_is_saved(copy2024, client_for):
    component = copy2024.components.get(name=RURAL)
    text = rural_table().replace("Gotland 14 831 210", "Gotland 14 831,5")
    response = client_for("officer").post(paste_url(copy2024, component), {"text": text})
    assert response.status_code == 400
    assert re.search(
        r"Rad \d+ \(”Gotland”\): ”14 831,5” blir inte hela kronor", response.content.decode()
    )
    assert "Bekräfta och spara" not in response.content.decode()


def test_one_paste_with_several_columns_fills_several_components(copy2024, client_for):
    with (REFERENCE / "gnv-2023-bilaga3-regioner.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    columns = ["vardens_medarbetare", "vidareutbildning"]
    lines = ["Region\tVårdens medarbetare\tVidareutbildning"] + [
        "\t".join([row["region"], *(f"{int(row[c]):,}".replace(",", "\u00a0") for c in columns)])
        for row in rows
    ]
    text = "\n".join(lines)
    staff = copy2024.components.get(name="Vårdens medarbetare, regionerna")
    training = copy2024.components.get(name="Vidareutbildning för sjuksköterskor, regionerna")
    client = client_for("officer")
    url = paste_url(copy2024, staff)
    choice = {"text": text, "column_1": str(staff.pk), "column_2": str(training.pk)}
    content = client.post(url, {**choice, "preview": ""}).content.decode()
    assert "Vårdens medarbetare" in content and "21 av 21 rader" in content
    response = client.post(
        url,
        {
            **choice,
            "confirm": "",
            "reason": "",
            "previewed": hidden(content, "previewed"),
            f"token_{staff.pk}": hidden(content, f"token_{staff.pk}"),
            f"token_{training.pk}": hidden(content, f"token_{training.pk}"),
        },
    )
    assert response.status_code == 302
    assert sum(d.amount for d in staff.decided_amounts.all()) == 1_999_000_000
    assert sum(d.amount for d in training.decided_amounts.all()) == 400_000_000


def test_only_editors_paste(copy2024, client_for):
    component = copy2024.components.get(name=RURAL)
    assert client_for("finance").get(paste_url(copy2024, component)).status_code == 403


NATIONAL_TABLE = """Delområde\tMnkr
Nära vård, regionerna\t2 389
Primärvård i landsbygd\t300
Nära vård, kommunerna\t750
Vårdens medarbetare, regionerna\t1 999
Vårdens medarbetare, kommunerna\t200
Vidareutbildning för sjuksköterskor, regionerna\t400
Vidareutbildning för sjuksköterskor, kommunerna\t100
Karriärtjänster för specialistsjuksköterskor\t100
VFU-satsning för sjuksköterskestudenter\t250
Vision e-hälsa 2025\t70
Ambulanssjukvård\t85
Medel till SKR för insatser som stödjer genomförandet av överenskommelsen\t51,5
Totalt\t6 394,5"""


def test_national_amounts_pasted_fill_the_copy(copy2024, allocations2023, client_for):
    client = client_for("officer")
    url = reverse("allocations:national_paste", args=[copy2024.pk])
    form = {"text": NATIONAL_TABLE, "unit": "mnkr", "source": "Överenskommelsen 2024"}
    content = client.post(url, {**form, "preview": ""}).content.decode()
    assert "summan är lika med den" in content
    assert copy2024.components.filter(national_amount__isnull=False).count() == 0
    response = client.post(
        url,
        {
            **form,
            "confirm": "",
            "previewed": hidden(content, "previewed"),
            "token": hidden(content, "token"),
        },
    )
    assert response.status_code == 302
    copy2024.refresh_from_db()
    assert copy2024.national_total == Decimal("6394500000")
    amounts = dict(copy2024.components.values_list("name", "national_amount"))
    assert amounts == dict(allocations2023.components.values_list("name", "national_amount"))
    rural = copy2024.components.get(name=RURAL)
    assert rural.history.latest().history_change_reason.endswith("Överenskommelsen 2024")
    # Changing them again needs a reason; without one nothing is saved.
    again = NATIONAL_TABLE.replace("Ambulanssjukvård\t85", "Ambulanssjukvård\t86")
    content = client.post(url, {**form, "text": again, "preview": ""}).content.decode()
    refused = client.post(
        url,
        {
            **form,
            "text": again,
            "confirm": "",
            "previewed": hidden(content, "previewed"),
            "token": hidden(content, "token"),
        },
    )
    assert refused.status_code == 400 and "skälet" in refused.content.decode()
    assert copy2024.components.get(name="Ambulanssjukvård").national_amount == 85_000_000


def test_a_national_line_naming_no_component_is_named(copy2024, client_for):
    text = NATIONAL_TABLE.replace("Vision e-hälsa 2025", "Vision e-hälsa 2030")
    response = client_for("officer").post(
        reverse("allocations:national_paste", args=[copy2024.pk]), {"text": text, "unit": "mnkr"}
    )
    assert response.status_code == 400
    assert "Rad 11: ”Vision e-hälsa 2030” är inget av överenskommelsens delområden" in (
        response.content.decode()
    )


def test_a_paste_confirmed_after_someone_else_saved_is_refused(copy2024, client_for):
    from allocations.actions import do_set_decided_amounts

    component = copy2024.components.get(name=RURAL)
    client = client_for("officer")
    url = paste_url(copy2024, component)
    text = rural_table()
    content = client.post(url, {"text": text, "preview": ""}).content.decode()
    do_set_decided_amounts(component, {"23": Decimal("1")})  # someone else, meanwhile
    response = client.post(
        url,
        {
            "text": text,
            "confirm": "",
            "previewed": hidden(content, "previewed"),
            f"token_{component.pk}": hidden(content, f"token_{component.pk}"),
        },
    )
    assert response.status_code == 400
    assert "har ändrats av någon annan" in response.content.decode()
    assert list(component.decided_amounts.values_list("amount", flat=True)) == [Decimal("1")]


def municipality_table(column: str) -> tuple[str, dict[str, Decimal]]:
    """Seed 001's bilaga 2 (money to the municipalities, per county: the reference CSV) as a
    table per municipality, tab-separated: each county's amount spread over its
    municipalities (the whole kronor left over on the first), named as agreements do, in
    alphabetical order across counties. The CSV has no per-municipality amounts, so the
    split is made here; the per-county sums are the CSV's."""
    with (REFERENCE / "gnv-2023-bilaga2-kommuner.csv").open(encoding="utf-8") as f:
        per_county = {r["lanskod"]: Decimal(r[column]) for r in csv.DictReader(f, delimiter=";")}
    with (REFERENCE / "kommuner.csv").open(encoding="utf-8") as f:
        municipalities = [(r["kommunkod"], r["kommun"]) for r in csv.DictReader(f, delimiter=";")]
    rows = []
    for county, amount in per_county.items():
        mine = [name for code, name in municipalities if code[:2] == county]
        share, rest = divmod(int(amount), len(mine))
        for n, name in enumerate(mine):
            written = [name, f"{name} kommun", f"{name}s kommun"][n % 3]
            if name.endswith("s") or name == "Gotland":
                written = "Region Gotland" if name == "Gotland" else f"{name} kommun"
            rows.append((name, written, share + (rest if n == 0 else 0)))
    rows.sort()
    lines = ["Bilaga 2. Medel till kommunerna, kronor", "Kommun\tNära vård"]
    lines += [f"{written}\t{amount:,}".replace(",", "\u00a0") for _, written, amount in rows]
    lines.append(f"Totalt\t{sum(per_county.values()):,}".replace(",", " "))
    return "\n".join(lines), per_county


def test_a_municipality_table_is_saved_as_the_sums_per_county(allocations2023, client_for):
    component = allocations2023.components.get(name="Nära vård, kommunerna")
    text, per_county = municipality_table("nara_vard")
    client = client_for("officer")
    url = paste_url(allocations2023, component)
    preview = client.post(url, {"text": text, "source": "Bilaga 2", "preview": ""})
    content = preview.content.decode()
    assert preview.status_code == 200, content
    assert "290 av 290 rader" in content and "matchade mot en kommun" in content
    assert "Alla 290 kommuner finns med" in content
    assert 'id="county-sums"' in content
    assert "Strömsund" in content and "Region Jämtland Härjedalen" in content
    total = sum(per_county.values())
    assert total == component.national_amount
    saved = client.post(
        url,
        {
            "text": text,
            "source": "Bilaga 2",
            "confirm": "",
            "column_1": str(component.pk),
            "previewed": hidden(content, "previewed"),
            f"token_{component.pk}": hidden(content, f"token_{component.pk}"),
        },
    )
    assert saved.status_code == 302
    decided = {
        d.region.county_code: d.amount for d in component.decided_amounts.select_related("region")
    }
    assert decided == per_county


def test_a_municipality_table_names_the_unmatched_doubled_and_missing(allocations2023, client_for):
    component = allocations2023.components.get(name="Nära vård, kommunerna")
    text = "Strömsund\t1 000\nÖstersunds kommun\t2 000\nAnkeborg\t5\nStrömsunds kommun\t3"
    preview = client_for("officer").post(
        paste_url(allocations2023, component), {"text": text, "preview": ""}
    )
    content = preview.content.decode()
    assert preview.status_code == 400
    assert "Rad 3: ”Ankeborg” motsvarar ingen kommun." in content
    assert "Rad 4: ”Strömsunds kommun” finns redan på rad 1" in content
    assert "Saknas i tabellen (288)" in content and "Berg" in content
