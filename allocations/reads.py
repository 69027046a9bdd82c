"""What the allocation pages read: the allocation table, key data, rules, decided amounts.

The allocation table of an agreement for one recipient group sets computed beside decided:
one row per region (or county, for the municipalities' money paid via RSS), one column per
component, "varav" part, area subtotal and total. Reads with a fixed number of queries and
leaves the arithmetic to allocations.calculations.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch

from common.history import timeline
from common.money import format_amount
from common.versioning import versions_token
from grants.models import Component, RecipientGroup, Region

from .calculations import AllocationError, compute_allocation
from .models import (
    AllocationRule,
    DecidedAmount,
    KeyDataSet,
    KeyDataValue,
    Measure,
    Method,
    Municipality,
    RuleTerm,
    RuleTermColumn,
)
from .pasting import Place, digest, parse_pasted_table

# The recipient groups that are paid per region or county and so have a table.
TABLE_GROUPS = {
    "regioner": RecipientGroup.REGIONS,
    "kommuner": RecipientGroup.MUNICIPALITIES,
}


@dataclass(frozen=True)
class Recipient:
    code: str
    name: str
    is_own: bool


@dataclass
class Cell:
    computed: int | None = None
    decided: Decimal | None = None
    note_id: str = ""  # the element explaining why this column's decided amounts differ

    @property
    def difference(self) -> Decimal | None:
        if self.computed is None or self.decided is None:
            return None
        return Decimal(self.computed) - self.decided

    @property
    def flagged(self) -> bool:
        """Computed and decided differ by more than the tolerance (a few kronor)."""
        difference = self.difference
        return difference is not None and abs(difference) > settings.ALLOCATION_TOLERANCE_KR


@dataclass
class Column:
    key: str
    label: str
    kind: str  # "component", "part", "area" or "total"
    area: str = ""
    component: Component | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    error: str = ""

    @property
    def total(self) -> Cell:
        computed = [c.computed for c in self.cells.values()]
        decided = [c.decided for c in self.cells.values()]
        return Cell(
            None if not computed or None in computed else sum(computed),
            None if not decided or None in decided else sum(decided, Decimal("0")),
        )


@dataclass
class AllocationTable:
    agreement: object
    group: str
    group_label: str
    recipients: list[Recipient]
    columns: list[Column]
    notes: list[str]
    tolerance: int

    @property
    def rows(self):
        """(recipient, [cell per column]) in recipient order."""
        return [(r, [column.cells[r.code] for column in self.columns]) for r in self.recipients]

    @property
    def component_columns(self):
        return [c for c in self.columns if c.kind in ("component", "part")]

    @property
    def missing_decided(self):
        """(component column, names of the recipients without a decided amount) for every
        component where some but not all are decided, and (column, None) where none is."""
        names = {r.code: r.name for r in self.recipients}
        missing = []
        for column in self.component_columns:
            lacking = [names[code] for code, cell in column.cells.items() if cell.decided is None]
            if len(lacking) == len(column.cells):
                missing.append((column, None))
            elif lacking:
                missing.append((column, lacking))
        return missing

    def long_rows(self):
        """One row per recipient and component: the CSV and the workbook's list sheet."""
        for recipient in self.recipients:
            for column in self.component_columns:
                cell = column.cells[recipient.code]
                yield {
                    "lanskod": recipient.code,
                    "mottagare": recipient.name,
                    "utvecklingsomrade": column.area,
                    "delomrade": column.label,
                    "berakat": cell.computed,
                    "beslutat": cell.decided,
                    "skillnad": cell.difference,
                }


def _sum_cells(columns, code) -> Cell:
    cells = [column.cells[code] for column in columns]
    computed = [c.computed for c in cells]
    decided = [c.decided for c in cells if c.decided is not None]
    return Cell(
        None if None in computed else sum(computed),
        sum(decided, Decimal("0")) if len(decided) == len(cells) else None,
    )


def _components(agreement, group):
    terms = RuleTerm.objects.prefetch_related("columns__column__dataset")
    return list(
        agreement.components.filter(recipient_group=group)
        .select_related("area", "allocation_rule")
        .prefetch_related(
            Prefetch("allocation_rule__terms", queryset=terms),
            Prefetch("decided_amounts", queryset=DecidedAmount.objects.select_related("region")),
        )
        .order_by("area__position", "position", "id")
    )


def _rule(component):
    rule = getattr(component, "allocation_rule", None)
    if rule is None or rule.method != Method.KEY:
        return None
    return rule


