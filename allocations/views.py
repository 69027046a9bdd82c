"""Pages for key data, allocation rules, decided amounts and the allocation table."""

import datetime
import hashlib
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from allocations.exports import (
    allocation_table_csv,
    allocation_table_xlsx,
    dataset_list_xlsx,
    dataset_values_xlsx,
)
from common.downloads import attachment, wants_xlsx, xlsx_link
from common.history import timeline
from common.logs import log_refused_import
from common.roles import require
from common.versioning import StaleEdit, versions_token
from filestore.models import Purpose
from filestore.store import file_response, import_upload, latest_file_of
from grants.actions import CopyError, do_set_national_amounts
from grants.models import Agreement, Component, RecipientGroup, Region

from .actions import (
    KeyDataExists,
    counties,
    do_copy_agreement,
    do_fetch_population,
    do_import_key_data,
    do_paste_decided_amounts,
    do_save_rule,
    do_set_decided_amounts,
    do_set_key_values,
)
from .allocation_table import TABLE_GROUPS, build_allocation_table
from .forms import (
    DecidedAmountsForm,
    DecidedImportForm,
    FetchScbForm,
    KeyDataImportForm,
    KeyDataValuesForm,
    NationalPasteForm,
    PasteForm,
    RuleForm,
    RuleRowFormSet,
    terms_from_rows,
)
from .importing import ImportFileError, read_county_table
from .models import (
    AllocationRule,
    DecidedAmount,
    KeyDataSet,
    KeyDataValue,
    Method,
    Municipality,
    RuleTerm,
    RuleTermColumn,
)
from .pasting import Place, parse_named_amounts, parse_pasted_table, plain_key
from .permissions import can_edit_allocations, can_view_allocations
from .scb import ScbError
from .tables import KeyDataSetTable

EXPORTS = {"csv": allocation_table_csv, "xlsx": allocation_table_xlsx}


@require(can_edit_allocations)
@require_http_methods(["POST"])
def dataset_fetch_scb(request):
    """The button: the population per county on a date, fetched from SCB."""
    form = FetchScbForm(request.POST)
    if form.is_valid():
        try:
            dataset = do_fetch_population(
                form.cleaned_data["reference_date"],
                acting_user=request.user,
                per_municipality=form.cleaned_data["per_municipality"],
            )
        except ScbError as exc:
            messages.error(request, f"Inget hämtades från SCB: {exc}")
        except KeyDataExists as exc:
            messages.error(request, exc.problems[0])
        else:
            messages.success(request, f"Nyckeldata ”{dataset}” har hämtats från SCB.")
            return redirect(dataset)
    else:
        messages.error(request, "Ange referensdatum som ÅÅÅÅ-MM-DD, t.ex. 2023-11-01.")
    return redirect("allocations:dataset_list")


@require(can_view_allocations)
def dataset_list(request):
    if wants_xlsx(request):
        return attachment(dataset_list_xlsx(KeyDataSet.objects.all()), "nyckeldata.xlsx")
    table = KeyDataSetTable(KeyDataSet.objects.all())
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    last_november = datetime.date(timezone.localdate().year - 1, 11, 1)
    return render(
        request,
        "allocations/dataset_list.html",
        {
            "table": table,
            "export": xlsx_link(request),
            "scb_form": FetchScbForm(initial={"reference_date": last_november}),
        },
    )


def _dataset_history(dataset):
    regions = list(Region.objects.all())
    names = {
        (c.pk, r.pk): f"{r.county_name}, {c.code}" for c in dataset.columns.all() for r in regions
    }
    return timeline(
        KeyDataValue.history.filter(column__dataset=dataset),
        subject=lambda r: names.get((r.column_id, r.region_id), "värde"),
    )


