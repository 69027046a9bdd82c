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
