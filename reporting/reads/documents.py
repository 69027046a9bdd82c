"""What each document shows, read from the data the app holds: one function per document,
returning a plain context for its template (HTML preview and PDF alike)."""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings

from allocations.models import DecidedAmount
from common.charts import areas_chart
from common.history import timeline
from common.money import format_amount
from distribution.models import Activity, AreaPlan
from followup.calculations import UnusedMoney
from followup.periods import PERIODS
from followup.reads import build_followup
from grants.models import (
    OWN_REGION_GROUPS,
    Agreement,
    Deadline,
    DeadlineKind,
    DocumentKind,
    RecipientGroup,
)
from plan.reads import report_section

from ..completeness import missing_for
from ..models import (
    ActivityReport,
    AgreementReport,
    AreaReport,
    Decision,
    OrganisationProfile,
    ReportingRequirement,
    StateGrantYear,
    one_decimal,
)
from .cost_items import cost_items

ZERO = Decimal("0")


def report_info(agreement) -> AgreementReport:
    return AgreementReport.objects.filter(agreement=agreement).first() or AgreementReport(
        agreement=agreement
    )


def own_decided(agreement):
    """The own region's decided amounts of the agreement's top-level regional components."""
    return list(
        DecidedAmount.objects.filter(
            component__agreement=agreement,
            component__recipient_group__in=OWN_REGION_GROUPS,
            component__included_in__isnull=True,
            region__county_code=settings.OWN_REGION_CODE,
        )
        .select_related("component__area")
        .order_by("component__area__position", "component__position", "component_id")
    )


def own_parts(agreement) -> dict[int, list]:
    """The own region's "varav" amounts (components that are part of another one's amount,
    e.g. primärvård i landsbygd inside Nära vård), by the component they are part of."""
    parts = defaultdict(list)
    for decided in (
        DecidedAmount.objects.filter(
            component__agreement=agreement,
            component__included_in__isnull=False,
            region__county_code=settings.OWN_REGION_CODE,
        )
        .select_related("component__area", "component__included_in")
        .order_by("component__position", "component_id")
    ):
        parts[decided.component.included_in_id].append(decided)
    return dict(parts)


def own_total(agreement) -> Decimal:
    return sum((d.amount for d in own_decided(agreement)), ZERO)


def _deadline(agreement, kind):
    return agreement.deadlines.filter(kind=kind).order_by("due_date").first()


def _common(agreement):
    return {
        "agreement": agreement,
        "profile": OrganisationProfile.current(),
        "info": report_info(agreement),
        "period_start": f"{agreement.year}-01-01",
        "period_end": f"{agreement.year}-12-31",
    }


def requisition_context(agreement):
    context = _common(agreement)
    total = own_total(agreement)
    context.update(
        title=f"Rekvisition – {agreement}",
        requested=context["info"].requested_amount or total,
        decided_total=total,
        due=_deadline(agreement, DeadlineKind.REQUISITION),
    )
    return context


def financial_report_context(agreement):
    """The figures the head of finance attests: costs per object (rows classified by the chart
    of accounts; credit notes reduce them), unused money with each ring-fenced pot on its own
    line, the amount to repay, and the grant income booked on the objects beside them. The
    same follow-up figures as the follow-up page, the dashboard and the workbook."""
    context = _common(agreement)
    total = own_total(agreement)
    paid = context["info"].grant_paid if context["info"].grant_paid is not None else total
    report = build_followup(agreement, PERIODS["ar"])
    items = cost_items(agreement, report, context["info"].cost_specification)
    costs = sum((item.amount for item in items), ZERO)
    money = UnusedMoney(paid, costs, report.unused.income, report.unused.pots)
    context.update(
        title=f"Ekonomisk redovisning – {agreement}",
        decided_total=total,
        paid=paid,
        items=items,
        costs=costs,
        unused=money.unused,
        money=money,
        repayable=money.repayable,
        income=money.income,
        other_rows=report.other_rows,
        no_account_count=report.no_account_count,
        no_account_amount=report.no_account_amount,
        due=_deadline(agreement, DeadlineKind.FINANCIAL_REPORT),
    )
    return context


