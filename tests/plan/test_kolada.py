"""Kolada files: read exactly, every problem named with its row, nothing saved on a problem."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from plan.actions import do_import_kolada
from plan.kolada import parse_kolada
from plan.models import Indicator, Measurement

from .conftest import FILES

N15428 = "Elever i åk 9 som är behöriga till yrkesprogram på gymnasiet"


def read(name):
    return (FILES / name).read_bytes()


def test_json_is_read_exactly_with_every_gender():
    result = parse_kolada(read("kolada-n15428.json"))
    assert result.problems == []
    first = result.values[1]
    assert (first.kpi, first.municipality, first.year, first.gender) == (
        "N15428",
        "2380",
        2022,
        "M",
    )
    assert first.value == D("79.15")  # never through float
    missing = [v for v in result.values if v.municipality == "2303"]
    assert missing[0].value is None


def test_csv_export_with_swedish_headers_and_decimal_comma():
    result = parse_kolada(read("kolada-export.csv"))
    assert result.problems == []
    assert [(v.municipality, v.gender, v.value) for v in result.values] == [
        ("2380", "T", D("80.4")),
        ("2380", "K", D("82.25")),
        ("2309", "T", D("76")),
        ("0180", "T", D("85.1")),
    ]


def test_bad_json_names_every_problem_by_post_and_field():
    problems = parse_kolada(read("kolada-bad.json")).problems
    text = "\n".join(problems)
    assert "Post 1 (kön X): kön ”X” ska vara T, K eller M." in text
    assert "Post 2 (kön T): kommun/region ”Östersund” är inget Kolada-id" in text
    assert "Post 3 (kön T): perioden ”tjugo” är inget år" in text
    assert "Post 4 (kön T): värdet ”mycket” är inget tal." in text
    assert "Post 5 (kön T): nyckeltalet ”kontinuitet” är inget Kolada-id" in text
    assert "Post 6: fältet period saknas." in text
    assert len(problems) == 6


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "Filen är tom."),
        (b'{"values": [', "Filen är inte giltig JSON"),
        (b'{"rows": []}', "saknar listan ”values”"),
        (b"kpi;period;value\n", "kolumnen för kommun-id saknas"),
        (b"kpi;municipality;period;value\nN15428;2380;2023\n", "Rad 2: har 3 kolumner"),
        (b"kpi;municipality;period;value\nN15428;2380;2023;12,5,5\n", "Rad 2: värdet"),
        (
            "\ufeffkpi;municipality;period;gender;value\nN15428;2380;2023;Båda;1\n".encode(),
            "Rad 2: kön ”Båda”",
        ),
    ],
)
def test_bad_files_are_refused_with_a_message(content, message):
    problems = parse_kolada(content).problems
    assert problems and message in " ".join(problems)


def test_import_puts_values_on_party_year_and_gender(bare_plan, users):
    parsed = parse_kolada(read("kolada-n15428.json"))
    result = do_import_kolada(
        bare_plan, parsed.values, acting_user=users["officer"], source="Kolada, fil test.json"
    )
    assert result.problems == []
    assert (result.created, result.other_parties, result.missing_values) == (4, 1, 1)
    values = {
        (m.party.name, m.year, m.gender): m.value
        for m in Measurement.objects.filter(indicator__name=N15428)
    }
    assert values == {
        ("Östersund", 2022, "K"): D("84.6"),
        ("Östersund", 2022, "M"): D("79.15"),
        ("Östersund", 2022, "T"): D("81.8"),
        ("Östersund", 2023, "T"): D("83.05"),
    }
    record = Measurement.history.filter(year=2023).latest("history_date")
    assert record.history_user == users["officer"]
    assert record.history_change_reason == "Import från Kolada: Kolada, fil test.json"


def test_import_again_changes_only_what_differs(bare_plan, users):
    values = parse_kolada(read("kolada-n15428.json")).values
    do_import_kolada(bare_plan, values, acting_user=users["officer"], source="första")
    changed = read("kolada-n15428.json").replace(b"83.05", b"83.5")
    again = do_import_kolada(
        bare_plan, parse_kolada(changed).values, acting_user=users["officer"], source="andra"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 3)
    value = Measurement.objects.get(indicator__name=N15428, year=2023)
    assert value.value == D("83.5") and value.version == 2 and value.source == "andra"


def test_a_kpi_no_indicator_names_refuses_the_whole_file(bare_plan, users):
    content = read("kolada-n15428.json").replace(
        b'"kpi": "N15428", "municipality": "2380", "period": 2023',
        b'"kpi": "N00945", "municipality": "2380", "period": 2023',
    )
    result = do_import_kolada(
        bare_plan, parse_kolada(content).values, acting_user=users["officer"], source="x"
    )
    assert result.problems == [
        "Post 2 (kön T): nyckeltalet N00945 hör inte till något mått i planen."
    ]
    assert not Measurement.objects.filter(indicator__name=N15428).exists()


def test_a_gender_split_the_indicator_does_not_have_is_refused(bare_plan, users):
    indicator = Indicator.objects.get(name=N15428)
    indicator.split_by_gender = False
    indicator.save()
    result = do_import_kolada(
        bare_plan,
        parse_kolada(read("kolada-n15428.json")).values,
        acting_user=users["officer"],
        source="x",
    )
    assert "Post 1 (kön K): ”Elever i åk 9" in result.problems[0]
    assert not Measurement.objects.filter(indicator=indicator).exists()


def test_upload_page_as_officer_good_and_bad(client_for, bare_plan):
    client = client_for("officer")
    url = reverse("plan:kolada", args=[bare_plan.pk])
    response = client.post(
        url, {"file": SimpleUploadedFile("kolada.csv", read("kolada-export.csv"))}
    )
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "3 nya värden" in follow.content.decode()
    assert "1 värden för andra kommuner" in follow.content.decode()

    response = client.post(url, {"file": SimpleUploadedFile("fel.json", read("kolada-bad.json"))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Filen kunde inte läsas in – inget har sparats" in page
    assert "Post 3 (kön T): perioden ”tjugo” är inget år" in page
    assert Measurement.objects.filter(indicator__name=N15428).count() == 3


@pytest.mark.parametrize("who", ["finance", "manager", "norole"])
def test_only_editors_upload(client_for, bare_plan, who):
    response = client_for(who).post(
        reverse("plan:kolada", args=[bare_plan.pk]),
        {"file": SimpleUploadedFile("kolada.csv", read("kolada-export.csv"))},
    )
    assert response.status_code == 403
    assert not Measurement.objects.filter(indicator__name=N15428).exists()


def test_fetch_command_uses_the_same_parser_offline(bare_plan, monkeypatch):
    """The API answer is served from a saved file: the machine running tests has no network."""
    from plan.management.commands import fetch_kolada

    asked = []

    def fake_fetch(url):
        asked.append(url)
        return read("kolada-n15428.json")

    monkeypatch.setattr(fetch_kolada, "fetch_url", fake_fetch)
    call_command("fetch_kolada", "--years", "2022,2023")
    assert asked == [
        "https://api.kolada.se/v2/data/kpi/N15428/municipality/"
        "0023,2303,2305,2309,2313,2321,2326,2361,2380/year/2022,2023"
    ]
    assert Measurement.objects.filter(indicator__name=N15428).count() == 4
    with pytest.raises(CommandError, match="--years"):
        call_command("fetch_kolada", "--years", "förra året")


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_any_bytes_get_an_answer_never_an_exception(content):
    result = parse_kolada(content)
    assert isinstance(result.values, list) and isinstance(result.problems, list)
    assert all(isinstance(p, str) and p for p in result.problems)


@given(
    st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False),
    st.sampled_from(["T", "K", "M"]),
)
@settings(max_examples=100, deadline=None)
def test_csv_values_are_read_exactly(value, gender):
    text = f"{value:f}".replace(".", ",").replace("-", "\u2212")
    content = f"kpi;municipality;period;gender;value\nN15428;2380;2023;{gender};{text}\n"
    (row,) = parse_kolada(content.encode()).values
    assert row.value == value and row.gender == gender


def test_a_value_with_more_decimals_than_kept_is_refused_not_rounded(bare_plan, users):
    content = read("kolada-n15428.json").replace(b"83.05", b"83.0512345")
    result = do_import_kolada(
        bare_plan, parse_kolada(content).values, acting_user=users["officer"], source="x"
    )
    assert len(result.problems) == 1 and result.problems[0].startswith("Post 2 (kön T): ")
    assert result.saved == 0
    assert not Measurement.objects.filter(indicator__name=N15428).exists()


def test_fetch_command_fetches_the_agreements_indicators_too(demo_plan, monkeypatch):
    """Every indicator with a Kolada KPI is fetched, the agreement's as well as the plan's, and
    its values land on it (issue 22 point 8). N00000 is a test id, not a real Kolada KPI."""
    from plan.management.commands import fetch_kolada

    fast_doctor = Indicator.objects.get(
        agreement__isnull=False, name__startswith="Andel i befolkningen med namngiven fast"
    )
    fast_doctor.kolada_kpi = "N00000"
    fast_doctor.save()
    answers = {"N15428": "kolada-n15428.json", "N00000": "kolada-agreement-kpi.json"}
    asked = []

    def fake_fetch(url):
        kpi = url.split("/kpi/")[1].split("/")[0]
        asked.append(kpi)
        return read(answers[kpi])

    monkeypatch.setattr(fetch_kolada, "fetch_url", fake_fetch)
    call_command("fetch_kolada", "--years", "2022,2023")
    assert asked == ["N00000", "N15428"]
    # The demo's example values of earlier years stay; 2022 and 2023 are Kolada's.
    values = Measurement.objects.filter(
        indicator=fast_doctor, year__in=[2022, 2023], gender="T", half=0, group=""
    ).order_by("year")
    assert [(m.party.kolada_id, m.year, m.value) for m in values] == [
        ("0023", 2022, D("31.4")),
        ("0023", 2023, D("33.9")),
    ]
    assert Measurement.objects.filter(indicator__name=N15428).count() == 4


def test_a_file_nested_too_deep_is_refused_with_a_message():
    """json.loads gives up with a RecursionError long before 100 000 levels (was a 500)."""
    problems = parse_kolada(b"[" * 100_000 + b"]" * 100_000, "djup.json").problems
    assert problems == ["Kolada-filen är nästlad 100\u00a0000 nivåer djupt; gränsen är 10 nivåer."]


@pytest.mark.parametrize("indicator", ["abc", "1.5", "NaN", "١", "99999"])
def test_an_indicator_that_is_no_id_or_none_of_ours_is_not_found(client_for, bare_plan, indicator):
    before = Measurement.objects.count()
    response = client_for("officer").post(
        reverse("plan:kolada", args=[bare_plan.pk]),
        {"indicator": indicator, "file": SimpleUploadedFile("k.csv", read("kolada-export.csv"))},
    )
    assert response.status_code == 404
    assert Measurement.objects.count() == before
