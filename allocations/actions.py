"""Writes of key data, rules and decided amounts, each in one transaction."""

from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from grants.models import Region

from .importing import CountyTable, ImportFileError
from .models import (
    AllocationRule,
    DecidedAmount,
    KeyDataColumn,
    KeyDataSet,
    KeyDataValue,
    RuleTerm,
    RuleTermColumn,
)


def counties() -> dict[str, str]:
    """Every valid county code with its county name, for checking imported files."""
    return dict(Region.objects.values_list("county_code", "county_name"))


@transaction.atomic
def do_import_key_data(
    *, name, measure, reference_date, source, table: CountyTable, notes="", acting_user=None
) -> KeyDataSet:
    """Create a key data set with every column and value of an imported county table."""
    regions = {r.county_code: r for r in Region.objects.all()}
    dataset = KeyDataSet(
        name=name, measure=measure, reference_date=reference_date, source=source, notes=notes
    )
    dataset._history_user = acting_user
    dataset.save()
    for position, code in enumerate(table.columns, start=1):
        column = KeyDataColumn.objects.create(dataset=dataset, code=code, position=position)
        bulk_create_with_history(
            [
                KeyDataValue(column=column, region=regions[county], value=row[code])
                for county, row in sorted(table.values.items())
            ],
            KeyDataValue,
            default_user=acting_user,
        )
    return dataset


@transaction.atomic
def do_set_key_values(column: KeyDataColumn, values: dict[str, Decimal], *, acting_user=None):
    """Change a column's values (county code -> value); records each change in the history."""
    existing = {v.region.county_code: v for v in column.values.select_related("region")}
    for code, value in values.items():
        row = existing[code]
        if row.value != value:
            row.value = value
            row._history_user = acting_user
            row.save()


@transaction.atomic
def do_set_decided_amounts(
    component, amounts: dict[str, Decimal], *, source="", acting_user=None
) -> int:
    """Replace a component's decided amounts with these (county code -> whole kronor).

    Recipients left out have no decided amount (yet). An amount that does not change keeps
    its source and its history, so entering the others later does not rewrite the own
    region's decision letter as their source."""
    bad = [code for code, amount in amounts.items() if amount != amount.to_integral_value()]
    if bad:
        raise ImportFileError(
            [f"Länskod {code}: beslutade belopp anges i hela kronor." for code in sorted(bad)]
        )
    regions = {r.county_code: r for r in Region.objects.all()}
    existing = {d.region.county_code: d for d in component.decided_amounts.select_related("region")}
    for code, amount in amounts.items():
        decided = existing.pop(code, None) or DecidedAmount(
            component=component, region=regions[code]
        )
        if decided.pk and decided.amount == amount:
            continue
        decided.amount = amount
        decided.source = source
        decided._history_user = acting_user
        decided.save()
    for stale in existing.values():
        stale._history_user = acting_user
        stale.delete()
    return len(amounts)


@transaction.atomic
def do_save_rule(component, *, method, base_amount, terms, notes="", acting_user=None):
    """Set a component's rule. `terms` is [(term weight, [(column, column weight), ...]), ...]."""
    rule, _ = AllocationRule.objects.get_or_create(component=component)
    rule.method = method
    rule.base_amount = base_amount
    rule.notes = notes
    rule._history_user = acting_user
    rule.save()
    rule.terms.all().delete()
    for position, (weight, columns) in enumerate(terms, start=1):
        term = RuleTerm.objects.create(rule=rule, position=position, weight=weight)
        RuleTermColumn.objects.bulk_create(
            RuleTermColumn(term=term, column=column, weight=column_weight)
            for column, column_weight in columns
        )
    return rule
