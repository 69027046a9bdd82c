"""Writes of key data, rules and decided amounts, each in one transaction."""

from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from common.versioning import check_versions
from grants.models import Component, Region

from .importing import CountyTable, ImportFileError
from .models import (
    AllocationRule,
    DecidedAmount,
    KeyDataColumn,
    KeyDataSet,
    KeyDataValue,
    RuleTerm,
    RuleTermColumn,
    describe_rule,
)


class ReasonMissing(ImportFileError):
    """Money or its rules would change without a reason; nothing was saved."""

    def __init__(self, what):
        super().__init__([f"Ange skälet till ändringen av {what}; det sparas i historiken."])


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
def do_set_key_values(
    dataset: KeyDataSet,
    values_by_column: dict[KeyDataColumn, dict[str, Decimal]],
    *,
    acting_user=None,
    expected_token=None,
    reason="",
) -> int:
    """Change a data set's values (column -> county code -> value); returns how many changed.

    Refuses (StaleEdit) if the values changed since the form showed them, and (ReasonMissing)
    a change without a reason: key data decide money. Each change is kept in the history."""
    KeyDataSet.objects.select_for_update().get(pk=dataset.pk)
    rows = KeyDataValue.objects.filter(column__dataset=dataset)
    if expected_token is not None:
        check_versions(rows, expected_token, "Nyckeldata")
    existing = {(v.column_id, v.region.county_code): v for v in rows.select_related("region")}
    changed = []
    for column, values in values_by_column.items():
        for code, value in values.items():
            row = existing[(column.pk, code)]
            if row.value != value:
                row.value = value
                changed.append(row)
    if changed and not reason.strip():
        raise ReasonMissing("nyckeldata")
    for row in changed:
        row._history_user = acting_user
        row._change_reason = reason
        row.save()
    return len(changed)


@transaction.atomic
def do_set_decided_amounts(
    component,
    amounts: dict[str, Decimal],
    *,
    source="",
    acting_user=None,
    expected_token=None,
    reason="",
) -> int:
    """Replace a component's decided amounts with these (county code -> whole kronor).

    Recipients left out have no decided amount (yet). An amount that does not change keeps
    its source and its history, so entering the others later does not rewrite the own
    region's decision letter as their source. The component's amounts change as a whole:
    refused (StaleEdit) if they changed since the form showed them (`expected_token`), and
    (ReasonMissing) if an amount already decided would change or go without a reason."""
    bad = [code for code, amount in amounts.items() if amount != amount.to_integral_value()]
    if bad:
        raise ImportFileError(
            [f"Länskod {code}: beslutade belopp anges i hela kronor." for code in sorted(bad)]
        )
    Component.objects.select_for_update().get(pk=component.pk)
    if expected_token is not None:
        check_versions(component.decided_amounts.all(), expected_token, "De beslutade beloppen")
    regions = {r.county_code: r for r in Region.objects.all()}
    existing = {d.region.county_code: d for d in component.decided_amounts.select_related("region")}
    changes = [
        code
        for code, decided in existing.items()
        if code not in amounts or decided.amount != amounts[code]
    ]
    if changes and not reason.strip():
        raise ReasonMissing("beslutade belopp")
    for code, amount in amounts.items():
        decided = existing.pop(code, None) or DecidedAmount(
            component=component, region=regions[code]
        )
        if decided.pk and decided.amount == amount:
            continue
        decided.amount = amount
        decided.source = source
        decided._history_user = acting_user
        decided._change_reason = reason
        decided.save()
    for stale in existing.values():
        stale._history_user = acting_user
        stale._change_reason = reason
        stale.delete()
    return len(amounts)


def _terms_of(rule) -> list:
    return [
        (term.weight, [(part.column_id, part.weight) for part in term.columns.all()])
        for term in rule.terms.prefetch_related("columns")
    ]


@transaction.atomic
def do_save_rule(
    component,
    *,
    method,
    base_amount,
    terms,
    notes="",
    acting_user=None,
    expected_token=None,
    reason="",
):
    """Set a component's rule. `terms` is [(term weight, [(column, column weight), ...]), ...].

    Refused (StaleEdit) if the rule changed since the form showed it, and (ReasonMissing) if
    an existing rule changes without a reason. The rule's history shows the key in words
    before and after; its terms have their own history."""
    Component.objects.select_for_update().get(pk=component.pk)
    if expected_token is not None:
        check_versions(
            AllocationRule.objects.filter(component=component),
            expected_token,
            "Fördelningsregeln",
        )
    rule = AllocationRule.objects.filter(component=component).first()
    new_terms = [
        (Decimal(weight), [(column.pk, Decimal(w)) for column, w in columns])
        for weight, columns in terms
    ]
    if rule is not None:
        unchanged = (
            rule.method == method
            and rule.base_amount == base_amount
            and rule.notes == notes
            and _terms_of(rule) == new_terms
        )
        if unchanged:
            return rule
        if not reason.strip():
            raise ReasonMissing("fördelningsregeln")
        for term in rule.terms.all():
            for part in term.columns.all():
                part._history_user = acting_user
                part._change_reason = reason
                part.delete()
            term._history_user = acting_user
            term._change_reason = reason
            term.delete()
    else:
        rule = AllocationRule(component=component)
    rule.method = method
    rule.base_amount = base_amount
    rule.notes = notes
    rule.key_text = describe_rule(method, base_amount, terms)
    rule._history_user = acting_user
    rule._change_reason = reason
    rule.save()
    for position, (weight, columns) in enumerate(terms, start=1):
        term = RuleTerm(rule=rule, position=position, weight=weight)
        term._history_user = acting_user
        term._change_reason = reason
        term.save()
        for column, column_weight in columns:
            part = RuleTermColumn(term=term, column=column, weight=column_weight)
            part._history_user = acting_user
            part._change_reason = reason
            part.save()
    return rule
