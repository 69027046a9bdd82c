"""Follow-up pages: budget against outcome, ledger imports, sources, periods and forecasts."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.downloads import attachment, wants_xlsx, xlsx_link
from common.editing import edit_page
from common.limits import MB
from common.logs import log_refused_import
from common.refusals import Refused, refuse
from common.roles import require
from common.versioning import posted_version
from distribution.models import Activity
from filestore.models import Purpose
from filestore.store import file_response, import_upload, latest_file_of
from followup.exports import import_list_xlsx, ledger_rows_xlsx
from followup.reconciliation import reconciliation_xlsx
from grants.models import Agreement

from .accounts import KOMMUN_BAS
from .actions import (
    AccountChartError,
    PeriodError,
    do_add_account_range,
    do_close_period,
    do_delete_account_range,
    do_delete_activity_link,
    do_import_ledger_file,
    do_reopen_period,
    do_save_activity_link,
    do_save_ledger_source,
    do_set_budget_profile,
    do_set_forecast,
)
from .forms import (
    AccountRangeForm,
    ActivityLinkForm,
    BudgetProfileForm,
    ForecastForm,
    LedgerUploadForm,
    MappingForm,
    MonthForm,
    ReopenForm,
    SieSourceForm,
    SourceSampleForm,
)
from .ledger_files import UPLOAD_WHAT, LedgerFileError, is_sie_file, preview_of
from .models import AccountRange, ActivityLink, LedgerImport, LedgerSource
from .periods import MONTH_NAMES, all_periods, period_by_key, spread_budget
from .permissions import can_close_periods, can_import_ledger, can_set_forecast, can_view_followup
from .reads import (
    account_ranges,
    activity_links,
    budget_profile_history,
    budget_profile_of,
    chart_history,
    closed_months,
    closed_period,
    closed_periods,
    followup_report,
    import_rows,
    ledger_imports,
    ledger_sources,
    period_history,
    replaced_rows,
    workbook_transactions,
)
from .sie import parse_sie


def _period(request):
    try:
        return period_by_key(request.GET.get("period", "ar"))
    except KeyError:
        return period_by_key("ar")


@require(can_view_followup)
def overview(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    period = _period(request)
    report = followup_report(agreement, period)
    return render(
        request,
        "followup/overview.html",
        {
            "agreement": agreement,
            "report": report,
            "periods": all_periods(),
            "period": period,
            "closed": closed_months(agreement.year),
            "can_set_forecast": can_set_forecast(request.user),
        },
    )


@require(can_view_followup)
def workbook(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    period = _period(request)
    report = followup_report(agreement, period)
    transactions = workbook_transactions(agreement, period)
    return attachment(
        reconciliation_xlsx(report, transactions), f"avstamning-{agreement.slug}-{period.key}.xlsx"
    )


def _imports_page(request, *, form=None, problems=(), file_name="", status=200):
    """The imports page; drawn again (status 400) with a refused upload's problems."""
    url = reverse("followup:imports")
    return render(
        request,
        "followup/imports.html",
        {
            "form": form or LedgerUploadForm(),
            "problems": problems,
            "file_name": file_name,
            "imports": ledger_imports()[:50],
            "export": f"{url}?format=xlsx",
            "can_import": can_import_ledger(request.user),
            "sources": ledger_sources(),
        },
        status=status,
    )


@require(can_view_followup)
@require_safe
def imports(request):
    if wants_xlsx(request):
        return attachment(import_list_xlsx(ledger_imports().iterator()), "importer.xlsx")
    return _imports_page(request)


@require(can_import_ledger)
@require_POST
def upload(request):
    """Read a ledger file in; a refused one draws the imports page again with its problems."""
    form = LedgerUploadForm(request.POST, request.FILES)
    posted = request.FILES.get("file")
    if not form.is_valid():
        _log_refused_upload(request, posted, form)
        return _imports_page(request, form=form, file_name=_name_of(posted), status=400)
    ledger = form.cleaned_data["file"]
    try:
        record = import_upload(
            ledger,
            partial(do_import_ledger_file, ledger, form.cleaned_data["source"], request.user),
            purpose=Purpose.LEDGER,
            kind="huvudbok",
            acting_user=request.user,
            request=request,
            max_bytes=settings.LEDGER_MAX_UPLOAD_MB * MB,
            what=UPLOAD_WHAT,
        )
    except Refused as exc:
        return _imports_page(
            request, form=form, problems=exc.messages, file_name=ledger.name, status=400
        )
    messages.success(
        request,
        f"”{record.file_name}” är inläst: {record.rows_kept} rader på "
        f"statsbidragsobjekt, {record.rows_ignored} rader på andra objekt ignorerade.",
    )
    return redirect(reverse("followup:imports"))


