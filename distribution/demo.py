"""Load an agreement's internal distribution from a setup file (fixtures/distribution/*.json)
through the same actions the pages use, so the demo obeys the same rules."""

from django.conf import settings
from django.db import transaction

from allocations.actions import do_set_decided_amounts
from common.money import parse_amount
from grants.models import Agreement

from .actions import do_save_activity
from .models import Activity, AreaPlan, CostObject

ACTIVITY_FIELDS = ["goal", "name", "covers", "responsible", "status", "private_providers", "notes"]


@transaction.atomic
def load_distribution_setup(data: dict, *, acting_user=None) -> Agreement:
    agreement = Agreement.objects.get(slug=data["agreement"])
    components = {c.name: c for c in agreement.components.all()}
    areas = {a.name: a for a in agreement.areas.all()}
    for name, amount in data.get("own_region_decided", {}).items():
        component = components[name]
        existing = {
            d.region.county_code: d.amount
            for d in component.decided_amounts.select_related("region")
        }
        existing[settings.OWN_REGION_CODE] = parse_amount(amount)
        do_set_decided_amounts(
            component,
            existing,
            source=data.get("source", ""),
            acting_user=acting_user,
            reason="Regionens beslutade belopp enligt demodata",
        )
    objects = {}
    for spec in data.get("cost_objects", []):
        objects[spec["number"]], _ = CostObject.objects.get_or_create(
            year=agreement.year,
            number=spec["number"],
            defaults={"name": spec["name"], "area": areas[spec["area"]]},
        )
    defaults = data.get("defaults", {})
    for area_spec in data.get("areas", []):
        area = areas[area_spec["area"]]
        AreaPlan.objects.update_or_create(
            area=area,
            defaults={
                "overall_responsible": area_spec.get("overall_responsible", ""),
                "notes": area_spec.get("notes", ""),
            },
        )
        for position, spec in enumerate(area_spec.get("activities", []), start=1):
            values = {field: spec.get(field, defaults.get(field, "")) for field in ACTIVITY_FIELDS}
            if values["private_providers"] == "":
                values["private_providers"] = None
            activity = Activity(
                area=area,
                position=position,
                amount=parse_amount(spec["amount"]),
                cost_object=objects.get(spec.get("cost_object")),
                ring_fenced_component=components.get(spec.get("ring_fenced_component")),
                **values,
            )
            do_save_activity(activity, acting_user=acting_user, reason="Inläst från beslutet")
    return agreement
