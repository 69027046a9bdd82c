"""Report pages: a preview of each document, its generation and the stored copies."""

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from allocations.importing import ImportFileError
from common.downloads import attachment
from common.history import timeline
from common.roles import require
from common.versioning import StaleEdit, save_checked
from distribution.models import Activity
from filestore.store import file_response, latest_file_of
from grants.models import DOCUMENT_FOR_DEADLINE, Agreement, Deadline, DocumentKind, DocumentState

from .actions import (
    RegisterError,
    TrailError,
    do_attest_document,
    do_fill_state_grants_from_agreements,
    do_generate_document,
    do_import_state_grants,
    do_save_report_texts,
    do_save_state_grant,
    do_send_document,
    do_upload_signed_copy,
    document_context,
)
from .documents import ZERO, report_info, summary_context
from .forms import (
    ActivityReportForm,
    AgreementReportForm,
    AreaReportForm,
    AttestForm,
    OrganisationForm,
    RegisterImportForm,
    RequirementNarrativeForm,
    SendForm,
    SignedCopyForm,
    StateGrantAreasForm,
    StateGrantForm,
    StateGrantLinesForm,
)
from .models import (
    ActivityReport,
    AgreementReport,
    AreaReport,
    GeneratedDocument,
    OrganisationProfile,
    ReportingRequirement,
    SignedCopy,
    StateGrant,
    StateGrantLine,
    StateGrantYear,
)
from .pdf import BODY_TEMPLATES
from .permissions import (
    can_attest,
    can_generate_reports,
    can_handle_documents,
    can_view_reports,
    can_write_reports,
)
from .register import read_register_file

AGREEMENT_DOCUMENTS = [
    DocumentKind.REQUISITION,
    DocumentKind.FINANCIAL_REPORT,
    DocumentKind.ACTIVITY_REPORT,
    DocumentKind.VFU_REPORT,
    DocumentKind.DECISION,
]
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(owner, content_type=None):
    """A document or a signed copy: the kept copy, its checksum verified, or (kept before the
    file store existed) the bytes in the database."""
    content_type = content_type or CONTENT_TYPES[owner.file_format]
    stored = latest_file_of(owner)
    if stored is not None:
        return file_response(stored, content_type)
    return attachment(bytes(owner.content), owner.file_name, content_type)