IMPORT_PAGE_ROWS = 500


@require(can_view_followup)
def import_detail(request, pk):
    """One import: what it held, its rows, and the earlier rows it replaced (kept, archived)."""
    record = get_object_or_404(LedgerImport.objects.select_related("uploaded_by", "source"), pk=pk)
    rows, replaced = import_rows(record), replaced_rows(record)
    if wants_xlsx(request):
        stem = record.file_name.rsplit(".", 1)[0]
        if request.GET.get("rader") == "ersatta":
            return attachment(
                ledger_rows_xlsx("Ersatta rader", replaced.iterator(chunk_size=2000)),
                f"ersatta-rader-{stem}.xlsx",
            )
        return attachment(
            ledger_rows_xlsx("Rader", rows.iterator(chunk_size=2000)),
            f"rader-{stem}.xlsx",
        )
    return render(
        request,
        "followup/import_detail.html",
        {
            "record": record,
            "rows": rows[:IMPORT_PAGE_ROWS],
            "replaced": replaced[:IMPORT_PAGE_ROWS],
            "replaced_count": replaced.count(),
            "limit": IMPORT_PAGE_ROWS,
            "export": xlsx_link(request),
        },
    )


def _name_of(posted) -> str:
    return posted.name if posted else ""


def _log_refused_upload(request, posted, form):
    """A file refused by the form (e.g. too large) is logged like a refused import."""
    if posted is not None and form.errors.get("file"):
        log_refused_import(request, "huvudbok", posted.name, form.errors["file"])


def _source_page(
    request, *, sample_form=None, mapping_form=None, sie_form=None, problems=(), status=200
):
    """One step of the new source: the sample file, its columns (CSV, XLSX) or its
    dimensions (SIE)."""
    url = reverse("followup:imports")
    posted = _name_of(request.FILES.get("file"))
    return render(
        request,
        "followup/source_form.html",
        {
            "form": mapping_form or sie_form or sample_form,
            "sample_form": sample_form,
            "mapping_form": mapping_form,
            "sie_form": sie_form,
            "title": "Ny källa för huvudbok",
            "back": url,
            "breadcrumbs": [(url, "Huvudbok")],
            "problems": problems,
            "problems_title": f"”{posted}” kunde inte läsas in – inget har sparats"
            if sample_form is not None and posted
            else None,
        },
        status=status,
    )


def _source_sample(request):
    """Step one: the sample file is read for its first rows (or its SIE dimensions)."""
    if request.method != "POST":
        return _source_page(request, sample_form=SourceSampleForm())
    form = SourceSampleForm(request.POST, request.FILES)
    if not form.is_valid():
        _log_refused_upload(request, request.FILES.get("file"), form)
        return _source_page(request, sample_form=form, status=400)
    sample, name = form.cleaned_data["file"], form.cleaned_data["name"]
    try:
        if is_sie_file(sample.file, sample.name):
            sie = parse_sie(sample.file, keep=lambda objects: False)
            shown = SieSourceForm(initial={"name": name}, dimensions=sie.dimensions)
            return _source_page(request, sie_form=shown)
        shown = MappingForm(initial={"name": name}, preview=preview_of(sample.file, sample.name))
    except LedgerFileError as exc:
        log_refused_import(request, "huvudbok (exempelfil)", sample.name, exc.messages)
        return _source_page(request, sample_form=form, problems=exc.messages, status=400)
    return _source_page(request, mapping_form=shown)


def _source_save(request, form, build, step):
    """The last step: the source `build(form)` makes is saved, or the step drawn again."""
    problems = []
    if form.is_valid():
        try:
            source = do_save_ledger_source(build(form), acting_user=request.user)
        except Refused as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Källan ”{source}” är sparad. Läs in filen nu.")
            return redirect(reverse("followup:imports"))
    return _source_page(request, **{step: form}, problems=problems, status=400)


