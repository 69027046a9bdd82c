"""Report pages: a preview of each document, its generation, the stored copies and their
trail (attest, sign, send: one POST view each), the report texts and the register."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from common.downloads import attachment
from common.editing import edit_page
from common.refusals import Refused
from common.roles import require
from filestore.store import file_response, latest_file_of
from grants.models import Agreement, DocumentKind, DocumentState

from .actions import (
    do_attest_document,
    do_fill_state_grants_from_agreements,
    do_generate_document,
    do_import_state_grants,
    do_save_organisation,
    do_save_report_texts,
    do_save_state_grant,
    do_send_document,
    do_upload_signed_copy,
)
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
    StateGrantPageForm,
)
from .models import GeneratedDocument, SignedCopy, StateGrant
from .pdf import BODY_TEMPLATES, FORMATS
from .permissions import (
    can_attest,
    can_generate_reports,
    can_handle_documents,
    can_view_reports,
    can_write_reports,
)
from .reads.documents import document_context, report_info, report_text_history, report_texts
from .reads.register import grant_amounts, new_grant, year_totals
from .reads.register import register_year as register_year_context
from .reads.stored import agreement_documents, earlier_documents, trail
from .reads.stored import organisation as organisation_details
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


@require(can_view_reports)
def agreement_reports(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    return render(
        request,
        "reporting/agreement_reports.html",
        {
            "agreement": agreement,
            "kinds": [(k, k.label) for k in AGREEMENT_DOCUMENTS],
            **agreement_documents(agreement),
        },
    )


# A document: its preview (GET) and its generation (POST), for an agreement or a year.


def _subject(kind, pk=None, year=None) -> dict:
    """The document's subject from the URL: an agreement (`pk`) or a year."""
    if year is not None:
        return {"year": year}
    if kind not in AGREEMENT_DOCUMENTS:
        raise Http404
    return {"agreement": get_object_or_404(Agreement, pk=pk)}


def _preview(request, kind, *, agreement=None, year=None):
    return render(
        request,
        "reporting/document.html",
        {
            **document_context(kind, agreement=agreement, year=year),
            "kind": kind,
            "kind_label": DocumentKind(kind).label,
            "body_template": BODY_TEMPLATES[kind],
            "earlier": earlier_documents(kind, agreement=agreement, year=year),
            "has_xlsx": "xlsx" in FORMATS[kind],
            "can_generate": can_generate_reports(request.user),
            "subject_agreement": agreement,
            "generate_url": (
                reverse("reporting:generate", args=[agreement.pk, kind])
                if agreement
                else reverse("reporting:generate_summary", args=[year])
            ),
        },
    )


@require(can_view_reports)
def agreement_document(request, pk, kind):
    return _preview(request, kind, **_subject(kind, pk))


@require(can_view_reports)
def annual_summary(request, year):
    return _preview(request, DocumentKind.ANNUAL_SUMMARY, year=year)


@require(can_generate_reports)
@require_POST
def generate_document(request, kind=DocumentKind.ANNUAL_SUMMARY, pk=None, year=None):
    """Generate and keep the document; the answer is the bytes just made (not read back)."""
    subject = _subject(kind, pk, year)
    file_format = request.POST.get("format", "pdf")
    if file_format not in FORMATS[kind]:
        raise Http404
    document = do_generate_document(kind, file_format, **subject, acting_user=request.user)
    checksum, content = document.made
    response = attachment(content, document.file_name, CONTENT_TYPES[file_format])
    response["X-Content-SHA256"] = checksum
    return response


def _download(owner, content_type):
    """A document or a signed copy: the kept copy, its checksum verified."""
    stored = latest_file_of(owner)
    if stored is None:
        raise Http404
    return file_response(stored, content_type)


@require(can_view_reports)
def stored_document(request, doc_pk):
    document = get_object_or_404(GeneratedDocument, pk=doc_pk)
    return _download(document, CONTENT_TYPES[document.file_format])


@require(can_view_reports)
def signed_copy(request, doc_pk, copy_pk):
    copy = get_object_or_404(SignedCopy, pk=copy_pk, document_id=doc_pk)
    return _download(copy, "application/pdf")


# A document's trail: the page (GET) and one POST view per step, each under its permission.


@dataclass(frozen=True)
class Step:
    """A step of the trail: who may take it, its form (whose `arguments()` the action takes),
    its action, its URL name, its button and what is said when it is done."""

    may: Callable
    form: type
    action: Callable
    url: str
    button: str
    done: str


STEPS = {
    DocumentState.ATTESTED: Step(
        can_attest,
        AttestForm,
        do_attest_document,
        "reporting:attest",
        "Attestera",
        "Den ekonomiska redovisningen är attesterad.",
    ),
    DocumentState.SIGNED: Step(
        can_handle_documents,
        SignedCopyForm,
        do_upload_signed_copy,
        "reporting:sign",
        "Spara undertecknat exemplar",
        "Det undertecknade exemplaret är sparat.",
    ),
    DocumentState.SENT: Step(
        can_handle_documents,
        SendForm,
        do_send_document,
        "reporting:send",
        "Registrera som skickat",
        "Dokumentet är registrerat som skickat.",
    ),
}


def _trail_document(doc_pk):
    return get_object_or_404(
        GeneratedDocument.objects.select_related("agreement", "created_by"), pk=doc_pk
    )


def _step_form(request, document):
    """The empty form for the document's next step, if this user may take it."""
    step = STEPS.get(document.next_state)
    if step is None or not step.may(request.user):
        return None
    if document.next_state == DocumentState.ATTESTED:
        info = report_info(document.agreement)
        return AttestForm(
            initial={
                "correct": "1" if info.attestation == "1" else "2",
                "deviations": info.deviations,
            }
        )
    return step.form()