def requirement_sections(agreement, kind, missing: list) -> list:
    """The agreement's reporting requirements that belong in the report `kind` (activity or
    VFU report), each with the region's narrative; a requirement without one is added to
    `missing` (the report is then a draft). Printed by documents/requirements.html."""
    requirements = list(agreement.reporting_requirements.filter(report=kind))
    for requirement in requirements:
        if not requirement.narrative.strip():
            where = f" (avsnitt {requirement.section})" if requirement.section else ""
            missing.append(
                f"Regionens redovisning för återrapporteringskravet ”{requirement.heading}”"
                f"{where} är inte ifylld."
            )
    return requirements


def activity_report_context(agreement):
    """The activity report to Socialstyrelsen: per area decided, distributed, ofördelat and
    outcome (that add up), the "varav" money (primärvård i landsbygd), a section per
    reporting requirement of the agreement with the region's narrative, every indicator's
    value for the report year. What is missing for a sendable report goes to `missing`."""
    context = _common(agreement)
    missing = context.setdefault("missing", [])
    report = build_followup(agreement, PERIODS["ar"])
    reports = {r.area_id: r for r in AreaReport.objects.filter(area__agreement=agreement)}
    activities = (
        Activity.objects.filter(area__agreement=agreement)
        .select_related("report", "cost_object")
        .order_by("position", "id")
    )
    spent = {}
    for block in report.areas:
        for object_block in block.objects:
            for line in object_block.lines:
                if line.activity:
                    spent[line.activity.pk] = line.followup.outcome_to_date
    parts = own_parts(agreement)
    decided = own_decided(agreement)
    areas = []
    for block in report.areas:
        area_activities = [
            (a, spent.get(a.pk, ZERO), getattr(a, "report", None))
            for a in activities
            if a.area_id == block.area.pk
        ]
        outcome = block.total.followup.outcome_to_date
        # Outcome on the area's objects that no activity holds gets its own line per object,
        # so the table adds up to the area's outcome.
        unlinked = [
            (
                f"{line.label} (objekt {object_block.cost_object.number})",
                line.followup.outcome_to_date,
            )
            for object_block in block.objects
            for line in object_block.lines
            if line.kind == "unlinked" and line.followup.outcome_to_date
        ]
        distributed = sum((a.amount for a, _, _ in area_activities), ZERO)
        # Activities with outcome but no money distributed to them: flagged in the table.
        unbudgeted = [a for a, used, _ in area_activities if not a.amount and used]
        areas.append(
            {
                "area": block.area,
                "decided": block.decided,
                "distributed": distributed,
                "unallocated": block.decided - distributed,
                "spent": outcome,
                "left": block.decided - outcome,
                "overspent": max(ZERO, outcome - block.decided),
                "report": reports.get(block.area.pk),
                "activities": area_activities,
                "unbudgeted": unbudgeted,
                "unlinked": unlinked,
                "budget": distributed,
                "parts": [
                    part
                    for d in decided
                    if d.component.area_id == block.area.pk
                    for part in parts.get(d.component_id, [])
                ],
            }
        )
        area_report = reports.get(block.area.pk)
        for field, label in (
            ("activities", "genomförda insatser"),
            ("results", "resultat"),
            ("gender_equality", "jämställdhetsperspektivet"),
        ):
            if not (area_report and getattr(area_report, field).strip()):
                missing.append(f"Texten om {label} för ”{block.area.name}” är inte ifylld.")
    requirements = requirement_sections(agreement, DocumentKind.ACTIVITY_REPORT, missing)
    if not context["info"].gender_equality.strip():
        missing.append("Texten om jämställd hälsa är inte ifylld.")
    vfu = agreement.components.filter(name__icontains="VFU").first()
    # The same server-side chart as on the dashboard: distributed, spent and left per area.
    chart = areas_chart(
        [
            SimpleNamespace(
                name=a["area"].name,
                distributed=a["distributed"],
                outcome=a["spent"],
                left=a["left"],
            )
            for a in areas
        ]
    )
    context.update(
        chart=chart,
        title=f"Verksamhetsrapport – {agreement}",
        areas=areas,
        requirements=requirements,
        decided_total=sum((a["decided"] for a in areas), ZERO),
        distributed_total=sum((a["distributed"] for a in areas), ZERO),
        unallocated_total=sum((a["unallocated"] for a in areas), ZERO),
        spent_total=sum((a["spent"] for a in areas), ZERO),
        vfu=vfu,
        due=_deadline(agreement, DeadlineKind.ACTIVITY_REPORT),
    )
    context["left_total"] = context["decided_total"] - context["spent_total"]
    # The joint plan: the agreement's indicators and the plan activities its money serves.
    context["plan_report"] = report_section(agreement)
    missing.extend(context["plan_report"]["missing"])
    return context


