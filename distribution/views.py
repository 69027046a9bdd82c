"""Pages for the region's internal distribution: per agreement, per area, per activity."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from comments.history import with_comments
from common.downloads import attachment, wants_xlsx, xlsx_link
from common.roles import require
from common.versioning import StaleEdit, posted_version, save_checked
from grants.models import Agreement, DevelopmentArea

from .actions import (
    DistributionError,
    do_copy_activities,
    do_delete_activity,
    do_reallocate,
    do_save_activity,
)
from .exports import activity_list_xlsx
from .forms import ActivityForm, AreaPlanForm, CostObjectForm, ReallocationForm
from .history import activity_changes
from .models import Activity, AreaPlan, Reallocation
from .permissions import can_edit_distribution, can_view_distribution
from .reads import own_area_money


def _area_url(area):
    return reverse("distribution:area", args=[area.pk])


def previous_year_area(area):
    """The area with the same name in the closest earlier agreement of the same kind."""
    return (
        DevelopmentArea.objects.filter(
            name=area.name, agreement__year__lt=area.agreement.year, activities__isnull=False
        )
        .select_related("agreement")
        .order_by("-agreement__year")
        .first()
    )


@require(can_view_distribution)
@require_http_methods(["GET", "POST"])
def agreement_overview(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    form = CostObjectForm(request.POST or None, agreement=agreement)
    if request.method == "POST":
        if not can_edit_distribution(request.user):
            return render(request, "403.html", status=403)
        if form.is_valid():
            cost_object = form.save()
            messages.success(request, f"Objekt {cost_object} har lagts till.")
            return redirect(reverse("distribution:agreement", args=[agreement.pk]))
    areas = []
    for area in agreement.areas.annotate(activity_count=Count("activities")):
        activities = list(Activity.objects.for_area(area))
        money = own_area_money(area)
        balance = money.balance(activities)
        areas.append(
            {
                "area": area,
                "money": money,
                "balance": balance,
                "activities": len(activities),
                "missing": sum(1 for a in activities if a.missing_conditions()),
                "objects": [o for o in area.cost_objects.all()],
            }
        )
    return render(
        request,
        "distribution/agreement_overview.html",
        {"agreement": agreement, "areas": areas, "form": form},
        status=400 if form.is_bound else 200,
    )


def _area_context(area, *, add_form, reallocation_form, plan_form, problems=()):
    activities = list(Activity.objects.for_area(area))
    money = own_area_money(area)
    balance = money.balance(activities)
    return {
        "plan": plan_form.instance,
        "plan_form": plan_form,
        "agreement": area.agreement,
        "area": area,
        "activities": [(a, a.missing_conditions()) for a in activities],
        "money": money,
        "balance": balance,
        "pots": [
            (money.pot_names[pk], amount, balance.pots_left.get(pk))
            for pk, amount in money.pots.items()
        ],
        "add_form": add_form,
        "reallocation_form": reallocation_form,
        "problems": problems,
        "missing_count": sum(1 for a in activities if a.missing_conditions()),
    }


@require(can_view_distribution)
@require_http_methods(["GET", "POST"])
def area_page(request, area_pk):
    area = get_object_or_404(DevelopmentArea.objects.select_related("agreement"), pk=area_pk)
    if request.method == "GET" and wants_xlsx(request):
        activities = Activity.objects.for_area(area).select_related("area__agreement")
        return attachment(activity_list_xlsx(activities), f"aktiviteter-{slugify(area.name)}.xlsx")
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not can_edit_distribution(request.user):
        return render(request, "403.html", status=403)
    add_form = ActivityForm(request.POST if action == "add" else None, area=area)
    # Own id prefixes: three forms share the page and must not share field ids.
    reallocation_form = ReallocationForm(
        request.POST if action == "reallocate" else None, area=area, auto_id="id_move_%s"
    )
    plan = AreaPlan.objects.filter(area=area).first() or AreaPlan(area=area)
    plan_form = AreaPlanForm(
        request.POST if action == "plan" else None, instance=plan, auto_id="id_plan_%s"
    )
    problems = []
    if action == "plan" and plan_form.is_valid():
        try:
            save_checked(
                plan_form.save(commit=False),
                plan_form.expected_version,
                what="Områdets ansvar och anmärkningar",
                acting_user=request.user,
            )
        except StaleEdit as exc:
            problems = exc.messages
        else:
            messages.success(request, "Områdets ansvar och anmärkningar har sparats.")
            return redirect(_area_url(area))
    if action == "add" and add_form.is_valid():
        activity = add_form.save(commit=False)
        activity.position = Activity.objects.filter(area=area).count() + 1
        try:
            # A new activity: nothing was shown, so the version read is 0.
            do_save_activity(activity, acting_user=request.user, expected_version=0)
        except DistributionError as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Aktiviteten ”{activity}” har lagts till.")
            return redirect(_area_url(area))
    elif action == "reallocate" and reallocation_form.is_valid():
        data = reallocation_form.cleaned_data
        try:
            do_reallocate(
                data["source"],
                data["target"],
                data["amount"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except DistributionError as exc:
            problems = exc.messages
        else:
            messages.success(request, "Omfördelningen är gjord.")
            return redirect(_area_url(area))
    context = _area_context(
        area,
        add_form=add_form,
        reallocation_form=reallocation_form,
        plan_form=plan_form,
        problems=problems,
    )
    context["action"] = action
    context["export"] = xlsx_link(request)
    return render(request, "distribution/area.html", context, status=400 if action else 200)


@require(can_edit_distribution)
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("area__agreement"), pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, area=activity.area)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            do_save_activity(
                form.save(commit=False),
                acting_user=request.user,
                expected_version=form.expected_version,
                reason=form.cleaned_data["reason"],
            )
        except DistributionError as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Aktiviteten ”{activity}” har sparats.")
            return redirect(_area_url(activity.area))
    records = activity.history.select_related("history_user")
    return render(
        request,
        "distribution/activity_form.html",
        {
            "activity": activity,
            "area": activity.area,
            "agreement": activity.area.agreement,
            "form": form,
            "problems": problems,
            "changes": with_comments(activity_changes(records), [activity]),
        },
        status=400 if request.method == "POST" else 200,
    )


@require(can_edit_distribution)
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("area__agreement"), pk=pk)
    if request.method == "POST":
        try:
            do_delete_activity(
                activity, acting_user=request.user, expected_version=posted_version(request)
            )
        except DistributionError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Aktiviteten ”{activity}” har tagits bort.")
        return redirect(_area_url(activity.area))
    return render(
        request,
        "distribution/activity_delete.html",
        {"activity": activity, "area": activity.area, "agreement": activity.area.agreement},
    )


@require(can_view_distribution)
def area_history(request, area_pk):
    area = get_object_or_404(DevelopmentArea.objects.select_related("agreement"), pk=area_pk)
    records = Activity.history.filter(area_id=area.pk).select_related("history_user")
    reallocations = Reallocation.objects.filter(area=area).select_related(
        "from_activity", "to_activity", "created_by"
    )
    return render(
        request,
        "distribution/area_history.html",
        {
            "area": area,
            "agreement": area.agreement,
            "changes": with_comments(activity_changes(records), Activity.objects.filter(area=area)),
            "reallocations": reallocations,
        },
    )


@require(can_edit_distribution)
@require_POST
def copy_previous(request, area_pk):
    area = get_object_or_404(DevelopmentArea.objects.select_related("agreement"), pk=area_pk)
    source = previous_year_area(area)
    if source is None:
        messages.error(request, "Det finns inga aktiviteter från tidigare år att kopiera.")
        return redirect(_area_url(area))
    try:
        count, kept = do_copy_activities(source, area, acting_user=request.user)
    except DistributionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        note = "" if kept else " Beloppen ryms inte och är satta till 0 kr; fyll i dem."
        messages.success(
            request, f"{count} aktiviteter kopierades från {source.agreement} som förslag.{note}"
        )
    return redirect(_area_url(area))
