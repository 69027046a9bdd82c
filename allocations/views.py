"""Pages for key data, allocation rules, decided amounts and the allocation table."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from allocations.exports import (
    allocation_table_csv,
    allocation_table_xlsx,
    dataset_list_xlsx,
    dataset_values_xlsx,
)
from common.downloads import attachment, wants_xlsx, xlsx_link
from common.editing import edit_page
from common.logs import log_refused_import
from common.refusals import Refused, refuse
from common.roles import require
from common.versioning import versions_token
from filestore.models import Purpose
from filestore.store import file_response, import_upload, latest_file_of
from grants.actions import do_set_national_amounts
from grants.models import Agreement, Component

from .actions import (
    KeyDataExists,
    counties,
    do_copy_agreement,
    do_fetch_population,
    do_import_key_data_file,
    do_paste_decided_amounts,
    do_save_rule,
    do_set_decided_amounts,
    do_set_key_values,
)
from .forms import (
    DecidedAmountsForm,
    DecidedImportForm,
    FetchScbForm,
    KeyDataImportForm,
    KeyDataValuesForm,
    NationalPasteForm,
    PasteForm,
    RuleForm,
)
from .importing import ImportFileError, amounts_in_column, read_county_table
from .models import KeyDataSet, Method
from .pasting import digest, parse_named_amounts, plain_key
from .permissions import can_edit_allocations, can_view_allocations
from .reads import (
    TABLE_GROUPS,
    build_allocation_table,
    components_in_order,
    copy_summary,
    dataset_history,
    decided_amounts,
    key_data_sets,
    key_values_token,
    municipality_values,
    parse_paste,
    pastable_components,
    paste_preview,
    rule_history,
    rule_of,
    rule_rows,
)
from .scb import ScbError
from .tables import KeyDataSetTable

EXPORTS = {"csv": allocation_table_csv, "xlsx": allocation_table_xlsx}


@require(can_edit_allocations)
@require_POST
def dataset_fetch_scb(request):
    """The button: the population per county on a date, fetched from SCB."""
    form = FetchScbForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Ange referensdatum som ÅÅÅÅ-MM-DD, t.ex. 2023-11-01.")
        return redirect("allocations:dataset_list")
    try:
        dataset = do_fetch_population(
            form.cleaned_data["reference_date"],
            acting_user=request.user,
            per_municipality=form.cleaned_data["per_municipality"],
        )
    except ScbError as exc:
        refuse(request, Refused([f"Inget hämtades från SCB: {m}" for m in exc.messages]))
    except KeyDataExists as exc:
        refuse(request, exc)
    else:
        messages.success(request, f"Nyckeldata ”{dataset}” har hämtats från SCB.")
        return redirect(dataset)
    return redirect("allocations:dataset_list")


@require(can_view_allocations)
def dataset_list(request):
    if wants_xlsx(request):
        return attachment(dataset_list_xlsx(key_data_sets()), "nyckeldata.xlsx")
    table = KeyDataSetTable(key_data_sets())
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
            "entries": dataset_history(dataset),
            "kept_file": latest_file_of(dataset),
            "municipality_values": municipality_values(dataset),
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
            dataset = import_upload(
                upload,
                lambda checksum: do_import_key_data_file(
                    upload,
                    upload.name,
                    name=form.cleaned_data["name"],
                    measure=form.cleaned_data["measure"],
                    reference_date=form.cleaned_data["reference_date"],
                    source=form.cleaned_data["source"],
                    acting_user=request.user,
                ),
                purpose=Purpose.KEY_DATA,
                kind="nyckeldata",
                acting_user=request.user,
                request=request,
            )
        except Refused as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Nyckeldata ”{dataset}” har lästs in.")
            return redirect(dataset)
    return render(
        request,
        "allocations/upload.html",
        {"form": form, "problems": problems, "title": "Läs in nyckeldata"},
        status=400 if form.is_bound else 200,
    )


def _saving(request, action, row, values):
    """edit_page's `save`: `action(row, **values(form))` by the user, with the token the form
    showed and its reason; `row` back for the page's "saved" message."""

    def save(form):
        action(
            row,
            **values(form),
            acting_user=request.user,
            expected_token=form.cleaned_data["token"],
            reason=form.cleaned_data["reason"],
        )
        return row

    return save


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def dataset_edit(request, pk):
    dataset = get_object_or_404(KeyDataSet, pk=pk)
    return edit_page(
        request,
        KeyDataValuesForm,
        form_kwargs={"dataset": dataset, "token": key_values_token(dataset)},
        save=_saving(
            request,
            do_set_key_values,
            dataset,
            lambda form: {"values_by_column": form.values_by_column()},
        ),
        title=f"Ändra värden: {dataset}",
        back=dataset.get_absolute_url(),
        done="Värdena i ”{}” har sparats.",
        breadcrumbs=[
            (reverse("allocations:dataset_list"), "Nyckeldata"),
            (dataset.get_absolute_url(), str(dataset)),
        ],
        template="allocations/dataset_edit.html",
        context={"dataset": dataset},
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


def _component_page(agreement, component, title, **context):
    """What a component's rule and decided-amounts pages share: title, way back, history."""
    back = _table_url(agreement, component)
    return {
        "title": title,
        "back": back,
        "breadcrumbs": [(agreement.get_absolute_url(), str(agreement)), (back, "Fördelning")],
        "context": {
            "agreement": agreement,
            "component": component,
            "show_subject": True,
            **context,
        },
    }


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk, component_pk):
    agreement, component = _component(pk, component_pk)
    rule = rule_of(component)
    return edit_page(
        request,
        RuleForm,
        form_kwargs={
            "rows": rule_rows(rule),
            "initial": {
                "method": rule.method if rule else Method.KEY,
                "base_amount": rule.base_amount if rule else None,
                "notes": rule.notes if rule else "",
                "token": versions_token([rule] if rule else []),
            },
        },
        save=_saving(
            request,
            do_save_rule,
            component,
            lambda form: {
                "method": form.cleaned_data["method"],
                "base_amount": form.cleaned_data["base_amount"] or 0,
                "terms": form.terms,
                "notes": form.cleaned_data["notes"],
            },
        ),
        done="Fördelningsregeln för ”{}” har sparats.",
        history=rule_history(rule),
        template="allocations/rule_form.html",
        **_component_page(agreement, component, f"Fördelningsregel: {component}"),
    )


