"""Report pages: a preview of each document, its generation and the stored copies."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.history import timeline
from common.versioning import StaleEdit, save_checked
from distribution.models import Activity
from filestore.store import file_response, latest_file_of
from grants.models import Agreement, RecipientGroup
from grants.roles import require

from .actions import do_generate_document, do_save_report_texts, document_context
from .documents import DOCUMENT_FOR_DEADLINE, report_info
from .filing import keep_document
from .forms import ActivityReportForm, AgreementReportForm, AreaReportForm, OrganisationForm
from .models import (
    ActivityReport,
    AgreementReport,
    AreaReport,
    DocumentKind,
    GeneratedDocument,
    OrganisationProfile,
)
from .pdf import BODY_TEMPLATES
from .permissions import can_generate_reports, can_view_reports, can_write_reports

AGREEMENT_DOCUMENTS = [
    DocumentKind.REQUISITION,
    DocumentKind.FINANCIAL_REPORT,
    DocumentKind.ACTIVITY_REPORT,
    DocumentKind.DECISION,
]
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(document):
    stored = latest_file_of(document)
    if stored is not None:  # the kept copy, its checksum verified
        return file_response(stored, CONTENT_TYPES[document.file_format])
    response = HttpResponse(
        bytes(document.content), content_type=CONTENT_TYPES[document.file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{document.file_name}"'
    return response


@require(can_view_reports)
def agreement_reports(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    documents = list(
        GeneratedDocument.objects.filter(agreement=agreement)
        .select_related("created_by")
        .defer("content")
    )
    latest = {}
    for document in reversed(documents):  # oldest first, so the newest wins
        latest[document.kind] = document
    due = []
    # The region's own deadlines: not those that only SKR or the municipalities (RSS) meet.
    own = agreement.deadlines.exclude(
        applies_to__in=[RecipientGroup.SKR, RecipientGroup.MUNICIPALITIES]
    )
    for deadline in own:
        kind = DOCUMENT_FOR_DEADLINE.get(deadline.kind)
        if kind:
            due.append((deadline, DocumentKind(kind), latest.get(kind)))
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
        keep_document(document, acting_user=request.user)
        return _download(document)
    earlier = GeneratedDocument.objects.filter(kind=kind).select_related("created_by")
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


def _text_subject(record, area_forms, activity_forms):
    if hasattr(record, "area_id"):
        return next((str(a) for a, _ in area_forms if a.pk == record.area_id), "Område")
    if hasattr(record, "activity_id"):
        return next((str(a) for a, _ in activity_forms if a.pk == record.activity_id), "Aktivitet")
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
    named = (
        [(info_form, "Rapportuppgifterna för överenskommelsen")]
        + [(f, f"Texten för området ”{area}”") for area, f in area_forms]
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
            "problems": problems,
            "entries": timeline(
                AgreementReport.history.filter(agreement_id=agreement.pk),
                AreaReport.history.filter(area__agreement=agreement),
                ActivityReport.history.filter(activity__area__agreement=agreement),
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
        "grants/form.html",
        {
            "form": form,
            "title": "Regionens uppgifter i rapporterna",
            "cancel_url": reverse("grants:home"),
            "problems": problems,
            "entries": timeline(OrganisationProfile.history.all()),
        },
        status=400 if request.method == "POST" else 200,
    )