def vfu_report_context(agreement):
    """The VFU report to Socialstyrelsen by 31 March of the agreement year (seed 001 §3.6.1):
    clinical-placement weeks and places of the previous spring term and an estimate for this
    spring term, the VFU money the region received and what it was used for, and a section
    per reporting requirement of the agreement's VFU part with the region's narrative (the
    activity report's machinery). What is missing for a sendable report goes to `missing`."""
    context = _common(agreement)
    missing = context.setdefault("missing", [])
    info = context["info"]
    vfu = agreement.components.filter(name__icontains="VFU").first()
    rows = [
        (
            f"Genomförda i regionens regi vårterminen {agreement.year - 1}",
            info.vfu_weeks_previous,
            info.vfu_places_previous,
        ),
        (
            f"Uppskattning för vårterminen {agreement.year}",
            info.vfu_weeks_estimate,
            info.vfu_places_estimate,
        ),
    ]
    context.update(
        title=f"VFU-redovisning – {agreement}",
        vfu=vfu,
        rows=rows,
        requirements=requirement_sections(agreement, DocumentKind.VFU_REPORT, missing),
        due=_deadline(agreement, DeadlineKind.VFU_REPORT),
        received=info.vfu_received,
        used=info.vfu_used,
    )
    if info.vfu_weeks_previous is not None and info.vfu_weeks_estimate is not None:
        # What the money is distributed by: the increase in VFU weeks.
        context["weeks_increase"] = info.vfu_weeks_estimate - info.vfu_weeks_previous
    # The money is paid after the report (April, §3.6.1): none received yet is a fact the
    # report states; money received without what it was used for is missing.
    if info.vfu_received is not None:
        if info.vfu_used is None:
            missing.append(
                "Vad de mottagna VFU-medlen har använts till (använda medel) är inte ifyllt "
                "(rapportuppgifterna)."
            )
        else:
            context["vfu_left"] = info.vfu_received - info.vfu_used
    return context


def national_split(agreement) -> list[tuple[str, Decimal]]:
    """The agreement's national amounts per recipient group (regions, municipalities, …), from
    its top-level components; "varav" parts are not counted again."""
    totals = defaultdict(lambda: ZERO)
    for component in agreement.components.filter(included_in__isnull=True):
        if component.national_amount is not None:
            totals[component.recipient_group] += component.national_amount
    return [(label, totals[value]) for value, label in RecipientGroup.choices if totals.get(value)]


# What the region itself submits; "Övrigt" deadlines are not the region's to meet.
REGION_DEADLINE_KINDS = [kind for kind in DeadlineKind.values if kind != DeadlineKind.OTHER]


