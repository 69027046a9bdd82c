"""Load an agreement's key data, rules and decided amounts from a setup file
(fixtures/allocations/*.json), through the same actions the pages use."""

import datetime
from pathlib import Path

from django.db import transaction

from common.money import parse_amount, parse_decimal
from common.versioning import save_checked
from grants.models import Agreement

from .actions import counties, do_import_key_data, do_save_rule, do_set_decided_amounts
from .importing import read_county_table
from .models import KeyDataColumn, KeyDataSet, Method


@transaction.atomic
def load_allocation_setup(data: dict, base_dir: Path, *, acting_user=None) -> Agreement:
    agreement = Agreement.objects.get(slug=data["agreement"])
    valid_counties = counties()

    def table(relative):
        path = (base_dir / relative).resolve()
        return read_county_table(path.read_bytes(), path.name, valid_counties)

    for spec in data.get("datasets", []):
        if KeyDataSet.objects.filter(name=spec["name"]).exists():
            continue
        do_import_key_data(
            name=spec["name"],
            measure=spec["measure"],
            reference_date=datetime.date.fromisoformat(spec["reference_date"]),
            source=spec.get("source", ""),
            notes=spec.get("notes", ""),
            table=table(spec["file"]),
            acting_user=acting_user,
        )
    components = {c.name: c for c in agreement.components.all()}
    for spec in data.get("rules", []):
        terms = [
            (
                parse_decimal(weight),
                [
                    (
                        KeyDataColumn.objects.get(dataset__name=dataset, code=code),
                        parse_decimal(column_weight),
                    )
                    for dataset, code, column_weight in columns
                ],
            )
            for weight, columns in spec.get("terms", [])
        ]
        do_save_rule(
            components[spec["component"]],
            method=spec.get("method", Method.KEY),
            base_amount=parse_amount(spec.get("base_amount", "0")),
            terms=terms,
            notes=spec.get("notes", ""),
            acting_user=acting_user,
        )
        if spec.get("differs_note"):
            component = components[spec["component"]]
            component.differs_note = spec["differs_note"]
            save_checked(component, component.version, acting_user=acting_user)
    for spec in data.get("decided", []):
        decided = table(spec["file"])
        for column, component_name in spec["columns"].items():
            do_set_decided_amounts(
                components[component_name],
                {code: row[column] for code, row in decided.values.items()},
                source=spec.get("source", ""),
                acting_user=acting_user,
            )
    return agreement


def rules_exist(agreement_slug: str) -> bool:
    return Agreement.objects.filter(
        slug=agreement_slug, components__allocation_rule__isnull=False
    ).exists()