def build_allocation_table(agreement, group: str) -> AllocationTable:
    if group not in TABLE_GROUPS:
        raise ValueError(f"Unknown recipient group {group!r}")
    recipient_group = TABLE_GROUPS[group]
    regions = list(Region.objects.all())
    recipients = [
        Recipient(
            r.county_code,
            r.name if recipient_group == RecipientGroup.REGIONS else r.county_name,
            r.is_own,
        )
        for r in regions
    ]
    codes = [r.code for r in recipients]
    components = _components(agreement, recipient_group)

    used_columns = {
        part.column_id: part.column
        for c in components
        if _rule(c)
        for term in c.allocation_rule.terms.all()
        for part in term.columns.all()
    }
    values_by_column: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for column_id, code, value in KeyDataValue.objects.filter(
        column_id__in=used_columns
    ).values_list("column_id", "region__county_code", "value"):
        values_by_column[column_id][code] = value

    notes: list[str] = []
    computed: dict[int, dict[str, int] | None] = {}
    errors: dict[int, str] = {}

    def allocate(component, amount):
        rule = _rule(component)
        if rule is None or amount is None:
            return None
        try:
            return compute_allocation(int(amount), rule.as_rule(values_by_column), codes)
        except AllocationError as exc:
            errors[component.pk] = str(exc)
            return None

    parts_of = defaultdict(list)
    for c in components:
        if c.included_in_id:
            parts_of[c.included_in_id].append(c)
    top_level = [c for c in components if not c.included_in_id]

    for component in top_level:
        keyed_parts = []
        for part in parts_of[component.pk]:
            computed[part.pk] = allocate(part, part.national_amount)
            if computed[part.pk] is not None:
                keyed_parts.append(part)
        if component.national_amount is None:
            computed[component.pk] = None
            continue
        own_amount = component.national_amount - sum(
            (p.national_amount for p in keyed_parts), Decimal("0")
        )
        own = allocate(component, own_amount)
        computed[component.pk] = (
            None
            if own is None
            else {
                code: own[code] + sum(computed[p.pk][code] for p in keyed_parts) for code in codes
            }
        )

    for component in components:
        notes.extend(_outcome_notes(component, values_by_column))

    def component_column(component, kind):
        decided = {d.region.county_code: d.amount for d in component.decided_amounts.all()}
        allocation = computed.get(component.pk)
        return Column(
            key=f"c{component.pk}",
            label=component.name if kind == "component" else f"varav {component.name}",
            kind=kind,
            area=component.area.name if component.area else "",
            component=component,
            cells={
                code: Cell(
                    allocation[code] if allocation else None,
                    decided.get(code),
                    f"differs-note-c{component.pk}" if component.differs_note else "",
                )
                for code in codes
            },
            error=errors.get(component.pk, ""),
        )

    columns: list[Column] = []
    top_columns: list[Column] = []
    areas = []
    for component in top_level:
        if component.area not in areas:
            areas.append(component.area)
    for area in areas:
        in_area = [component_column(c, "component") for c in top_level if c.area == area]
        for column in in_area:
            columns.append(column)
            columns.extend(component_column(p, "part") for p in parts_of[column.component.pk])
        top_columns.extend(in_area)
        if len(in_area) > 1:
            area_name = area.name if area else "Utanför utvecklingsområdena"
            columns.append(
                Column(
                    key=f"a{area.pk if area else 0}",
                    label=f"Summa {area_name}",
                    kind="area",
                    area=area_name,
                    cells={code: _sum_cells(in_area, code) for code in codes},
                )
            )
    if top_columns:
        columns.append(
            Column(
                key="total",
                label="Totalt",
                kind="total",
                cells={code: _sum_cells(top_columns, code) for code in codes},
            )
        )
    return AllocationTable(
        agreement=agreement,
        group=group,
        group_label=recipient_group.label,
        recipients=recipients,
        columns=columns,
        notes=notes,
        tolerance=settings.ALLOCATION_TOLERANCE_KR,
    )


def _outcome_notes(component, values_by_column):
    """Say so when a published outcome used as a key does not add up to the amount."""
    rule = _rule(component)
    if rule is None or component.national_amount is None:
        return []
    notes = []
    for term in rule.terms.all():
        for part in term.columns.all():
            if part.column.dataset.measure != Measure.PUBLISHED_OUTCOME:
                continue
            total = sum(values_by_column.get(part.column_id, {}).values(), Decimal("0"))
            gap = component.national_amount - total
            if gap:
                notes.append(
                    f"Det publicerade utfallet ”{part.column.dataset}” summerar till "
                    f"{format_amount(total)}, {format_amount(abs(gap))} "
                    f"{'mindre' if gap > 0 else 'mer'} än beloppet för ”{component}” "
                    f"({format_amount(component.national_amount)}). Beloppet fördelas efter "
                    "andel av utfallet så att delområdet ändå summerar exakt."
                )
    return notes


# Key data.


def key_data_sets():
    return KeyDataSet.objects.all()


def key_values_token(dataset) -> str:
    """The version token of a data set's values, as its edit form shows it."""
    return versions_token(KeyDataValue.objects.filter(column__dataset=dataset))


def municipality_values(dataset):
    return dataset.municipality_values.select_related("municipality")


def dataset_history(dataset):
    regions = list(Region.objects.all())
    names = {
        (c.pk, r.pk): f"{r.county_name}, {c.code}" for c in dataset.columns.all() for r in regions
    }
    return timeline(
        KeyDataValue.history.filter(column__dataset=dataset),
        subject=lambda r: names.get((r.column_id, r.region_id), "värde"),
    )


# Rules.


def rule_of(component) -> AllocationRule | None:
    return AllocationRule.objects.filter(component=component).first()


