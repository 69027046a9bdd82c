"""Pages for the region's internal distribution: per agreement, per area, per activity."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.downloads import attachment, wants_xlsx, xlsx_link
from common.editing import button, delete_page, edit_page
from common.refusals import Refused
from common.roles import require
from grants.models import Agreement, DevelopmentArea

from .actions import (
    do_add_activity,
    do_add_cost_object,
    do_copy_activities,
    do_delete_activity,
    do_reallocate,
    do_save_activity,
    do_save_area_plan,
)
from .exports import activity_list_xlsx
from .forms import ActivityForm, AreaPlanForm, CostObjectForm, ReallocationForm
from .models import Activity
from .permissions import can_edit_distribution, can_view_distribution
from .reads import (
    activity_timeline,
    area_changes,
    area_export_rows,
    area_plan,
    area_state,
    overview_rows,
    previous_year_area,
)


def _area_url(area):
    return reverse("distribution:area", args=[area.pk])


def _agreement_url(agreement):
    return reverse("distribution:agreement", args=[agreement.pk])


def _overview(request, agreement, form, status=200):
    return render(
        request,
        "distribution/agreement_overview.html",
        {"agreement": agreement, "areas": overview_rows(agreement), "form": form},
        status=status,
    )


@require(can_view_distribution)
@require_GET
def agreement_overview(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    return _overview(request, agreement, CostObjectForm(agreement=agreement))


@require(can_edit_distribution)
@require_POST
def cost_object_add(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    form = CostObjectForm(request.POST, agreement=agreement)
    if form.is_valid():
        try:
            cost_object = do_add_cost_object(form.save(commit=False), acting_user=request.user)
        except Refused as refusal:
            form.add_error(None, refusal.messages)
        else:
            messages.success(request, f"Objekt {cost_object} har lagts till.")
            return redirect(_agreement_url(agreement))
    return _overview(request, agreement, form, status=400)


@dataclass(frozen=True)
class AreaForm:
    """One of the area page's forms, each posted to its own URL: its name on the page, how it
    is built for the area (bound to `data` when posted), what a valid POST does (`run(form,
    user)` returns what `done`'s `{}` names) and what to say then."""

    name: str
    build: Callable
    run: Callable
    done: str


# Own id prefixes: three forms share the page and must not share field ids.
ADD = AreaForm(
    "add_form",
    lambda area, data=None: ActivityForm(data, area=area),
    # A new activity: nothing was shown, so the version read is 0.
    lambda form, user: do_add_activity(
        form.save(commit=False), acting_user=user, expected_version=0
    ),
    "Aktiviteten ”{}” har lagts till.",
)
REALLOCATION = AreaForm(
    "reallocation_form",
    lambda area, data=None: ReallocationForm(data, area=area, auto_id="id_move_%s"),
    lambda form, user: do_reallocate(**form.cleaned_data, acting_user=user),
    "Omfördelningen är gjord.",
)
PLAN = AreaForm(
    "plan_form",
    lambda area, data=None: AreaPlanForm(data, instance=area_plan(area), auto_id="id_plan_%s"),
    lambda form, user: do_save_area_plan(
        form.save(commit=False), acting_user=user, expected_version=form.expected_version
    ),
    "Områdets ansvar och anmärkningar har sparats.",
)


def _area_page(request, area, *, status=200, problems=(), posted=None):
    """The area page; `posted` is the form posted, drawn again with its errors."""
    forms = {kind.name: kind.build(area) for kind in (ADD, REALLOCATION, PLAN)}
    if posted is not None:
        forms[posted[0].name] = posted[1]
    context = {
        "agreement": area.agreement,
        "area": area,
        "plan": forms["plan_form"].instance,
        "problems": problems,
        "export": xlsx_link(request),
        **area_state(area),
        **forms,
    }
    return render(request, "distribution/area.html", context, status=status)


def _area(area_pk):
    return get_object_or_404(DevelopmentArea.objects.select_related("agreement"), pk=area_pk)


@require(can_view_distribution)
@require_GET
def area_page(request, area_pk):
    area = _area(area_pk)
    if wants_xlsx(request):
        rows = area_export_rows(area)
        return attachment(activity_list_xlsx(rows), f"aktiviteter-{slugify(area.name)}.xlsx")
    return _area_page(request, area)


@require(can_edit_distribution)
@require_POST
def area_post(request, area_pk, *, kind):
    """One of the area page's forms posted: run it, or draw the page again with its errors."""
    area = _area(area_pk)
    form = kind.build(area, request.POST)
    problems = []
    if form.is_valid():
        try:
            saved = kind.run(form, request.user)
        except Refused as refusal:
            problems = refusal.messages
        else:
            messages.success(request, kind.done.format(saved))
            return redirect(_area_url(area))
    return _area_page(request, area, status=400, problems=problems, posted=(kind, form))


def _activity(pk):
    return get_object_or_404(Activity.objects.select_related("area__agreement"), pk=pk)


def _crumbs(area):
    return [(area.agreement.get_absolute_url(), str(area.agreement)), (_area_url(area), str(area))]


@require(can_edit_distribution)
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = _activity(pk)
    return edit_page(
        request,
        ActivityForm,
        form_kwargs={"instance": activity, "area": activity.area},
        save=lambda form: do_save_activity(
            form.save(commit=False),
            acting_user=request.user,
            expected_version=form.expected_version,
            reason=form.cleaned_data["reason"],
        ),
        title=f"Ändra aktivitet: {activity}",
        back=_area_url(activity.area),
        done="Aktiviteten ”{}” har sparats.",
        history=activity_timeline(activity),
        breadcrumbs=_crumbs(activity.area),
        template="distribution/activity_form.html",
        context={"activity": activity},
    )


@require(can_edit_distribution)
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk):
    activity = _activity(pk)
    return delete_page(
        request,
        activity,
        run=lambda version: do_delete_activity(
            activity, acting_user=request.user, expected_version=version
        ),
        what="Aktiviteten",
        back=_area_url(activity.area),
        breadcrumbs=_crumbs(activity.area),
    )


@require(can_view_distribution)
def area_history(request, area_pk):
    area = _area(area_pk)
    changes, reallocations = area_changes(area)
    return render(
        request,
        "distribution/area_history.html",
        {
            "area": area,
            "agreement": area.agreement,
            "changes": changes,
            "reallocations": reallocations,
        },
    )


@require(can_edit_distribution)
@require_POST
def copy_previous(request, area_pk):
    area = _area(area_pk)
    source = previous_year_area(area)
    if source is None:
        messages.error(request, "Det finns inga aktiviteter från tidigare år att kopiera.")
        return redirect(_area_url(area))

    def copied(result):
        count, kept = result
        note = "" if kept else " Beloppen ryms inte och är satta till 0 kr; fyll i dem."
        return f"{count} aktiviteter kopierades från {source.agreement} som förslag.{note}"

    return button(
        request,
        lambda _version: do_copy_activities(source, area, acting_user=request.user),
        done=copied,
        back=_area_url(area),
    )