def _decided_page(request, agreement, component, *, import_form=None, import_problems=()):
    """The decided amounts typed in (this page's form) or read from a file (decided_import,
    which draws this page again when the file is refused)."""
    decided = decided_amounts(component)
    return edit_page(
        request,
        DecidedAmountsForm,
        form_kwargs={
            "recipients": decided.recipients,
            "initial_amounts": decided.amounts,
            "token": decided.token,
        },
        save=_saving(
            request,
            do_set_decided_amounts,
            component,
            lambda form: {
                "amounts": form.cleaned_data["amounts"],
                "source": form.cleaned_data["source"],
            },
        ),
        done="Beslutade belopp för ”{}” har sparats.",
        history=decided.entries,
        template="allocations/decided_form.html",
        posted=import_form is None,
        **_component_page(
            agreement,
            component,
            f"Beslutade belopp: {component}",
            import_form=import_form
            or DecidedImportForm(auto_id="id_import_%s", token=decided.token),
            import_problems=import_problems,
        ),
    )


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def decided_edit(request, pk, component_pk):
    return _decided_page(request, *_component(pk, component_pk))


@require(can_edit_allocations)
@require_POST
def decided_import(request, pk, component_pk):
    """The decided amounts read from a file (the decided-amounts page's other form)."""
    agreement, component = _component(pk, component_pk)
    form = DecidedImportForm(
        request.POST,
        request.FILES,
        auto_id="id_import_%s",
        token=decided_amounts(component).token,
    )
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_county_table(upload.read(), upload.name, counties())
            do_set_decided_amounts(
                component,
                amounts_in_column(table, form.cleaned_data["column"]),
                source=form.cleaned_data["source"] or upload.name,
                acting_user=request.user,
                expected_token=form.cleaned_data["token"],
                reason=form.cleaned_data["reason"],
            )
        except ImportFileError as exc:
            problems = exc.messages
            log_refused_import(request, "beslutade belopp", upload.name, problems)
        except Refused as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Beslutade belopp för ”{component}” har lästs in.")
            return redirect(_table_url(agreement, component))
    return _decided_page(request, agreement, component, import_form=form, import_problems=problems)


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def agreement_copy(request, pk):
    """ "Kopiera till nytt år": the structure, conditions, rules and deadlines, no amounts."""
    agreement = get_object_or_404(Agreement, pk=pk)
    problems = []
    if request.method == "POST":
        try:
            copy = do_copy_agreement(agreement, acting_user=request.user)
        except Refused as exc:
            problems = exc.messages
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
            **copy_summary(agreement),
        },
        status=400 if problems else 200,
    )


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def decided_paste(request, pk, component_pk):
    """Paste a table of decided amounts: a preview first, saved only when confirmed."""
    agreement, component = _component(pk, component_pk)
    table = None
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data.setdefault("column_1", str(component.pk))
        table = parse_paste(data.get("text", "")[:200_000], component)
    form = PasteForm(
        data,
        components=pastable_components(agreement),
        columns=table.columns if table else 0,
        initial_component=component,
    )
    problems = []
    targets = []
    if data is not None and form.is_valid() and table.ok:
        targets = form.targets(table.columns)
        tokens = {c.pk: data.get(f"token_{c.pk}") for _, c in targets}
        # Saved only as previewed: the same text, and a token for each chosen component.
        previewed = data.get("previewed") == digest(data.get("text", ""))
        if "confirm" in data and targets and previewed and None not in tokens.values():
            try:
                do_paste_decided_amounts(
                    [(c, table.amounts(i), tokens[c.pk]) for i, c in targets],
                    source=form.cleaned_data["source"] or "Inklistrad tabell",
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except Refused as exc:
                problems = exc.messages
            else:
                names = ", ".join(f"”{c}”" for _, c in targets)
                messages.success(request, f"Beslutade belopp för {names} har sparats.")
                return redirect(_table_url(agreement, component))
        elif "confirm" in data and not targets:
            problems = ["Välj vilket delområde minst en av kolumnerna ska läsas in till."]
    elif table is not None:
        problems = table.messages
    return render(
        request,
        "allocations/decided_paste.html",
        {
            "agreement": agreement,
            "component": component,
            "form": form,
            "base_fields": [form["text"], form["source"], form["reason"]],
            "table": table,
            "preview": paste_preview(table, form, targets) if table and table.rows else None,
            "problems": problems,
            "cancel_url": _table_url(agreement, component),
        },
        status=400 if problems else 200,
    )


@require(can_edit_allocations)
@require_http_methods(["GET", "POST"])
def national_paste(request, pk):
    """Paste the agreement's national amounts per component: preview, then confirm."""
    agreement = get_object_or_404(Agreement, pk=pk)
    components = components_in_order(agreement)
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
        problems = result.messages
        amounts = {pk: amount for pk, (_, amount) in result.amounts.items()}
        token = request.POST.get("token")
        previewed = request.POST.get("previewed") == digest(
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
            except Refused as exc:
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
            "digest": digest(form.cleaned_data["text"] + form.cleaned_data["unit"]),
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
