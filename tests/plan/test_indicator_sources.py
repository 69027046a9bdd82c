"""Every measure of the plan and every indicator of the agreement says where its values come
from: a Kolada key figure, or the register or survey, or "egen mätning"."""

from plan.models import Indicator


def test_every_indicator_names_its_source(demo_plan):
    indicators = list(Indicator.objects.all())
    assert len(indicators) == 12
    unnamed = [i.name for i in indicators if not (i.kolada_kpi or i.source.strip())]
    assert unnamed == []
    by_name = {i.name: i for i in indicators}
    assert by_name["Självskattat allmänt hälsotillstånd (Hälsa på lika villkor)"].source == (
        "Hälsa på lika villkor (enkät)"
    )
    assert "egen mätning" in by_name["Läkarbesök i hemmet (inkl. SÄBO)"].source


def test_the_agreements_indicators_name_where_their_values_come_from(demo_plan):
    """Not the agreement that sets the target (it was named as the source of all four): the
    region's statistics or SKR's Primärvårdskvalitet, none with a Kolada key figure
    (fixtures/plan/README.md says what was looked for and where)."""
    sources = dict(Indicator.objects.filter(agreement__isnull=False).values_list("name", "source"))
    assert len(sources) == 4
    assert not [s for s in sources.values() if s.startswith("Överenskommelse")]
    assert sources["Kontinuitetsindex till läkare i primärvården"].startswith(
        "Primärvårdskvalitet (SKR)"
    )
    assert sources[
        "Andel i befolkningen med namngiven fast läkarkontakt i primärvården"
    ].startswith("Regionens verksamhetsstatistik")
