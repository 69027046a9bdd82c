"""Pages for agreements and their areas, components and deadlines, and the regions."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.downloads import attachment, wants_xlsx, xlsx_link
from common.editing import button, delete_page, edit_page
from common.lists import list_body
from common.roles import require

from . import reads
from .actions import (
    CopyError,
    do_confirm_agreement,
    do_confirm_deadline,
    do_delete_area,
    do_delete_component,
    do_delete_deadline,
    do_save_agreement,
    do_save_area,
    do_save_component,
    do_save_deadline,
)
from .exports import agreement_list_xlsx, deadline_list_xlsx, region_list_xlsx
from .filters import AgreementFilter, DeadlineFilter
from .forms import AgreementForm, ComponentForm, DeadlineForm, DevelopmentAreaForm
from .models import (
    Agreement,
    Component,
    Deadline,
    DevelopmentArea,
    RecipientGroup,
)
from .permissions import can_edit_grants, can_view_grants
from .tables import AgreementTable, RegionTable


@require(can_view_grants)
def home(request):
    return render(request, "grants/home.html", reads.home_context())


@require(can_view_grants)
def agreement_list(request):
    if wants_xlsx(request):
        rows = _agreements(request.GET).qs.order_by("-year", "short_name")
        return attachment(agreement_list_xlsx(rows), "overenskommelser.xlsx")
    body = list_body(
        request,
        reads.agreements_version(),
        _agreements,
        AgreementTable,
        "grants/partials/agreement_list_body.html",
    )
    return render(request, "grants/agreement_list.html", {"body": body})


def _agreements(data):
    return AgreementFilter(data or None, queryset=reads.agreements())


@require(can_view_grants)
def deadline_list(request):
    # Always bound: a first visit (no query) is a valid filter that lets every deadline through.
    filters = DeadlineFilter(request.GET, queryset=reads.confirmed_deadlines())
    rows = reads.deadline_rows(filters.qs) if filters.is_valid() else []
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
            "deadlines": reads.deadline_rows(agreement.deadlines.all()),
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
            "entries": reads.agreement_history(agreement),
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
        return attachment(region_list_xlsx(reads.regions()), "regioner.xlsx")
    table = RegionTable(reads.regions(), orderable=False)
    return render(
        request, "grants/region_list.html", {"table": table, "export": xlsx_link(request)}
    )


# Editing. Each page shows a form; a valid POST saves through its action and returns to the
# agreement.


def _crumbs(agreement):
    return [
        (reverse("grants:agreement_list"), "Överenskommelser"),
        (agreement.get_absolute_url(), str(agreement)),
    ]


def _section_url(agreement, anchor):
    return f"{agreement.get_absolute_url()}#{anchor}"


@require(can_edit_grants)
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk=None):
    agreement = get_object_or_404(Agreement, pk=pk) if pk else None
    return edit_page(
        request,
        AgreementForm,
        form_kwargs={"instance": agreement},
        save=lambda form: do_save_agreement(
            form.save(commit=False),
            acting_user=request.user,
            expected_version=form.expected_version,
        ),
        title=f"Ändra {agreement}" if agreement else "Ny överenskommelse",
        back=agreement.get_absolute_url()
        if agreement
        else (lambda saved: saved.get_absolute_url()),
        done="Överenskommelsen ”{}” har sparats.",
        history=agreement,
        breadcrumbs=_crumbs(agreement) if agreement else (),
    )


@dataclass(frozen=True)
class Child:
    """One kind of row that belongs to an agreement: what its pages say and do."""

    model: type
    form: type
    what: str
    anchor: str
    new_title: str
    do_save: Callable
    do_delete: Callable


AREA = Child(
    DevelopmentArea,
    DevelopmentAreaForm,
    "Utvecklingsområdet",
    "omraden",
    "Nytt utvecklingsområde",
    do_save_area,
    do_delete_area,
)
COMPONENT = Child(
    Component,
    ComponentForm,
    "Delområdet",
    "omraden",
    "Nytt delområde",
    do_save_component,
    do_delete_component,
)
DEADLINE = Child(
    Deadline, DeadlineForm, "Fristen", "frister", "Ny frist", do_save_deadline, do_delete_deadline
)


@require(can_edit_grants)
@require_http_methods(["GET", "POST"])
def child_edit(request, pk, child_pk=None, *, kind):
    """Add (no `child_pk`) or change an area, component or deadline of the agreement."""
    agreement = get_object_or_404(Agreement, pk=pk)
    row = get_object_or_404(kind.model, pk=child_pk, agreement=agreement) if child_pk else None
    return edit_page(
        request,
        kind.form,
        form_kwargs={"instance": row, "agreement": agreement},
        save=lambda form: kind.do_save(
            form.save(commit=False),
            acting_user=request.user,
            expected_version=form.expected_version,
        ),
        title=f"Ändra {kind.what.lower()} – {agreement}"
        if row
        else f"{kind.new_title} – {agreement}",
        back=_section_url(agreement, kind.anchor),
        done=kind.what + " ”{}” har sparats.",
        history=row,
        breadcrumbs=_crumbs(agreement),
    )


@require(can_edit_grants)
@require_http_methods(["GET", "POST"])
def child_delete(request, pk, child_pk, *, kind):
    agreement = get_object_or_404(Agreement, pk=pk)
    row = get_object_or_404(kind.model, pk=child_pk, agreement=agreement)
    return delete_page(
        request,
        row,
        run=lambda version: kind.do_delete(row, acting_user=request.user, expected_version=version),
        what=kind.what,
        back=_section_url(agreement, kind.anchor),
        breadcrumbs=_crumbs(agreement),
    )


@require(can_view_grants)
def child_history(request, pk, child_pk, *, kind):
    agreement = get_object_or_404(Agreement, pk=pk)
    row = get_object_or_404(kind.model, pk=child_pk, agreement=agreement)
    return render(
        request,
        "grants/history.html",
        {
            "agreement": agreement,
            "object": row,
            "title": f"Historik: {row}",
            "entries": reads.row_history(row),
            "show_subject": False,
        },
    )


@require(can_edit_grants)
@require_http_methods(["POST"])
def agreement_confirm(request, pk):
    """A copied draft becomes the year's agreement once its total and deadlines are checked."""
    agreement = get_object_or_404(Agreement, pk=pk)

    def confirm(version):
        try:
            do_confirm_agreement(agreement, acting_user=request.user, expected_version=version)
        except CopyError as exc:
            raise CopyError(
                f"Överenskommelsen bekräftades inte: {m}" for m in exc.messages
            ) from exc

    return button(
        request,
        confirm,
        done=f"Överenskommelsen ”{agreement}” är bekräftad.",
        back=agreement.get_absolute_url(),
    )


@require(can_edit_grants)
@require_http_methods(["POST"])
def deadline_confirm(request, pk, child_pk):
    """The officer has checked a moved deadline against the new agreement."""
    deadline = get_object_or_404(Deadline, agreement_id=pk, pk=child_pk)
    return button(
        request,
        lambda version: do_confirm_deadline(
            deadline, acting_user=request.user, expected_version=version
        ),
        done=f"Fristen {deadline} är bekräftad.",
        back=_section_url(deadline.agreement, "frister"),
    )