def decision_context(agreement):
    """The region's decision document in the structure of its own (seed 003): metadata,
    contents, background with the national split, goals, a section per area, the allocation
    with its "varav" lines, the activity tables, the conditions entered for this decision and
    the deadlines the region meets."""
    context = _common(agreement)
    missing = context.setdefault("missing", [])
    decided = own_decided(agreement)
    parts = own_parts(agreement)
    plans = {p.area_id: p for p in AreaPlan.objects.filter(area__agreement=agreement)}
    activities = (
        Activity.objects.filter(area__agreement=agreement)
        .select_related("cost_object")
        .order_by("position", "id")
    )
    allocation = []
    areas = []
    for area in agreement.areas.all():
        rows = [d for d in decided if d.component.area_id == area.pk]
        area_total = sum((d.amount for d in rows), ZERO)
        allocation.append(
            {
                "area": area,
                "rows": [(d, parts.get(d.component_id, [])) for d in rows],
                "total": area_total,
            }
        )
        area_activities = [a for a in activities if a.area_id == area.pk]
        responsible = {a.responsible for a in area_activities}
        areas.append(
            {
                "area": area,
                "total": area_total,
                "activities": area_activities,
                # One responsible for every activity: said once, not on every row.
                "one_responsible": responsible.pop() if len(responsible) == 1 else None,
                "distributed": sum((a.amount for a in area_activities), ZERO),
                "plan": plans.get(area.pk),
                "objects": sorted({a.cost_object.number for a in area_activities if a.cost_object}),
            }
        )
    for area in areas:
        area["unallocated"] = area["total"] - area["distributed"]
    decision = Decision.objects.filter(agreement=agreement).first()
    conditions = list(decision.conditions.all()) if decision else []
    lacking = [
        label
        for field, label in (
            ("decided_by", "vem som beslutar"),
            ("decided_on", "beslutsdatum"),
            ("paragraph", "paragraf"),
            ("handler", "handläggare"),
        )
        if not (decision and getattr(decision, field))
    ]
    if lacking:
        missing.append("Beslutsuppgifter saknas: " + ", ".join(lacking) + ".")
    if not conditions:
        missing.append("Villkoren för beslutet är inte inlagda för detta år.")
    deadlines = Deadline.objects.own().filter(agreement=agreement, kind__in=REGION_DEADLINE_KINDS)
    context.update(
        title=f"Fördelning {agreement}",
        decision=decision,
        goals=[g.strip() for g in (decision.goals if decision else "").splitlines() if g.strip()],
        national_split=national_split(agreement),
        allocation=allocation,
        own_total=sum((a["total"] for a in allocation), ZERO),
        areas=areas,
        conditions=conditions,
        deadlines=deadlines.order_by("due_date"),
    )
    return context


@dataclass
class SummaryGrant:
    """One state grant in the annual summary: from the register, or an agreement the app holds
    for the year that the register lacks (then its amount is the region's, paid or decided)."""

    name: str
    case_number: str
    lines: list  # (amount, comment)
    spending: list  # (label, amount)
    follow_up: str
    from_agreement: bool = False
    example_case_number: bool = False  # the printed diarienummer is an example value
    areas: list = dataclass_field(default_factory=list)  # StateGrantArea rows (seed 004's table)

    @property
    def follow_up_blocks(self) -> list[tuple[str, object]]:
        """The follow-up in blocks, with the area table where the text places it (first,
        when the text does not say)."""
        blocks = text_blocks(self.follow_up)
        if not self.areas:
            return [b for b in blocks if b[0] != "areas"]
        if not any(kind == "areas" for kind, _ in blocks):
            blocks.insert(0, ("areas", None))
        return blocks

    @property
    def areas_total(self) -> Decimal:
        return sum((a.amount_mnkr for a in self.areas), ZERO)

    @property
    def areas_total_text(self) -> str:
        return one_decimal(self.areas_total)

    @property
    def areas_differ(self) -> bool:
        """The area table (millions, one decimal) against the money received for the grant
        itself: flagged when they differ by more than the rows' rounding (half a tenth of a
        million per row) can explain."""
        if not self.areas or not self.lines:
            return False
        difference = abs(self.areas_total * Decimal(1_000_000) - self.lines[0][0])
        return difference > Decimal(50_000) * len(self.areas)

    @property
    def received(self) -> Decimal:
        return sum((amount for amount, _ in self.lines), ZERO)

    @property
    def subtotal(self) -> Decimal | None:
        """The grant's own sum when it has more than one line (seed 004's subtotals)."""
        return self.received if len(self.lines) > 1 else None

    @property
    def spending_total(self) -> Decimal:
        return sum((amount for _, amount in self.spending), ZERO)

    @property
    def usage_differs(self) -> Decimal | None:
        """Usage against the money received for the grant itself (its first line; further
        lines are additions such as länsgemensamma medel, or deductions): the difference, or
        None when they agree or nothing is accounted for."""
        if not self.spending or not self.lines:
            return None
        difference = self.spending_total - self.lines[0][0]
        return difference or None


