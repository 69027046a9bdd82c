"""Writes of key data, rules and decided amounts, each in one transaction."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from common.versioning import check_versions
from grants.actions import do_copy_agreement_structure
from grants.models import Agreement, Component, Region

from . import scb
from .importing import CountyTable, ImportFileError, read_county_table
from .models import (
    AllocationRule,
    DecidedAmount,
    KeyDataColumn,
    KeyDataSet,
    KeyDataValue,
    Measure,
    Municipality,
    MunicipalityValue,
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
def do_import_key_data_file(
    binary, file_name, *, name, measure, reference_date, source, notes="", acting_user=None
) -> KeyDataSet:
    """Read a county table (CSV or XLSX) and keep it as a key data set; refused
    (ImportFileError, KeyDataExists) with nothing saved."""
    table = read_county_table(binary.read(), file_name, counties())
    return do_import_key_data(
        name=name,
        measure=measure,
        reference_date=reference_date,
        source=source,
        table=table,
        notes=notes,
        acting_user=acting_user,
    )


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
    try:
        with transaction.atomic():  # a savepoint: the name taken meanwhile is a refusal
            dataset.save()
    except IntegrityError as exc:
        raise KeyDataExists(name) from exc
    # Set-based: one insert for the columns, one for the values and one for their history,
    # however wide the file.
    columns = KeyDataColumn.objects.bulk_create(
        KeyDataColumn(dataset=dataset, code=code, position=position)
        for position, code in enumerate(table.columns, start=1)
    )
    bulk_create_with_history(
        [
            KeyDataValue(column=column, region=regions[county], value=row[column.code])
            for column in columns
            for county, row in sorted(table.values.items())
        ],
        KeyDataValue,
        batch_size=2000,
        default_user=acting_user,
    )
    do_advance_copied_rules(dataset, acting_user=acting_user)
    return dataset


def _successor(column: KeyDataColumn, years: int) -> KeyDataColumn | None:
    """The same measure and column `years` later: e.g. population 2023-11-01 for 2022-11-01."""
    old = column.dataset
    return (
        KeyDataColumn.objects.filter(
            code=column.code,
            dataset__measure=old.measure,
            dataset__reference_date__year=old.reference_date.year + years,
        )
        .select_related("dataset")
        .order_by("-dataset__reference_date", "-dataset_id")
        .first()
    )


def _copied_terms(rule, years: int, *, only=None, as_copied=None):
    """The rule's terms with each column moved on `years` where such key data exists (only to
    the data set `only`, and only columns in `as_copied`, when given)."""
    terms, moved = [], []
    for term in rule.terms.prefetch_related("columns__column__dataset"):
        columns = []
        for part in term.columns.all():
            newer = _successor(part.column, years)
            if as_copied is not None and part.column_id not in as_copied:
                newer = None
            if only is not None and newer is not None and newer.dataset_id != only.pk:
                newer = None
            if newer is not None and newer.pk != part.column_id:
                moved.append((part.column.dataset, newer.dataset))
                columns.append((newer, part.weight))
            else:
                columns.append((part.column, part.weight))
        terms.append((term.weight, columns))
    return terms, moved


@transaction.atomic
def do_copy_agreement(source: Agreement, *, acting_user=None) -> Agreement:
    """Copy an agreement to a draft for the next year (grants.actions) with its allocation
    rules: the same method, base amount and key, each key column moved to the next year's key
    data of the same measure where it exists already (else kept until it comes, see
    do_advance_copied_rules). Decided amounts are not copied: every amount is empty."""
    agreement, components = do_copy_agreement_structure(source, acting_user=acting_user)
    reason = f"Kopierad från ”{source}”"
    rules = AllocationRule.objects.filter(component__agreement=source).select_related("component")
    for rule in rules:
        terms, _ = _copied_terms(rule, agreement.year - source.year)
        do_save_rule(
            components[rule.component_id],
            method=rule.method,
            base_amount=rule.base_amount,
            terms=terms,
            notes=rule.notes,
            acting_user=acting_user,
            reason=reason,
        )
    return agreement


def do_advance_copied_rules(dataset: KeyDataSet, *, acting_user=None) -> int:
    """New key data has come: the rules of agreements copied from an earlier year that still
    use the same measure's column from the earlier year switch to it at once (recorded in
    the rule's history with the reason). Returns how many rules changed."""
    changed = 0
    codes = set(dataset.columns.values_list("code", flat=True))
    rules = (
        AllocationRule.objects.filter(
            component__agreement__copied_from__isnull=False,
            terms__columns__column__dataset__measure=dataset.measure,
            terms__columns__column__code__in=codes,
        )
        .select_related("component__agreement__copied_from")
        .distinct()
    )
    for rule in rules:
        agreement = rule.component.agreement
        years = agreement.year - agreement.copied_from.year
        # Only columns still as copied (those the source agreement's rules use) move on; a rule
        # already on the next year's data, or changed by hand, stays as it is.
        as_copied = set(
            RuleTermColumn.objects.filter(
                term__rule__component__agreement=agreement.copied_from
            ).values_list("column_id", flat=True)
        )
        terms, moved = _copied_terms(rule, years, only=dataset, as_copied=as_copied)
        if not moved:
            continue
        do_save_rule(
            rule.component,
            method=rule.method,
            base_amount=rule.base_amount,
            terms=terms,
            notes=rule.notes,
            acting_user=acting_user,
            reason="; ".join(f"Ny nyckeldata ”{new}” i stället för ”{old}”" for old, new in moved),
        )
        changed += 1
    return changed


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


