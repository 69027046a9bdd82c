"""Pages for agreements and their areas, components and deadlines, and the regions."""

from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from comments.history import with_comments
from common.downloads import attachment, wants_xlsx, xlsx_link
from common.history import timeline
from common.roles import require
from common.versioning import StaleEdit, check_version, posted_version, save_checked

from .actions import CopyError, do_confirm_agreement, do_confirm_deadline
from .exports import agreement_list_xlsx, deadline_list_xlsx, region_list_xlsx
from .filters import AgreementFilter, DeadlineFilter
from .forms import AgreementForm, ComponentForm, DeadlineForm, DevelopmentAreaForm
from .models import (
    Agreement,
    Component,
    Deadline,
    DeadlineStatus,
    DeadlineSubmission,
    DevelopmentArea,
    RecipientGroup,
    Region,
)
from .permissions import can_edit_grants, can_view_grants
from .tables import AgreementTable, RegionTable


@dataclass
class DeadlineRow:
    deadline: Deadline
    status: str
    days_left: int
    submission: DeadlineSubmission | None = None  # how far the answering document has come

    @property
    def label(self) -> str:
        """The status as the page and the export both say it."""
        if self.submission is not None and self.submission.is_met:
            return f"Skickat {self.submission.sent_on:%Y-%m-%d}"
        if self.status == DeadlineStatus.SOON:
            return f"Snart: {self.days_left} dagar kvar"
        if self.status == DeadlineStatus.PASSED:
            return "Passerad"
        return f"Om {self.days_left} dagar"


def _deadline_rows(deadlines):
    """Rows for `deadlines`, read with `select_related("submission")`: a deadline is met
    when the document answering it has been sent."""
    today = timezone.localdate()
    return [
        DeadlineRow(
            d,
            d.status(today, settings.DEADLINE_WARNING_DAYS),
            (d.due_date - today).days,
            getattr(d, "submission", None),
        )
        for d in deadlines
    ]


def home_context():
    """The agreements by year and the next deadlines: the officers' start page shows them too."""
    agreements = Agreement.objects.order_by("-year", "short_name")
    upcoming = (
        Deadline.objects.confirmed()
        .filter(due_date__gte=timezone.localdate())
        .select_related("agreement", "submission")[:10]
    )
    return {
        "agreements_by_year": [
            (year, list(group)) for year, group in groupby(agreements, key=lambda a: a.year)
        ],
        "upcoming_deadlines": _deadline_rows(upcoming),
        "warning_days": settings.DEADLINE_WARNING_DAYS,
    }


@require(can_view_grants)
def home(request):
    return render(request, "grants/home.html", home_context())


@require(can_view_grants)
def agreement_list(request):
    filters = AgreementFilter(request.GET or None, queryset=Agreement.objects.all())
    if wants_xlsx(request):
        return attachment(
            agreement_list_xlsx(filters.qs.order_by("-year", "short_name")), "overenskommelser.xlsx"
        )
    table = AgreementTable(filters.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "grants/agreement_list.html",
        {"table": table, "filter": filters, "export": xlsx_link(request)},
    )


@require(can_view_grants)
def deadline_list(request):
    # Always bound: a first visit (no query) is a valid filter that lets every deadline through.
    filters = DeadlineFilter(
        request.GET,
        queryset=Deadline.objects.confirmed()
        .select_related("agreement", "submission")
        .order_by("due_date", "id"),
    )
    rows = _deadline_rows(filters.qs) if filters.is_valid() else []
    if wants_xlsx(request):
        return attachment(deadline_list_xlsx(rows), "frister.xlsx")
    return render(
        request,
        "grants/deadline_list.html",
        {
            "filter": filters,
            "deadline_rows": rows,
            "export": xlsx_link(request),
            "warning_days": settings.DEADLINE_WARNING_DAYS,
        },
    )