def rule_rows(rule) -> list[dict]:
    """A rule's key as the rows of its form: one per term and column."""
    if rule is None:
        return []
    return [
        {
            "term": term.position,
            "term_weight": term.weight,
            "column": part.column_id,
            "weight": part.weight,
        }
        for term in rule.terms.prefetch_related("columns")
        for part in term.columns.all()
    ]


def rule_history(rule):
    if rule is None:
        return []
    terms = RuleTerm.history.filter(rule_id=rule.pk)
    term_ids = set(terms.values_list("id", flat=True))
    return timeline(
        AllocationRule.history.filter(id=rule.pk),
        terms,
        RuleTermColumn.history.filter(term_id__in=term_ids),
        subject=lambda r: "Regeln" if r.instance_type is AllocationRule else "Nyckeldel",
    )


def copy_summary(agreement) -> dict[str, int]:
    """What copying an agreement to the next year takes along, counted."""
    return {
        "components": agreement.components.count(),
        "deadlines": agreement.deadlines.count(),
        "rules": AllocationRule.objects.filter(component__agreement=agreement).count(),
    }


# Decided amounts.


@dataclass(frozen=True)
class DecidedAmounts:
    """A component's decided amounts as its form shows them."""

    recipients: list[tuple[str, str]]  # (county code, name), the own region first
    amounts: dict[str, Decimal]  # county code -> amount
    token: str
    entries: list  # the amounts' history, as the page shows it


def decided_amounts(component) -> DecidedAmounts:
    by_county = component.recipient_group == RecipientGroup.MUNICIPALITIES
    own = settings.OWN_REGION_CODE
    # The own region first (its decision letter often comes months before the rest), then
    # county order.
    regions = sorted(
        Region.objects.values_list("pk", "county_code", "county_name", "name"),
        key=lambda region: region[1] != own,
    )
    names = {pk: county if by_county else name for pk, _, county, name in regions}
    decided = list(component.decided_amounts.select_related("region"))
    return DecidedAmounts(
        recipients=[
            (code, names[pk] + (" (egen region)" if code == own else ""))
            for pk, code, _, _ in regions
        ],
        amounts={d.region.county_code: d.amount for d in decided},
        token=versions_token(decided),
        entries=timeline(
            DecidedAmount.history.filter(component_id=component.pk),
            subject=lambda r: names.get(r.region_id, ""),
        ),
    )


# Pasted tables.


def pastable_components(agreement) -> list[Component]:
    """The components whose decided amounts a pasted table may fill."""
    return list(
        agreement.components.filter(recipient_group__in=TABLE_GROUPS.values()).order_by(
            "area__position", "position", "id"
        )
    )


def components_in_order(agreement) -> list[Component]:
    """As the agreement lists them: the areas' components, then those of the whole agreement."""
    return sorted(
        agreement.components.select_related("area"),
        key=lambda c: (c.area is None, c.area.position if c.area else 0, c.position, c.pk),
    )


def _places():
    return [
        Place(code, (name, county))
        for code, county, name in Region.objects.values_list("county_code", "county_name", "name")
    ]


def _municipality_places():
    return [
        Place(code, (name,), county=county)
        for code, name, county in Municipality.objects.values_list(
            "code", "name", "county__county_code"
        )
    ]


def parse_paste(text, component):
    """The pasted table read per county; for the municipalities' money a table per
    municipality too, taken when it matches more rows (its amounts summed per county)."""
    table = parse_pasted_table(text, _places())
    if component.recipient_group == RecipientGroup.MUNICIPALITIES:
        municipal = parse_pasted_table(text, _municipality_places())
        if municipal.matched > table.matched:
            return municipal
    return table


def paste_preview(table, form, targets):
    """What the officer checks before confirming: each row's match, the sums against the
    table's own total and against each chosen component's national amount."""
    names = dict(Region.objects.values_list("county_code", "name"))
    counties = None
    if table.counties is not None:
        # A municipality table: each row matched to a municipality, the sums per county.
        counties = [
            (names[code], [table.amounts(i).get(code, Decimal(0)) for i in range(table.columns)])
            for code in sorted(names)
        ]
        names = dict(Municipality.objects.values_list("code", "name"))
    by_column = dict(targets)
    columns = []
    for index in range(table.columns):
        total = table.sums()[index]
        stated = table.totals[index] if table.totals else None
        target = by_column.get(index)
        national = target.national_amount if target else None
        columns.append(
            {
                "label": table.labels[index] if index < len(table.labels) else "",
                "field": form[f"column_{index + 1}"],
                "sum": total,
                "stated": stated,
                "stated_difference": None if stated is None else total - stated,
                "component": target,
                "national": national,
                "national_difference": None if national is None else total - national,
            }
        )
    return {
        "rows": [(row, names.get(row.code, "")) for row in table.rows],
        "columns": columns,
        "matched": sum(1 for row in table.rows if row.code),
        "counties": counties,
        "digest": digest(form.data.get("text", "")),
        "tokens": [(c.pk, versions_token(c.decided_amounts.all())) for _, c in targets],
    }