def _trail_page(request, document, *, form=None, problems=(), status=200):
    step = STEPS.get(document.next_state)
    return render(
        request,
        "reporting/trail.html",
        {
            "document": document,
            **trail(document),
            "form": form,
            "problems": problems,
            "action": reverse(step.url, args=[document.pk]) if step else None,
            "button": step.button if step else None,
        },
        status=status,
    )


@require(can_view_reports)
def document_trail(request, doc_pk):
    document = _trail_document(doc_pk)
    return _trail_page(request, document, form=_step_form(request, document))


def _take_step(request, doc_pk, state):
    """Take the trail's step `state` with the posted form, through its action, at the state
    the page showed. A form posted for a step that is no longer the next one (another user
    moved the document on) is refused, as is whatever the action refuses."""
    document = _trail_document(doc_pk)
    step = STEPS[state]
    form = step.form(request.POST, request.FILES)
    problems = []
    if document.next_state != state:
        form = _step_form(request, document)
        problems = [
            f"Dokumentet har ändrats av någon annan (status nu: {document.get_state_display()}). "
            "Ladda om sidan."
        ]
    elif form.is_valid():
        try:
            step.action(
                document,
                **form.arguments(),
                acting_user=request.user,
                expected_state=request.POST.get("state"),
            )
        except Refused as refusal:
            problems = refusal.messages
        else:
            messages.success(request, step.done)
            return redirect(reverse("reporting:trail", args=[document.pk]))
    return _trail_page(request, document, form=form, problems=problems, status=400)


@require(can_attest)
@require_POST
def document_attest(request, doc_pk):
    return _take_step(request, doc_pk, DocumentState.ATTESTED)


@require(can_handle_documents)
@require_POST
def document_sign(request, doc_pk):
    return _take_step(request, doc_pk, DocumentState.SIGNED)


@require(can_handle_documents)
@require_POST
def document_send(request, doc_pk):
    return _take_step(request, doc_pk, DocumentState.SENT)


# The texts of an agreement's reports, and the region's details.


def _text_subject(record, areas, activities):
    if hasattr(record, "area_id"):
        return next((str(a) for a, _ in areas if a.pk == record.area_id), "Område")
    if hasattr(record, "activity_id"):
        return next((str(a) for a, _ in activities if a.pk == record.activity_id), "Aktivitet")
    if hasattr(record, "heading"):
        return f"Återrapportering: {record.heading}"
    return "Överenskommelsen"


@require(can_write_reports)
@require_http_methods(["GET", "POST"])
def report_texts_page(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    data = request.POST or None
    info, areas, requirements, activities = report_texts(agreement)
    info_form = AgreementReportForm(data, instance=info, prefix="ok")
    area_forms = [
        (area, AreaReportForm(data, instance=report, prefix=f"omrade{area.pk}"))
        for area, report in areas
    ]
    activity_forms = [
        (activity, ActivityReportForm(data, instance=report, prefix=f"aktivitet{activity.pk}"))
        for activity, report in activities
    ]
    requirement_forms = [
        (r, RequirementNarrativeForm(data, instance=r, prefix=f"krav{r.pk}")) for r in requirements
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
        except Refused as refusal:
            problems = refusal.messages
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
            "entries": report_text_history(
                agreement, lambda record: _text_subject(record, areas, activities)
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require(can_generate_reports)
@require_http_methods(["GET", "POST"])
def organisation(request):
    profile, history = organisation_details()
    return edit_page(
        request,
        OrganisationForm,
        form_kwargs={"instance": profile},
        save=lambda form: do_save_organisation(
            form.save(commit=False),
            expected_version=form.expected_version,
            acting_user=request.user,
        ),
        title="Regionens uppgifter i rapporterna",
        back=reverse("grants:home"),
        done="Regionens uppgifter är sparade.",
        history=history,
    )


# The register of every year's state grants.


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
        {"years": year_totals(), "can_edit": can_write_reports(request.user)},
    )


def _register_page(request, year, *, import_form=None, problems=(), status=200):
    return render(
        request,
        "reporting/register_year.html",
        {
            **register_year_context(year),
            "import_form": import_form or RegisterImportForm(),
            "problems": problems,
            "can_edit": can_write_reports(request.user),
        },
        status=status,
    )


@require(can_view_reports)
def register_year(request, year):
    return _register_page(request, year)


@require(can_write_reports)
@require_POST
def register_import(request, year):
    form = RegisterImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _register_page(request, year, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        grants = read_register_file(upload.read(), upload.name)
        created = do_import_state_grants(year, grants, acting_user=request.user)
    except Refused as refusal:
        return _register_page(
            request, year, import_form=form, problems=refusal.messages, status=400
        )
    messages.success(request, f"{len(created)} statsbidrag har lästs in för {year}.")
    return redirect(reverse("reporting:register_year", args=[year]))


@require(can_write_reports)
@require_POST
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
    else:
        grant = new_grant(year)
    back = reverse("reporting:register_year", args=[year])
    return edit_page(
        request,
        StateGrantPageForm,
        form_kwargs={"instance": grant, "year": year, **grant_amounts(grant)},
        save=lambda form: do_save_state_grant(
            form.save(commit=False),
            form.lines(),
            version=form.expected_version,
            acting_user=request.user,
            areas=form.areas(),
        ),
        title="Ändra statsbidrag" if grant.pk else f"Nytt statsbidrag {year}",
        back=back,
        done="”{}” är sparat.",
        breadcrumbs=[
            (reverse("reporting:register"), "Statsbidrag per år"),
            (back, str(year)),
        ],
        template="reporting/register_grant.html",
    )
