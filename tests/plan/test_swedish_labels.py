"""Plain Swedish labels: the history of an indicator's values says "indikator" and "part",
never the code's English field names."""

import pytest
from django.apps import apps
from django.urls import reverse

from plan.actions import do_save_measurement
from plan.models import Measurement

# Words that are the same in Swedish as the field's name.
SAME_IN_SWEDISH = {"status", "plan", "version"}


@pytest.mark.parametrize("app", ["plan", "distribution", "grants", "allocations"])
def test_every_field_has_a_swedish_name(app):
    english = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and not field.auto_created
        and field.name not in SAME_IN_SWEDISH
        and field.verbose_name == field.name.replace("_", " ")
    ]
    assert english == []


def test_the_value_history_reads_in_swedish(client_for, demo_plan, users):
    measurement = Measurement.objects.select_related("indicator").first()
    measurement.value += 1
    do_save_measurement(
        measurement, acting_user=users["officer"], expected_version=measurement.version
    )
    page = (
        client_for("officer")
        .get(reverse("plan:indicator", args=[measurement.indicator_id]))
        .content.decode()
    )
    assert "Indicator:" not in page and "Party:" not in page
    assert "Indikator:" in page or "Part:" in page


def test_a_status_reads_as_a_status_and_the_add_link_as_a_link(client_for, demo_plan):
    from plan.models import SubStatus

    assert "…" not in SubStatus.PART_OF.label
    page = client_for("officer").get(reverse("plan:detail", args=[demo_plan.pk])).content.decode()
    assert "(ny part)" not in page and ">ny part<" not in page
    assert f'href="{reverse("plan:party_add", args=[demo_plan.pk])}">Lägg till en part</a>' in page
    followup = client_for("officer").get(reverse("plan:followup", args=[demo_plan.pk]))
    assert "Ingår i …" not in followup.content.decode()