# A paragraph of a grant's follow-up that places its table per development area there.
AREAS_MARK = "[områdestabell]"


def text_blocks(text: str) -> list[tuple[str, object]]:
    """A narrative as the region writes it, in blocks: ("h", heading) for a line starting
    with "## ", ("ul", [items]) for a paragraph whose lines start with "- " (a line not
    starting so continues the item above), ("areas", None) for the paragraph AREAS_MARK,
    ("p", text) otherwise. Paragraphs are separated by a blank line."""
    blocks = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines == [AREAS_MARK]:
            blocks.append(("areas", None))
            continue
        while lines and lines[0].startswith("## "):
            blocks.append(("h", lines.pop(0)[3:].strip()))
        if not lines:
            continue
        if lines[0].startswith("- "):
            items = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:].strip())
                else:
                    items[-1] += " " + line
            blocks.append(("ul", items))
        else:
            blocks.append(("p", "\n".join(lines)))
    return blocks


def _register_entry(grant) -> SummaryGrant:
    return SummaryGrant(
        grant.name,
        grant.case_number,
        [(line.amount, line.comment) for line in grant.lines.all()],
        [(item.label, item.amount) for item in grant.spending.all()],
        grant.follow_up,
        areas=list(grant.areas.all()),
    )


def _agreement_areas(agreement) -> list:
    """The region's decided money per development area of an agreement, in the form of the
    summary's area table (millions, one decimal; the components as the area's contents)."""
    rows = defaultdict(list)
    for decided in own_decided(agreement):
        rows[decided.component.area].append(decided)
    areas = []
    for area, decided in rows.items():
        amount = sum((d.amount for d in decided), ZERO)
        mnkr = (amount / Decimal(1_000_000)).quantize(Decimal("0.1"))
        areas.append(
            SimpleNamespace(
                name=area.name,
                contents_lines=[d.component.name for d in decided],
                amount_mnkr=mnkr,
                amount_text=one_decimal(mnkr),
            )
        )
    return areas


def _agreement_entry(agreement) -> SummaryGrant | None:
    """An agreement the register lacks: the region's amount (paid, or else decided), its
    diarienummer (the region's own, as the region's summary gives them; else
    Regeringskansliet's), its money per area and its summary text."""
    info = report_info(agreement)
    amount = info.grant_paid if info.grant_paid is not None else own_total(agreement)
    if not amount:
        return None
    entry = SummaryGrant(
        agreement.name,
        agreement.region_case_number or agreement.government_case_number,
        [
            (
                amount,
                "Utbetalt enligt rapportuppgifterna"
                if info.grant_paid is not None
                else "Regionens beslutade belopp enligt överenskommelsen",
            )
        ],
        [],
        info.summary,
        from_agreement=True,
        areas=_agreement_areas(agreement) if info.grant_paid is None else [],
    )
    field_name = "region_case_number" if agreement.region_case_number else "government_case_number"
    entry.example_case_number = entry.case_number and field_name in (info.example_fields or [])
    return entry