@require(can_view_allocations)
def dataset_detail(request, pk):
    dataset = get_object_or_404(KeyDataSet, pk=pk)
    form = KeyDataValuesForm(dataset=dataset)
    grid = [(region, [field.initial for field in fields]) for region, fields in form.grid]
    if wants_xlsx(request):
        return attachment(
            dataset_values_xlsx(dataset, form.columns, grid),
            f"nyckeldata-{slugify(dataset.name)}.xlsx",
        )
    return render(
        request,
        "allocations/dataset_detail.html",
        {
            "dataset": dataset,
            "form": form,
            "export": xlsx_link(request),
            # The counties' sum of each column, as the export's total row has it.
            "totals": [
                sum((value or 0 for value in column), Decimal(0))
                for column in zip(*(values for _, values in grid), strict=True)
            ],
            "entries": _dataset_history(dataset),
            "kept_file": latest_file_of(dataset),
            "municipality_values": dataset.municipality_values.select_related("municipality"),
        },
    )


@require(can_view_allocations)
def dataset_file(request, pk):
    """The key-data file exactly as it was uploaded."""
    stored = latest_file_of(get_object_or_404(KeyDataSet, pk=pk))
    if stored is None:
        raise Http404("Filen sparades inte (inläst före filarkivet eller inmatad för hand).")
    return file_response(stored)


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def dataset_import(request):
    form = KeyDataImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_county_table(upload.read(), upload.name, counties())
        except ImportFileError as exc:
            problems = exc.problems
            log_refused_import(request, "nyckeldata", upload.name, problems)
        else:
            dataset = None
            try:
                dataset = import_upload(
                    upload,
                    lambda checksum: do_import_key_data(
                        name=form.cleaned_data["name"],
                        measure=form.cleaned_data["measure"],
                        reference_date=form.cleaned_data["reference_date"],
                        source=form.cleaned_data["source"],
                        table=table,
                        acting_user=request.user,
                    ),
                    purpose=Purpose.KEY_DATA,
                    kind="nyckeldata",
                    acting_user=request.user,
                    request=request,
                )
            except IntegrityError:
                # Someone read in data of the same name since this form was checked.
                problems = [
                    f"Det finns redan nyckeldata med namnet ”{form.cleaned_data['name']}”; "
                    "någon annan läste in den nyss. Inget har sparats."
                ]
            if dataset is not None and not problems:
                messages.success(request, f"Nyckeldata ”{dataset}” har lästs in.")
                return redirect(dataset)
    return render(
        request,
        "allocations/upload.html",
        {"form": form, "problems": problems, "title": "Läs in nyckeldata"},
        status=400 if form.is_bound else 200,
    )


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def dataset_edit(request, pk):
    dataset = get_object_or_404(KeyDataSet, pk=pk)
    token = versions_token(KeyDataValue.objects.filter(column__dataset=dataset))
    form = KeyDataValuesForm(request.POST or None, dataset=dataset, token=token)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            do_set_key_values(
                dataset,
                form.values_by_column(),
                acting_user=request.user,
                expected_token=form.cleaned_data["token"],
                reason=form.cleaned_data["reason"],
            )
        except (StaleEdit, ImportFileError) as exc:
            problems = getattr(exc, "problems", None) or exc.messages
        else:
            messages.success(request, f"Värdena i ”{dataset}” har sparats.")
            return redirect(dataset)
    return render(
        request,
        "allocations/dataset_edit.html",
        {"dataset": dataset, "form": form, "problems": problems},
        status=400 if form.is_bound else 200,
    )


def _group_or_404(group):
    if group not in TABLE_GROUPS:
        raise Http404
    return group


@require(can_view_allocations)
def allocation_table(request, pk, group):
    agreement = get_object_or_404(Agreement, pk=pk)
    table = build_allocation_table(agreement, _group_or_404(group))
    export = request.GET.get("format")
    if export in EXPORTS:
        return attachment(EXPORTS[export](table), f"fordelning-{agreement.slug}-{group}.{export}")
    return render(
        request,
        "allocations/allocation_table.html",
        {
            "agreement": agreement,
            "table": table,
            "groups": [(key, label.label) for key, label in TABLE_GROUPS.items()],
        },
    )