@require(can_import_ledger)
@require_http_methods(["GET", "POST"])
def source_new(request):
    """A new source in two steps: a sample file, then which of its columns holds what (for
    CSV and XLSX, with the sample's first rows shown) or which dimension (for SIE)."""
    if request.method == "POST" and "sie_source" in request.POST:
        form = SieSourceForm(request.POST)
        return _source_save(request, form, lambda form: form.save(commit=False), "sie_form")
    if request.method == "POST" and "headers" in request.POST:
        form = MappingForm(request.POST)
        if "show_headers" in request.POST and form.preview:
            # Another header row chosen: show its columns, save nothing yet.
            shown = MappingForm(
                initial={"name": request.POST.get("name", "")},
                preview=form.preview,
                header_row=form.header_line,
            )
            return _source_page(request, mapping_form=shown)
        return _source_save(
            request,
            form,
            lambda form: LedgerSource(name=form.cleaned_data["name"], mapping=form.mapping()),
            "mapping_form",
        )
    return _source_sample(request)


def _periods_page(request, year, *, reopen_error=None, status=200):
    closed = closed_periods(year)
    return render(
        request,
        "followup/periods.html",
        {
            "year": year,
            "months": [(m, MONTH_NAMES[m - 1].capitalize(), closed.get(m)) for m in range(1, 13)],
            "reopen_error": reopen_error,
            "history": period_history(year),
            "can_close": can_close_periods(request.user),
        },
        status=status,
    )


def _month_name(month: int, year) -> str:
    return f"{MONTH_NAMES[month - 1].capitalize()} {year}"


@require(can_view_followup)
@require_safe
def periods(request, year):
    return _periods_page(request, year)


@require(can_close_periods)
@require_POST
def close_period(request, year):
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Ogiltig månad.")
        return _periods_page(request, year, status=400)
    month = form.cleaned_data["month"]
    do_close_period(year, month, acting_user=request.user)
    messages.success(request, f"{_month_name(month, year)} är stängd.")
    return redirect(reverse("followup:periods", args=[year]))


@require(can_close_periods)
@require_POST
def reopen_period(request, year):
    form = ReopenForm(request.POST)
    if not form.is_valid():
        if "month" in form.errors:
            messages.error(request, "Ogiltig månad.")
            return _periods_page(request, year, status=400)
        month = form.cleaned_data["month"]
        error = f"Ange skälet till att {MONTH_NAMES[month - 1]} {year} öppnas igen."
        return _periods_page(request, year, reopen_error=(f"reason-{month}", error), status=400)
    month = form.cleaned_data["month"]
    period = closed_period(year, month)
    try:
        if period is None:
            raise PeriodError(f"{_month_name(month, year)} är redan öppen.")
        do_reopen_period(period, acting_user=request.user, reason=form.cleaned_data["reason"])
    except PeriodError as exc:
        refuse(request, exc)
        return _periods_page(request, year, status=400)
    messages.success(request, f"{_month_name(month, year)} är öppnad igen.")
    return redirect(reverse("followup:periods", args=[year]))


def _overview_url(activity) -> str:
    return reverse("followup:overview", args=[activity.area.agreement_id])


def _activity(activity_pk):
    return get_object_or_404(Activity.objects.select_related("area__agreement"), pk=activity_pk)


@require(can_set_forecast)
@require_http_methods(["GET", "POST"])
def forecast(request, activity_pk):
    activity = _activity(activity_pk)
    back = _overview_url(activity)
    return edit_page(
        request,
        ForecastForm,
        form_kwargs={"initial": {"forecast": activity.forecast, "version": activity.version}},
        save=lambda form: do_set_forecast(
            activity,
            form.cleaned_data["forecast"],
            acting_user=request.user,
            expected_version=form.expected_version,
        ),
        title=f"Prognos: {activity}",
        back=back,
        done="Prognosen för ”{}” är sparad.",
        breadcrumbs=[(back, "Uppföljning")],
    )


def _chart_page(request, *, form=None, problems=(), status=200):
    ranges = account_ranges()
    return render(
        request,
        "followup/chart.html",
        {
            "form": form or AccountRangeForm(),
            "problems": problems,
            "ranges": ranges,
            "defaults": KOMMUN_BAS if not ranges else (),
            "history": chart_history(),
            "can_edit": can_import_ledger(request.user),
        },
        status=status,
    )