def summary_context(year: int):
    """The region board's annual summary of state grants for any year: the register's entries
    and every agreement the app holds for the year that the register lacks (no manual step),
    each with its case number, amount, subtotal, narrative and usage with its total; usage
    that differs from the money received is flagged."""
    grant_year = StateGrantYear.objects.filter(year=year).first()
    grants = list(
        grant_year.grants.prefetch_related("lines", "spending", "areas") if grant_year else []
    )
    held = {g.agreement_id for g in grants if g.agreement_id}
    regular = [_register_entry(g) for g in grants if not g.temporary]
    temporary = [_register_entry(g) for g in grants if g.temporary]
    for agreement in Agreement.objects.filter(year=year).order_by("short_name"):
        if agreement.pk not in held:
            entry = _agreement_entry(agreement)
            if entry is not None:
                regular.append(entry)

    def total(items):
        return sum((g.received for g in items), ZERO)

    regular_total, temporary_total = total(regular), total(temporary)
    notes = []
    for label, stated, computed in (
        ("nationella statsbidrag", grant_year and grant_year.stated_total, regular_total),
        (
            "tillfälliga statsbidrag",
            grant_year and grant_year.stated_temporary_total,
            temporary_total,
        ),
    ):
        if stated is not None and stated != computed:
            notes.append(
                f"Summan av raderna för {label} är {format_amount(computed)}; beslutet anger "
                f"{format_amount(stated)} (skillnad {format_amount(computed - stated)})."
            )
    missing = [
        f"Uppföljningstexten för ”{g.name}” är inte ifylld." for g in regular if not g.follow_up
    ] + [
        f"Exempelvärde, ej bekräftat: diarienumret {g.case_number} för ”{g.name}” "
        "(överenskommelsen)"
        for g in regular
        if g.example_case_number
    ]
    if not regular and not temporary:
        missing.append(f"Inga statsbidrag för år {year} finns i registret eller i appen.")
    return {
        "title": f"Sammanställning av statsbidrag {year}",
        "year": year,
        "grant_year": grant_year,
        "profile": OrganisationProfile.current(),
        "regular": regular,
        "temporary": temporary,
        "regular_total": regular_total,
        "temporary_total": temporary_total,
        "notes": notes,
        "missing": missing,
    }


CONTEXTS = {
    DocumentKind.REQUISITION: requisition_context,
    DocumentKind.FINANCIAL_REPORT: financial_report_context,
    DocumentKind.ACTIVITY_REPORT: activity_report_context,
    DocumentKind.DECISION: decision_context,
    DocumentKind.VFU_REPORT: vfu_report_context,
}


def document_context(kind: str, *, agreement=None, year=None, extra=None) -> dict:
    """The document's context (the same for its preview, its PDF and its XLSX), with `draft`:
    what it still lacks (empty when it may go out)."""
    if kind == DocumentKind.ANNUAL_SUMMARY:
        context = summary_context(year)
    else:
        context = CONTEXTS[kind](agreement)
    context.update(extra or {})
    context["draft"] = missing_for(kind, context)
    return context


def report_texts(agreement) -> tuple:
    """What the report texts page edits: the agreement's report details, each area with its
    narrative, each reporting requirement, each activity with its text (rows not yet written
    are new, unsaved)."""
    areas = [
        (area, AreaReport.objects.filter(area=area).first() or AreaReport(area=area))
        for area in agreement.areas.all()
    ]
    activities = [
        (activity, getattr(activity, "report", None) or ActivityReport(activity=activity))
        for activity in Activity.objects.filter(area__agreement=agreement).select_related("report")
    ]
    return report_info(agreement), areas, list(agreement.reporting_requirements.all()), activities


def report_text_history(agreement, subject):
    """The history of every text of the agreement's reports, newest first; `subject(record)`
    names what each change was to."""
    return timeline(
        AgreementReport.history.filter(agreement_id=agreement.pk),
        AreaReport.history.filter(area__agreement=agreement),
        ActivityReport.history.filter(activity__area__agreement=agreement),
        ReportingRequirement.history.filter(agreement_id=agreement.pk),
        subject=subject,
    )
