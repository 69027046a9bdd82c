"""The demo plan holds the whole of Bilaga 1 (seed 002, 9.1–9.5) and the agreement's indicators."""

from django.core.management import call_command

from plan.models import (
    ActivityLink,
    Indicator,
    Measurement,
    MeasureQuestion,
    Plan,
    PlanActivity,
    Strategy,
    SubActivity,
    SubStatus,
)


def test_bilaga_1_whole(demo_plan):
    assert list(Strategy.objects.values_list("name", flat=True)) == [
        "Ökad delaktighet",
        "Ökad kontinuitet",
        "Ökad tillgänglighet",
        "Hälsofrämjande och förebyggande fokus",
        "Ökad samordning och samverkan",
    ]
    per_strategy = {
        s.name: (s.indicators.count(), s.activities.count()) for s in Strategy.objects.all()
    }
    assert per_strategy == {
        "Ökad delaktighet": (2, 2),
        "Ökad kontinuitet": (1, 4),
        "Ökad tillgänglighet": (2, 5),
        "Hälsofrämjande och förebyggande fokus": (2, 1),
        "Ökad samordning och samverkan": (1, 4),
    }
    assert SubActivity.objects.count() == 36
    assert MeasureQuestion.objects.count() >= 35
    assert PlanActivity.objects.filter(priority_from=2025, priority_to=2026).count() == 3
    statuses = {s: SubActivity.objects.filter(status=s).count() for s in SubStatus.values}
    assert statuses[SubStatus.NEEDS_MANDATE] == 4
    assert statuses[SubStatus.PART_OF] == 5
    sip = Indicator.objects.get(name__startswith="Antal SIP")
    assert (sip.frequency, sip.group_list()) == ("halvar", ["Barn och unga", "Vuxna"])
    assert Indicator.objects.get(name__startswith="Påverkbar slutenvård").target_kind == "decrease"
    arenas = Indicator.objects.get(name__startswith="Finns fungerande samverkansarenor")
    assert arenas.target_kind == "yes" and not arenas.split_by_gender


def test_agreement_indicators_and_example_values(demo_plan):
    national = Indicator.objects.filter(agreement__slug="god-och-nara-vard-2023")
    assert {(i.target_kind, i.threshold, i.base_year) for i in national} == {
        ("at_least", 55, None),
        ("at_least", 80, None),
        ("increase_by_percent", 20, 2021),
    }
    with_values = Indicator.objects.filter(measurements__isnull=False).distinct()
    assert with_values.count() == 3
    assert set(Measurement.objects.values_list("source", flat=True)) == {
        "Exempelvärden (påhittade för demonstration, inte verkliga uppgifter)"
    }
    assert ActivityLink.objects.count() == 5


def test_command_loads_once(distribution2023, capsys):
    call_command("load_demo_plan")
    call_command("load_demo_plan")
    assert Plan.objects.count() == 1
    assert "lämnas orörd" in capsys.readouterr().out