@require(can_view_reports)
def agreement_reports(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    documents = list(
        GeneratedDocument.objects.filter(agreement=agreement)
        .select_related("created_by")
        .defer("content")
    )
    due = []
    # The region's own deadlines: not those that only SKR or the municipalities (RSS) meet.
    own = Deadline.objects.own().filter(agreement=agreement).select_related("submission")
    for deadline in own:
        kind = DOCUMENT_FOR_DEADLINE.get(deadline.kind)
        if kind:
            due.append((deadline, DocumentKind(kind), getattr(deadline, "submission", None)))
    return render(
        request,
        "reporting/agreement_reports.html",
        {
            "agreement": agreement,
            "kinds": [(k, k.label) for k in AGREEMENT_DOCUMENTS],
            "documents": documents,
            "due": due,
        },
    )


def _document_page(request, kind, *, agreement=None, year=None):
    if request.method == "POST":
        if not can_generate_reports(request.user):
            return render(request, "403.html", status=403)
        file_format = request.POST.get("format", "pdf")
        if file_format not in CONTENT_TYPES or (
            file_format == "xlsx" and kind != DocumentKind.FINANCIAL_REPORT
        ):
            raise Http404
        document = do_generate_document(
            kind, file_format, agreement=agreement, year=year, acting_user=request.user
        )
        return _download(document)
    earlier = (
        GeneratedDocument.objects.filter(kind=kind).select_related("created_by").defer("content")
    )
    earlier = earlier.filter(agreement=agreement) if agreement else earlier.filter(year=year)
    context = document_context(kind, agreement=agreement, year=year)
    return render(
        request,
        "reporting/document.html",
        {
            **context,
            "kind": kind,
            "kind_label": DocumentKind(kind).label,
            "body_template": BODY_TEMPLATES[kind],
            "earlier": earlier,
            "has_xlsx": kind == DocumentKind.FINANCIAL_REPORT,
            "can_generate": can_generate_reports(request.user),
            "subject_agreement": agreement,
        },
    )


@require(can_view_reports)
@require_http_methods(["GET", "POST"])
def agreement_document(request, pk, kind):
    if kind not in AGREEMENT_DOCUMENTS:
        raise Http404
    return _document_page(request, kind, agreement=get_object_or_404(Agreement, pk=pk))


@require(can_view_reports)
@require_http_methods(["GET", "POST"])
def annual_summary(request, year):
    return _document_page(request, DocumentKind.ANNUAL_SUMMARY, year=year)


@require(can_view_reports)
def stored_document(request, doc_pk):
    return _download(get_object_or_404(GeneratedDocument, pk=doc_pk))


def _trail_forms(request, document):
    """The form for the document's next step, if this user may take it."""
    step = document.next_state
    if step == DocumentState.ATTESTED and can_attest(request.user):
        info = report_info(document.agreement)
        return AttestForm(
            initial={
                "correct": "1" if info.attestation == "1" else "2",
                "deviations": info.deviations,
            }
        )
    if step == DocumentState.SIGNED and can_handle_documents(request.user):
        return SignedCopyForm()
    if step == DocumentState.SENT and can_handle_documents(request.user):
        return SendForm()
    return None


@require(can_view_reports)
@require_http_methods(["GET", "POST"])
def document_trail(request, doc_pk):
    document = get_object_or_404(
        GeneratedDocument.objects.select_related("agreement", "created_by").defer("content"),
        pk=doc_pk,
    )
    form = _trail_forms(request, document)
    error = None
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        step, expected = document.next_state, request.POST.get("state")
        try:
            if request.POST.get("step") != step:
                raise TrailError(
                    f"Dokumentet har ändrats av någon annan (status nu: "
                    f"{document.get_state_display()}). Ladda om sidan."
                )
            if step == DocumentState.ATTESTED:
                form = AttestForm(request.POST)
                if form.is_valid():
                    do_attest_document(
                        document,
                        correct=form.cleaned_data["correct"] == "1",
                        deviations=form.cleaned_data["deviations"],
                        acting_user=request.user,
                        expected_state=expected,
                    )
                    messages.success(request, "Den ekonomiska redovisningen är attesterad.")
                    return redirect(reverse("reporting:trail", args=[document.pk]))
            elif step == DocumentState.SIGNED:
                form = SignedCopyForm(request.POST, request.FILES)
                if form.is_valid():
                    upload = form.cleaned_data["file"]
                    do_upload_signed_copy(
                        document,
                        content=upload.read(),
                        file_name=upload.name,
                        signatory=form.cleaned_data["signatory"],
                        signed_on=form.cleaned_data["signed_on"],
                        acting_user=request.user,
                        expected_state=expected,
                    )
                    messages.success(request, "Det undertecknade exemplaret är sparat.")
                    return redirect(reverse("reporting:trail", args=[document.pk]))
            else:
                form = SendForm(request.POST)
                if form.is_valid():
                    do_send_document(
                        document,
                        sent_on=form.cleaned_data["sent_on"],
                        channel=form.cleaned_data["channel"],
                        recipient=form.cleaned_data["recipient"],
                        acting_user=request.user,
                        expected_state=expected,
                    )
                    messages.success(request, "Dokumentet är registrerat som skickat.")
                    return redirect(reverse("reporting:trail", args=[document.pk]))
        except TrailError as refused:
            error = str(refused)
    return render(
        request,
        "reporting/trail.html",
        {
            "document": document,
            "events": document.events.select_related("acted_by"),
            "copies": document.signed_copies.select_related("uploaded_by").defer("content"),
            "form": form,
            "error": error,
            "steps": document.steps,
            "done": document.steps[: document.steps.index(document.state) + 1],
        },
        status=400 if request.method == "POST" else 200,
    )


@require(can_view_reports)
def signed_copy(request, doc_pk, copy_pk):
    copy = get_object_or_404(SignedCopy, pk=copy_pk, document_id=doc_pk)
    return _download(copy, "application/pdf")


def _text_subject(record, area_forms, activity_forms):
    if hasattr(record, "area_id"):
        return next((str(a) for a, _ in area_forms if a.pk == record.area_id), "Område")
    if hasattr(record, "activity_id"):
        return next((str(a) for a, _ in activity_forms if a.pk == record.activity_id), "Aktivitet")
    if hasattr(record, "heading"):
        return f"Återrapportering: {record.heading}"
    return "Överenskommelsen"


@require(can_write_reports)
@require_http_methods(["GET", "POST"])
def report_texts(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    data = request.POST or None
    info_form = AgreementReportForm(data, instance=report_info(agreement), prefix="ok")
    area_forms = [
        (
            area,
            AreaReportForm(
                data,
                instance=AreaReport.objects.filter(area=area).first() or AreaReport(area=area),
                prefix=f"omrade{area.pk}",
            ),
        )
        for area in agreement.areas.all()
    ]
    activity_forms = [
        (
            activity,
            ActivityReportForm(
                data,
                instance=getattr(activity, "report", None) or ActivityReport(activity=activity),
                prefix=f"aktivitet{activity.pk}",
            ),
        )
        for activity in Activity.objects.filter(area__agreement=agreement).select_related("report")
    ]
    requirement_forms = [
        (
            requirement,
            RequirementNarrativeForm(data, instance=requirement, prefix=f"krav{requirement.pk}"),
        )
        for requirement in agreement.reporting_requirements.all()
    ]
    named = (
        [(info_form, "Rapportuppgifterna för överenskommelsen")]
        + [(f, f"Texten för området ”{area}”") for area, f in area_forms]
        + [(f, f"Redovisningen för kravet ”{r.heading}”") for r, f in requirement_forms]
        + [(f, f"Texten för aktiviteten ”{activity}”") for activity, f in activity_forms]
    )
    problems = []
    if request.method == "POST" and all(f.is_valid() for f, _ in named):
        try:
            do_save_report_texts(agreement, named, acting_user=request.user)
        except StaleEdit as exc:
            problems = exc.messages
        else:
            messages.success(request, "Rapporttexterna är sparade.")
            return redirect(reverse("reporting:agreement", args=[agreement.pk]))
    return render(
        request,
        "reporting/texts.html",
        {
            "agreement": agreement,
            "info_form": info_form,
            "area_forms": area_forms,
            "activity_forms": activity_forms,
            "requirement_forms": requirement_forms,
            "problems": problems,
            "entries": timeline(
                AgreementReport.history.filter(agreement_id=agreement.pk),
                AreaReport.history.filter(area__agreement=agreement),
                ActivityReport.history.filter(activity__area__agreement=agreement),
                ReportingRequirement.history.filter(agreement_id=agreement.pk),
                subject=lambda record: _text_subject(record, area_forms, activity_forms),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require(can_generate_reports)
@require_http_methods(["GET", "POST"])
def organisation(request):
    form = OrganisationForm(request.POST or None, instance=OrganisationProfile.current())
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            save_checked(
                form.save(commit=False),
                form.expected_version,
                what="Regionens uppgifter",
                acting_user=request.user,
            )
        except StaleEdit as exc:
            problems = exc.messages
        else:
            messages.success(request, "Regionens uppgifter är sparade.")
            return redirect(reverse("reporting:organisation"))
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": "Regionens uppgifter i rapporterna",
            "back": reverse("grants:home"),
            "problems": problems,
            "entries": timeline(OrganisationProfile.history.all()),
        },
        status=400 if request.method == "POST" else 200,
    )


# The register of every year's state grants.


def _year_totals():
    """(year, national grants, temporary grants) for every year in the register or with
    agreements, newest first; one grouped query."""
    sums = {}
    for year, temporary, total in (
        StateGrantLine.objects.order_by()
        .values("grant__grant_year__year", "grant__temporary")
        .annotate(total=Sum("amount"))
        .values_list("grant__grant_year__year", "grant__temporary", "total")
    ):
        sums[(year, temporary)] = total
    years = set(StateGrantYear.objects.values_list("year", flat=True))
    years |= set(Agreement.objects.values_list("year", flat=True))
    return [
        (year, sums.get((year, False), ZERO), sums.get((year, True), ZERO))
        for year in sorted(years, reverse=True)
    ]


@require(can_view_reports)
def register_index(request):
    year = request.GET.get("ar", "").strip()
    if year:
        if year.isdigit() and 1990 <= int(year) <= 2100:
            return redirect(reverse("reporting:register_year", args=[int(year)]))
        messages.error(request, f"”{year}” är inte ett år. Skriv t.ex. 2023.")
    return render(
        request,
        "reporting/register_index.html",
        {"years": _year_totals(), "can_edit": can_write_reports(request.user)},
    )


def _register_page(request, year, *, import_form=None, problems=(), status=200):
    context = summary_context(year)
    # The register page lists the register's own rows (the summary adds the agreements the
    # register lacks; the page offers to add them).
    grant_year = context["grant_year"]
    grants = list(grant_year.grants.prefetch_related("lines") if grant_year else [])
    regular = [g for g in grants if not g.temporary]
    temporary = [g for g in grants if g.temporary]

    def total(items):
        return sum((line.amount for g in items for line in g.lines.all()), ZERO)

    return render(
        request,
        "reporting/register_year.html",
        {
            **context,
            "regular": regular,
            "temporary": temporary,
            "regular_total": total(regular),
            "temporary_total": total(temporary),
            "import_form": import_form or RegisterImportForm(),
            "problems": problems,
            "can_edit": can_write_reports(request.user),
            "agreements": Agreement.objects.filter(year=year),
        },
        status=status,
    )


@require(can_view_reports)
def register_year(request, year):
    return _register_page(request, year)


@require(can_write_reports)
@require_http_methods(["POST"])
def register_import(request, year):
    form = RegisterImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _register_page(request, year, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        grants = read_register_file(upload.read(), upload.name)
        created = do_import_state_grants(year, grants, acting_user=request.user)
    except (ImportFileError, RegisterError) as refused:
        return _register_page(
            request, year, import_form=form, problems=refused.problems, status=400
        )
    messages.success(request, f"{len(created)} statsbidrag har lästs in för {year}.")
    return redirect(reverse("reporting:register_year", args=[year]))


@require(can_write_reports)
@require_http_methods(["POST"])
def register_fill(request, year):
    added, notes = do_fill_state_grants_from_agreements(year, acting_user=request.user)
    messages.success(request, f"{len(added)} statsbidrag har lagts till från överenskommelserna.")
    for note in notes:
        messages.info(request, note)
    return redirect(reverse("reporting:register_year", args=[year]))


@require(can_write_reports)
@require_http_methods(["GET", "POST"])
def register_grant(request, year, grant_pk=None):
    if grant_pk:
        grant = get_object_or_404(StateGrant, pk=grant_pk, grant_year__year=year)
        lines = [(line.amount, line.comment) for line in grant.lines.all()]
        areas = list(grant.areas.all())
    else:
        grant_year = StateGrantYear.objects.filter(year=year).first() or StateGrantYear(year=year)
        grant, lines, areas = StateGrant(grant_year=grant_year), [], []
    data = request.POST or None
    form = StateGrantForm(data, instance=grant, year=year)
    lines_form = StateGrantLinesForm(data, lines=lines)
    areas_form = StateGrantAreasForm(data, areas=areas)
    problems = []
    if (
        request.method == "POST"
        and form.is_valid()
        and lines_form.is_valid()
        and areas_form.is_valid()
    ):
        saved = form.save(commit=False)
        try:
            do_save_state_grant(
                saved,
                lines_form.lines(),
                version=form.expected_version,
                acting_user=request.user,
                areas=areas_form.areas(),
            )
        except RegisterError as refused:
            problems = refused.problems
        else:
            messages.success(request, f"”{saved.name}” är sparat.")
            return redirect(reverse("reporting:register_year", args=[year]))
    return render(
        request,
        "reporting/register_grant.html",
        {
            "year": year,
            "grant": grant,
            "form": form,
            "lines_form": lines_form,
            "areas_form": areas_form,
            "problems": problems,
        },
        status=400 if request.method == "POST" else 200,
    )