def _component(pk, component_pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    return agreement, get_object_or_404(Component, pk=component_pk, agreement=agreement)


def _table_url(agreement, component):
    group = next(
        (key for key, value in TABLE_GROUPS.items() if value == component.recipient_group), None
    )
    if group is None:
        return agreement.get_absolute_url()
    return reverse("allocations:table", args=[agreement.pk, group])


def _rule_history(rule):
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


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk, component_pk):
    agreement, component = _component(pk, component_pk)
    rule = AllocationRule.objects.filter(component=component).first()
    initial_rows = []
    if rule:
        for term in rule.terms.prefetch_related("columns"):
            for part in term.columns.all():
                initial_rows.append(
                    {
                        "term": term.position,
                        "term_weight": term.weight,
                        "column": part.column_id,
                        "weight": part.weight,
                    }
                )
    form = RuleForm(
        request.POST or None,
        initial={
            "method": rule.method if rule else Method.KEY,
            "base_amount": rule.base_amount if rule else None,
            "notes": rule.notes if rule else "",
            "token": versions_token([rule] if rule else []),
        },
    )
    formset = RuleRowFormSet(request.POST or None, initial=initial_rows, prefix="rad")
    rule_errors = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        method = form.cleaned_data["method"]
        try:
            terms = terms_from_rows(method, [f.cleaned_data for f in formset.forms])
        except forms.ValidationError as exc:
            rule_errors = exc.messages
        else:
            try:
                do_save_rule(
                    component,
                    method=method,
                    base_amount=form.cleaned_data["base_amount"] or 0,
                    terms=terms if method == Method.KEY else [],
                    notes=form.cleaned_data["notes"],
                    acting_user=request.user,
                    expected_token=form.cleaned_data["token"],
                    reason=form.cleaned_data["reason"],
                )
            except (StaleEdit, ImportFileError) as exc:
                rule_errors = getattr(exc, "problems", None) or exc.messages
            else:
                messages.success(request, f"Fördelningsregeln för ”{component}” har sparats.")
                return redirect(_table_url(agreement, component))
    return render(
        request,
        "allocations/rule_form.html",
        {
            "agreement": agreement,
            "component": component,
            "form": form,
            "formset": formset,
            "rule_errors": rule_errors,
            "cancel_url": _table_url(agreement, component),
            "entries": _rule_history(rule),
        },
        status=400 if request.method == "POST" else 200,
    )


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def decided_edit(request, pk, component_pk):
    agreement, component = _component(pk, component_pk)
    by_county = component.recipient_group == RecipientGroup.MUNICIPALITIES
    own = settings.OWN_REGION_CODE
    # The own region first (its decision letter often comes months before the rest), then
    # county order.
    regions = sorted(
        Region.objects.values_list("pk", "county_code", "county_name", "name"),
        key=lambda region: region[1] != own,
    )
    recipients = [
        (code, (county if by_county else name) + (" (egen region)" if code == own else ""))
        for _, code, county, name in regions
    ]
    recipients_by_id = [(pk, county if by_county else name) for pk, _, county, name in regions]
    decided = list(component.decided_amounts.select_related("region"))
    current = {d.region.county_code: d.amount for d in decided}
    token = versions_token(decided)
    is_import = request.method == "POST" and "file" in request.FILES
    import_form = DecidedImportForm(
        request.POST if is_import else None,
        request.FILES if is_import else None,
        auto_id="id_import_%s",
        token=token,
    )
    form = DecidedAmountsForm(
        request.POST if request.method == "POST" and not is_import else None,
        recipients=recipients,
        initial_amounts=current,
        token=token,
    )
    problems = []
    form_problems = []
    names = dict(recipients_by_id)
    if is_import and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        try:
            table = read_county_table(upload.read(), upload.name, counties())
            column = import_form.cleaned_data["column"] or (
                table.columns[0] if len(table.columns) == 1 else ""
            )
            if column not in table.columns:
                raise ImportFileError(
                    [
                        "Ange vilken kolumn som innehåller beloppen. Filen har kolumnerna "
                        + ", ".join(f"”{c}”" for c in table.columns)
                        + "."
                    ]
                )
            do_set_decided_amounts(
                component,
                {code: row[column] for code, row in table.values.items()},
                source=import_form.cleaned_data["source"] or upload.name,
                acting_user=request.user,
                expected_token=import_form.cleaned_data["token"],
                reason=import_form.cleaned_data["reason"],
            )
        except ImportFileError as exc:
            problems = exc.problems
            log_refused_import(request, "beslutade belopp", upload.name, problems)
        except StaleEdit as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Beslutade belopp för ”{component}” har lästs in.")
            return redirect(_table_url(agreement, component))
    elif request.method == "POST" and not is_import and form.is_valid():
        try:
            do_set_decided_amounts(
                component,
                form.cleaned_data["amounts"],
                source=form.cleaned_data["source"],
                acting_user=request.user,
                expected_token=form.cleaned_data["token"],
                reason=form.cleaned_data["reason"],
            )
        except (StaleEdit, ImportFileError) as exc:
            form_problems = getattr(exc, "problems", None) or exc.messages
        else:
            messages.success(request, f"Beslutade belopp för ”{component}” har sparats.")
            return redirect(_table_url(agreement, component))
    return render(
        request,
        "allocations/decided_form.html",
        {
            "agreement": agreement,
            "component": component,
            "form": form,
            "import_form": import_form,
            "problems": problems,
            "form_problems": form_problems,
            "entries": timeline(
                DecidedAmount.history.filter(component_id=component.pk),
                subject=lambda r: names.get(r.region_id, ""),
            ),
            "cancel_url": _table_url(agreement, component),
        },
        status=400 if request.method == "POST" else 200,
    )


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def agreement_copy(request, pk):
    """ "Kopiera till nytt år": the structure, conditions, rules and deadlines, no amounts."""
    agreement = get_object_or_404(Agreement, pk=pk)
    problems = []
    if request.method == "POST":
        try:
            copy = do_copy_agreement(agreement, acting_user=request.user)
        except CopyError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                f"”{copy}” har skapats som utkast från ”{agreement}”. Fyll i beloppen och "
                "bekräfta fristerna.",
            )
            return redirect(copy)
    return render(
        request,
        "allocations/agreement_copy.html",
        {
            "agreement": agreement,
            "next_year": agreement.year + 1,
            "problems": problems,
            "components": agreement.components.count(),
            "deadlines": agreement.deadlines.count(),
            "rules": AllocationRule.objects.filter(component__agreement=agreement).count(),
        },
        status=400 if problems else 200,
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


def _parse_paste(text, component):
    """The pasted table read per county; for the municipalities' money a table per
    municipality too, taken when it matches more rows (its amounts summed per county)."""
    table = parse_pasted_table(text, _places())
    if component.recipient_group == RecipientGroup.MUNICIPALITIES:
        municipal = parse_pasted_table(text, _municipality_places())
        if municipal.matched > table.matched:
            return municipal
    return table


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def decided_paste(request, pk, component_pk):
    """Paste a table of decided amounts: a preview first, saved only when confirmed."""
    agreement, component = _component(pk, component_pk)
    components = list(
        agreement.components.filter(recipient_group__in=TABLE_GROUPS.values()).order_by(
            "area__position", "position", "id"
        )
    )
    table = None
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data.setdefault("column_1", str(component.pk))
        table = _parse_paste(data.get("text", "")[:200_000], component)
    form = PasteForm(
        data,
        components=components,
        columns=table.columns if table else 0,
        initial_component=component,
    )
    problems = []
    targets = []
    if data is not None and form.is_valid() and table.ok:
        targets = form.targets(table.columns)
        tokens = {c.pk: data.get(f"token_{c.pk}") for _, c in targets}
        # Saved only as previewed: the same text, and a token for each chosen component.
        previewed = data.get("previewed") == _digest(data.get("text", ""))
        if "confirm" in data and targets and previewed and None not in tokens.values():
            try:
                do_paste_decided_amounts(
                    [(c, table.amounts(i), tokens[c.pk]) for i, c in targets],
                    source=form.cleaned_data["source"] or "Inklistrad tabell",
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (StaleEdit, ImportFileError) as exc:
                problems = getattr(exc, "problems", None) or exc.messages
            else:
                names = ", ".join(f"”{c}”" for _, c in targets)
                messages.success(request, f"Beslutade belopp för {names} har sparats.")
                return redirect(_table_url(agreement, component))
        elif "confirm" in data and not targets:
            problems = ["Välj vilket delområde minst en av kolumnerna ska läsas in till."]
    elif table is not None:
        problems = table.problems
    return render(
        request,
        "allocations/decided_paste.html",
        {
            "agreement": agreement,
            "component": component,
            "form": form,
            "base_fields": [form["text"], form["source"], form["reason"]],
            "table": table,
            "preview": _paste_preview(table, form, targets) if table and table.rows else None,
            "problems": problems,
            "cancel_url": _table_url(agreement, component),
        },
        status=400 if problems else 200,
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _paste_preview(table, form, targets):
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
        "digest": _digest(form.data.get("text", "")),
        "tokens": [(c.pk, versions_token(c.decided_amounts.all())) for _, c in targets],
    }


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def national_paste(request, pk):
    """Paste the agreement's national amounts per component: preview, then confirm."""
    agreement = get_object_or_404(Agreement, pk=pk)
    # As the agreement lists them: the areas' components, then those of the whole agreement.
    components = sorted(
        agreement.components.select_related("area"),
        key=lambda c: (c.area is None, c.area.position if c.area else 0, c.position, c.pk),
    )
    names = {plain_key(c.name): c.pk for c in components}
    # The components' names to start from: the officer fills in the amounts beside them.
    start = "\n".join(f"{c.name}\t" for c in components) + "\nTotalt\t"
    form = NationalPasteForm(request.POST or None, initial={"text": start})
    result = None
    problems = []
    if request.method == "POST" and form.is_valid():
        result = parse_named_amounts(
            form.cleaned_data["text"], names, form.cleaned_data["unit"] or ""
        )
        problems = result.problems
        amounts = {pk: amount for pk, (_, amount) in result.amounts.items()}
        token = request.POST.get("token")
        previewed = request.POST.get("previewed") == _digest(
            form.cleaned_data["text"] + form.cleaned_data["unit"]
        )
        if "confirm" in request.POST and not problems and previewed and token is not None:
            try:
                do_set_national_amounts(
                    agreement,
                    amounts,
                    total=result.total,
                    acting_user=request.user,
                    expected_token=token,
                    reason=form.cleaned_data["reason"],
                    source=form.cleaned_data["source"],
                )
            except CopyError as exc:
                problems = exc.problems
            except StaleEdit as exc:
                problems = exc.messages
            else:
                messages.success(request, "De nationella beloppen har sparats.")
                return redirect(agreement)
    preview = None
    if result is not None and result.amounts:
        by_pk = {c.pk: c for c in components}
        new = {pk: amount for pk, (_, amount) in result.amounts.items()}
        top_sum = sum((a for pk, a in new.items() if by_pk[pk].included_in_id is None), Decimal(0))
        preview = {
            "rows": [
                (c, c.national_amount, new.get(c.pk), result.amounts.get(c.pk, (None,))[0])
                for c in components
            ],
            "sum": top_sum,
            "total": result.total,
            "difference": None if result.total is None else top_sum - result.total,
            "missing": [c for c in components if c.pk not in new],
            "digest": _digest(form.cleaned_data["text"] + form.cleaned_data["unit"]),
            "token": versions_token(components),
        }
    return render(
        request,
        "allocations/national_paste.html",
        {
            "agreement": agreement,
            "form": form,
            "result": result,
            "preview": preview,
            "problems": problems,
        },
        status=400 if problems else 200,
    )