@require(can_view_grants)
def agreement_detail(request, pk):
    agreement = get_object_or_404(
        Agreement.objects.prefetch_related(
            "areas",
            Prefetch("components", queryset=Component.objects.order_by("position", "id")),
            Prefetch("deadlines", queryset=Deadline.objects.select_related("submission")),
        ),
        pk=pk,
    )
    components = list(agreement.components.all())
    totals = agreement.totals()
    parts_of = {}
    for c in components:
        if c.included_in_id:
            parts_of.setdefault(c.included_in_id, []).append(c)
    top_level = [c for c in components if c.included_in_id is None]
    sections = [
        {
            "area": area,
            "total": totals.by_area.get(area.pk),
            "rows": [(c, parts_of.get(c.pk, [])) for c in top_level if c.area_id == area.pk],
        }
        for area in agreement.areas.all()
    ]
    common_rows = [(c, parts_of.get(c.pk, [])) for c in top_level if c.area_id is None]
    return render(
        request,
        "grants/agreement_detail.html",
        {
            "agreement": agreement,
            "sections": sections,
            "common_rows": common_rows,
            "common_total": totals.by_area.get(None),
            "totals": totals,
            "difference": totals.difference_from(agreement.national_total),
            "group_totals": _group_totals(totals),
            "deadlines": _deadline_rows(agreement.deadlines.all()),
            "warning_days": settings.DEADLINE_WARNING_DAYS,
        },
    )


@require(can_view_grants)
def agreement_history(request, pk):
    """Every change to the agreement and its areas, components and deadlines, also deleted
    ones."""
    agreement = get_object_or_404(Agreement, pk=pk)
    return render(
        request,
        "grants/history.html",
        {
            "agreement": agreement,
            "title": f"Historik: {agreement}",
            "entries": with_comments(
                timeline(
                    agreement.history.all(),
                    DevelopmentArea.history.filter(agreement_id=agreement.pk),
                    Component.history.filter(agreement_id=agreement.pk),
                    Deadline.history.filter(agreement_id=agreement.pk),
                ),
                [agreement],
                agreement.deadlines.all(),
            ),
            "show_subject": True,
        },
    )


def _group_totals(totals):
    return [
        (label, totals.by_recipient_group[value])
        for value, label in RecipientGroup.choices
        if value in totals.by_recipient_group
    ]


@require(can_view_grants)
def region_list(request):
    if wants_xlsx(request):
        return attachment(region_list_xlsx(Region.objects.all()), "regioner.xlsx")
    table = RegionTable(Region.objects.all(), orderable=False)
    return render(
        request, "grants/region_list.html", {"table": table, "export": xlsx_link(request)}
    )


# Editing. Each page shows a form; a valid POST saves and returns to the agreement.


def _form_page(request, form, *, title, what, done_message, return_url, agreement=None):
    """Show the form; a valid POST saves unless someone else saved the row meanwhile."""
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_checked(
                form.save(commit=False), form.expected_version, what=what, acting_user=request.user
            )
        except StaleEdit as exc:
            problems = exc.messages
        else:
            messages.success(request, done_message.format(saved))
            return redirect(return_url or saved.get_absolute_url())
    instance = form.instance
    return render(
        request,
        "grants/form.html",
        {
            "form": form,
            "title": title,
            "agreement": agreement,
            "cancel_url": return_url,
            "problems": problems,
            "entries": timeline(instance.history.all()) if instance.pk else None,
        },
        status=400 if form.is_bound else 200,
    )


def _delete_page(request, obj, *, what, return_url, agreement):
    if request.method == "POST":
        try:
            with transaction.atomic():
                check_version(obj, posted_version(request), what)
                obj._history_user = request.user
                obj.delete()
        except StaleEdit as exc:
            messages.error(request, exc.messages[0])
        except ProtectedError:
            messages.error(
                request,
                f"”{obj}” kan inte tas bort eftersom andra uppgifter hänvisar till det. "
                "Ta bort eller flytta delområdena först.",
            )
        else:
            messages.success(request, f"{what} ”{obj}” har tagits bort.")
        return redirect(return_url)
    return render(
        request,
        "grants/confirm_delete.html",
        {"object": obj, "what": what, "agreement": agreement, "cancel_url": return_url},
    )


def _section_url(agreement, anchor):
    return f"{agreement.get_absolute_url()}#{anchor}"


@require(can_edit_grants)
@require_http_methods(["GET", "POST"])
def agreement_create(request):
    form = AgreementForm(request.POST or None)
    return _form_page(
        request,
        form,
        title="Ny överenskommelse",
        what="Överenskommelsen",
        done_message="Överenskommelsen ”{}” har sparats.",
        return_url=None,
    )