@require(can_view_followup)
@require_safe
def chart(request):
    """The region's chart of accounts: which accounts are costs, income or something else."""
    return _chart_page(request)


@require(can_import_ledger)
@require_POST
def chart_add(request):
    form = AccountRangeForm(request.POST)
    if not form.is_valid():
        return _chart_page(request, form=form, status=400)
    try:
        do_add_account_range(**form.cleaned_data, acting_user=request.user)
    except AccountChartError as exc:
        return _chart_page(request, form=form, problems=exc.messages, status=400)
    messages.success(request, "Kontointervallet är sparat.")
    return redirect(reverse("followup:chart"))


@require(can_import_ledger)
@require_POST
def chart_delete(request, pk):
    record = get_object_or_404(AccountRange, pk=pk)
    reason = request.POST.get("reason", "").strip()
    try:
        do_delete_account_range(record, acting_user=request.user, reason=reason)
    except AccountChartError as exc:
        return _chart_page(request, problems=exc.messages, status=400)
    messages.success(request, f"Kontointervallet {record.first}–{record.last} är borttaget.")
    return redirect(reverse("followup:chart"))


@require(can_set_forecast)
@require_http_methods(["GET", "POST"])
def budget_profile(request, activity_pk):
    activity = _activity(activity_pk)
    record = budget_profile_of(activity)
    initial = {"kind": "jamn", "version": 0}
    if record:
        amounts = {f"m{m:02d}": a for m, a in enumerate(record.amounts or [], start=1)}
        shown = {"kind": record.kind, "month": record.month, "version": record.version}
        initial = {**initial, **shown, **amounts}
    back = _overview_url(activity)

    def save(form):
        do_set_budget_profile(
            activity,
            form.profile,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.expected_version,
        )
        return activity

    current = spread_budget(activity.amount, record.as_profile() if record else None)
    return edit_page(
        request,
        BudgetProfileForm,
        form_kwargs={"initial": initial, "activity": activity},
        save=save,
        title=f"Budgetprofil: {activity}",
        back=back,
        done="Budgetprofilen för ”{}” är sparad.",
        breadcrumbs=[(back, "Uppföljning")],
        template="followup/budget_profile_form.html",
        context={
            "activity": activity,
            "current": [(MONTH_NAMES[m].capitalize(), amount) for m, amount in enumerate(current)],
            "profile_history": budget_profile_history(record),
        },
    )


def _links_page(request, agreement, *, form=None, status=200):
    return render(
        request,
        "followup/links.html",
        {
            "agreement": agreement,
            "form": form or ActivityLinkForm(agreement=agreement),
            "links": activity_links(agreement),
            "can_edit": can_import_ledger(request.user),
        },
        status=status,
    )


@require(can_view_followup)
@require_safe
def links(request, pk):
    return _links_page(request, get_object_or_404(Agreement, pk=pk))


@require(can_import_ledger)
@require_POST
def add_link(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    form = ActivityLinkForm(request.POST, agreement=agreement)
    if not form.is_valid():
        return _links_page(request, agreement, form=form, status=400)
    try:
        tied = do_save_activity_link(form.save(commit=False), acting_user=request.user)
    except Refused as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _links_page(request, agreement, form=form, status=400)
    messages.success(request, f"Kopplingen är sparad; {tied} tidigare rader kopplades.")
    return redirect(reverse("followup:links", args=[agreement.pk]))


@require(can_close_periods)
@require_POST
def delete_link(request, pk, link_pk):
    link = get_object_or_404(ActivityLink, pk=link_pk, cost_object__area__agreement_id=pk)
    try:
        do_delete_activity_link(
            link, acting_user=request.user, expected_version=posted_version(request)
        )
    except Refused as exc:
        refuse(request, exc)
    else:
        messages.success(request, "Kopplingen är borttagen; redan kopplade rader ligger kvar.")
    return redirect(reverse("followup:links", args=[pk]))


@require(can_view_followup)
def import_file(request, import_pk):
    """The ledger file of an import, exactly as it was uploaded."""
    record = get_object_or_404(LedgerImport, pk=import_pk)
    stored = latest_file_of(record)
    if stored is None:
        raise Http404("Filen sparades inte (inläst före filarkivet).")
    return file_response(stored)