@transaction.atomic
def do_paste_decided_amounts(
    assignments, *, source="", acting_user=None, reason=""
) -> dict[Component, int]:
    """The confirmed preview of a pasted table: each (component, {county code: amount},
    token the preview showed) saved as the component's decided amounts, all or none."""
    return {
        component: do_set_decided_amounts(
            component,
            amounts,
            source=source,
            acting_user=acting_user,
            expected_token=token,
            reason=reason,
        )
        for component, amounts, token in assignments
    }


class KeyDataExists(ImportFileError):
    def __init__(self, name):
        super().__init__([f"Det finns redan nyckeldata med namnet ”{name}”. Inget har sparats."])


@transaction.atomic
def do_fetch_population(
    reference_date, *, name="", acting_user=None, per_municipality=False
) -> KeyDataSet:
    """Fetch the population per county on `reference_date` from SCB (allocations.scb) and keep
    it as a key data set named e.g. `Befolkning 2023-11-01`, with SCB's table and period in
    its source. With `per_municipality` SCB is asked for the 290 municipalities (value set
    vs:RegionKommun07): each one's value is kept (MunicipalityValue) and the set's county
    column is their exact sum per county, since the allocation keys are per county. Raises
    ScbError (SCB) or KeyDataExists; then nothing is saved."""
    name = name or (
        f"Befolkning {reference_date:%Y-%m-%d}" + (" per kommun" if per_municipality else "")
    )
    if KeyDataSet.objects.filter(name=name).exists():
        raise KeyDataExists(name)
    codes = list(counties())
    municipalities = {}
    value_set = scb.COUNTY_VALUE_SET
    if per_municipality:
        municipalities = {m.code: m for m in Municipality.objects.select_related("county")}
        value_set = scb.MUNICIPALITY_VALUE_SET
        population, url = scb.fetch_population(reference_date, list(municipalities), value_set)
        per_county = {code: Decimal(0) for code in codes}
        for code, value in population.values.items():
            per_county[municipalities[code].county.county_code] += value
    else:
        population, url = scb.fetch_population(reference_date, codes)
        per_county = population.values
    table = CountyTable(
        columns=(scb.COLUMN,),
        values={code: {scb.COLUMN: value} for code, value in per_county.items()},
    )
    summed = (
        f"; {len(municipalities)} kommuner ({value_set}), summerade per län"
        if per_municipality
        else ""
    )
    dataset = do_import_key_data(
        name=name,
        measure=Measure.POPULATION,
        reference_date=reference_date,
        source=(
            f"SCB, Statistikdatabasen, tabell {scb.TABLE_ID}, folkmängd {population.period} "
            f"(vid månadens slut){summed}, hämtad från {url}"
        )[:300],
        notes=f"{population.label}. Källa enligt svaret: {population.source}; "
        f"uppdaterad {population.updated or 'ej angivet'}.",
        table=table,
        acting_user=acting_user,
    )
    MunicipalityValue.objects.bulk_create(
        MunicipalityValue(dataset=dataset, municipality=municipalities[code], value=value)
        for code, value in population.values.items()
        if per_municipality
    )
    return dataset