@require(can_edit_grants)
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    form = AgreementForm(request.POST or None, instance=agreement)
    return _form_page(
        request,
        form,
        title=f"Ändra {agreement}",
        what="Överenskommelsen",
        done_message="Överenskommelsen ”{}” har sparats.",
        return_url=agreement.get_absolute_url(),
        agreement=agreement,
    )


def _child_views(model, form_class, *, what, anchor, new_title):
    """Create, edit and delete views for one kind of row that belongs to an agreement."""

    @require(can_edit_grants)
    @require_http_methods(["GET", "POST"])
    def create(request, pk):
        agreement = get_object_or_404(Agreement, pk=pk)
        form = form_class(request.POST or None, agreement=agreement)
        return _form_page(
            request,
            form,
            title=f"{new_title} – {agreement}",
            what=what,
            done_message=what + " ”{}” har sparats.",
            return_url=_section_url(agreement, anchor),
            agreement=agreement,
        )

    @require(can_edit_grants)
    @require_http_methods(["GET", "POST"])
    def edit(request, pk, child_pk):
        agreement = get_object_or_404(Agreement, pk=pk)
        obj = get_object_or_404(model, pk=child_pk, agreement=agreement)
        form = form_class(request.POST or None, instance=obj, agreement=agreement)
        return _form_page(
            request,
            form,
            title=f"Ändra {what.lower()} – {agreement}",
            what=what,
            done_message=what + " ”{}” har sparats.",
            return_url=_section_url(agreement, anchor),
            agreement=agreement,
        )

    @require(can_edit_grants)
    @require_http_methods(["GET", "POST"])
    def delete(request, pk, child_pk):
        agreement = get_object_or_404(Agreement, pk=pk)
        obj = get_object_or_404(model, pk=child_pk, agreement=agreement)
        return _delete_page(
            request,
            obj,
            what=what,
            return_url=_section_url(agreement, anchor),
            agreement=agreement,
        )

    @require(can_view_grants)
    def history(request, pk, child_pk):
        agreement = get_object_or_404(Agreement, pk=pk)
        obj = get_object_or_404(model, pk=child_pk, agreement=agreement)
        return render(
            request,
            "grants/history.html",
            {
                "agreement": agreement,
                "object": obj,
                "title": f"Historik: {obj}",
                "entries": with_comments(timeline(obj.history.all()), [obj]),
                "show_subject": False,
            },
        )

    return create, edit, delete, history


area_create, area_edit, area_delete, area_history = _child_views(
    DevelopmentArea,
    DevelopmentAreaForm,
    what="Utvecklingsområdet",
    anchor="omraden",
    new_title="Nytt utvecklingsområde",
)
component_create, component_edit, component_delete, component_history = _child_views(
    Component, ComponentForm, what="Delområdet", anchor="omraden", new_title="Nytt delområde"
)
deadline_create, deadline_edit, deadline_delete, deadline_history = _child_views(
    Deadline, DeadlineForm, what="Fristen", anchor="frister", new_title="Ny frist"
)


@require(can_edit_grants)
@require_http_methods(["POST"])
def agreement_confirm(request, pk):
    """A copied draft becomes the year's agreement once its total and deadlines are checked."""
    agreement = get_object_or_404(Agreement, pk=pk)
    try:
        do_confirm_agreement(
            agreement, acting_user=request.user, expected_version=posted_version(request)
        )
    except CopyError as exc:
        for problem in exc.problems:
            messages.error(request, f"Överenskommelsen bekräftades inte: {problem}")
    except StaleEdit as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Överenskommelsen ”{agreement}” är bekräftad.")
    return redirect(agreement)


@require(can_edit_grants)
@require_http_methods(["POST"])
def deadline_confirm(request, pk, child_pk):
    """The officer has checked a moved deadline against the new agreement."""
    deadline = get_object_or_404(Deadline, agreement_id=pk, pk=child_pk)
    try:
        do_confirm_deadline(
            deadline, acting_user=request.user, expected_version=posted_version(request)
        )
    except StaleEdit as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Fristen {deadline} är bekräftad.")
    return redirect(_section_url(deadline.agreement, "frister"))
