"""Pages of the joint plan: the plan, its indicators and values, the action plan, the
money behind it, and the follow-up with its exports."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common.downloads import attachment, wants_xlsx, xlsx_link
from common.editing import Delete, button, edit_page
from common.refusals import Refused, refuse
from common.roles import require
from grants.models import Agreement

from . import exports, reads
from .actions import (
    do_answer_question,
    do_delete_measurement,
    do_delete_plan_activity,
    do_delete_sub_activity,
    do_import_kolada_file,
    do_link_activity,
    do_save_measurement,
    do_save_plan_item,
    do_set_status,
    do_unlink_activity,
)
from .charts import indicator_chart
from .forms import (
    AnswerForm,
    IndicatorForm,
    KoladaUploadForm,
    LinkForm,
    MeasurementForm,
    PartyForm,
    PlanActivityForm,
    PlanForm,
    QuestionForm,
    StatusForm,
    StrategyForm,
    SubActivityForm,
)
from .models import (
    ActivityLink,
    Indicator,
    Measurement,
    MeasureQuestion,
    Party,
    Plan,
    PlanActivity,
    Strategy,
    SubActivity,
    SubStatus,
)
from .permissions import can_edit_plan, can_view_plan
from .reads import followup_context, summarize


def _edit(view):
    """An edit page: for those who edit the plan, GET and POST."""
    return require(can_edit_plan)(require_http_methods(["GET", "POST"])(view))


def _plan_url(plan):
    return reverse("plan:detail", args=[plan.pk])


def _indicator_url(indicator):
    return reverse("plan:indicator", args=[indicator.pk])


def _activity_url(activity_id):
    return reverse("plan:activity", args=[activity_id])


def _item_page(
    request, form_class, item, *, back, save=do_save_plan_item, form_kwargs=None, **page
):
    """The edit page of a plan item (`item`, unsaved when new), saved through `save`: an
    action given the row the form built and the version the form showed. `page` is the rest
    of common.editing.edit_page's arguments (title, done, cancel, delete, history)."""
    return edit_page(
        request,
        form_class,
        form_kwargs={"instance": item, **(form_kwargs or {})},
        save=lambda form: save(
            form.save(commit=False),
            acting_user=request.user,
            expected_version=form.expected_version,
        ),
        back=back,
        breadcrumbs=_crumbs(page.get("cancel") or back),
        **page,
    )


def _crumbs(back):
    return [(reverse("plan:list"), "Gemensam plan"), (back, "Tillbaka")]


def _delete(request, item, action, *, label, done, back):
    """The edit page's "Ta bort" button, removing `item` through `action`."""
    return Delete(
        label=label,
        version=item.version,
        run=lambda version: action(item, acting_user=request.user, expected_version=version),
        done=done,
        back=back,
    )


@require(can_view_plan)
def plan_list(request):
    plans = reads.all_plans()
    if len(plans) == 1:
        return redirect(_plan_url(plans[0]))
    return render(request, "plan/plan_list.html", {"plans": plans})


@require(can_view_plan)
def plan_detail(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    can_edit = can_edit_plan(request.user)
    return render(
        request,
        "plan/plan_detail.html",
        {
            "plan": plan,
            "parties": reads.parties_shown(plan, with_county=can_edit),
            "blocks": reads.plan_blocks(plan),
            "can_edit": can_edit,
            "kolada_form": KoladaUploadForm(),
        },
    )


@_edit
def plan_edit(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    return _item_page(
        request,
        PlanForm,
        plan,
        back=_plan_url(plan),
        title=f"Ändra {plan}",
        done="Planen har sparats.",
        history=plan,
    )


@_edit
def party_edit(request, pk=None, plan_pk=None):
    if pk:
        party = get_object_or_404(Party.objects.select_related("plan"), pk=pk)
    else:
        party = Party(plan=get_object_or_404(Plan, pk=plan_pk))
    return _item_page(
        request,
        PartyForm,
        party,
        back=_plan_url(party.plan),
        title=f"Part: {party}" if pk else "Ny part",
        done="Parten ”{}” har sparats.",
        history=party if pk else None,
    )


@_edit
def strategy_edit(request, pk):
    strategy = get_object_or_404(Strategy.objects.select_related("plan"), pk=pk)
    return _item_page(
        request,
        StrategyForm,
        strategy,
        back=f"{_plan_url(strategy.plan)}#strategy-{strategy.pk}",
        title=f"Ändra strategi: {strategy}",
        done="Strategin ”{}” har sparats.",
        history=strategy,
    )


# Indicators and their values.


@_edit
def indicator_add(request, strategy_pk):
    strategy = get_object_or_404(Strategy.objects.select_related("plan"), pk=strategy_pk)
    return _item_page(
        request,
        IndicatorForm,
        Indicator(strategy=strategy),
        back=_indicator_url,
        cancel=_plan_url(strategy.plan),
        title=f"Nytt effektmått: {strategy}",
        done="Effektmåttet ”{}” har lagts till.",
    )


@require(can_view_plan)
def indicator_detail(request, pk):
    indicator = get_object_or_404(
        Indicator.objects.select_related("strategy__plan", "agreement"), pk=pk
    )
    plan = reads.indicator_plan(indicator)
    (summary,) = summarize([indicator])
    return render(
        request,
        "plan/indicator_detail.html",
        {
            "indicator": indicator,
            "plan": plan,
            "summary": summary,
            "chart": indicator_chart(summary),
            "periods": sorted({key for s in summary.series for key in s.values}),
            "can_edit": can_edit_plan(request.user),
            "value_form": MeasurementForm(indicator=indicator) if plan else None,
            "kolada_form": KoladaUploadForm() if indicator.kolada_kpi and plan else None,
            "entries": reads.value_timeline(indicator),
        },
    )


@require(can_view_plan)
def indicator_export(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("strategy", "agreement"), pk=pk)
    content = exports.indicators_xlsx(summarize([indicator]), title="Värden")
    return _xlsx(content, f"varden-{indicator.pk}")


@_edit
def indicator_edit(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("strategy__plan"), pk=pk)
    return _item_page(
        request,
        IndicatorForm,
        indicator,
        back=_indicator_url(indicator),
        title=f"Ändra effektmått: {indicator}",
        done="Effektmåttet ”{}” har sparats.",
        history=indicator,
    )


@require(can_edit_plan)
@require_POST
def measurement_add(request, pk):
    """The indicator page's value form, posted; drawn again on its own when refused."""
    indicator = get_object_or_404(Indicator.objects.select_related("strategy__plan"), pk=pk)
    return _item_page(
        request,
        MeasurementForm,
        None,
        form_kwargs={"indicator": indicator},
        save=do_save_measurement,
        back=_indicator_url(indicator),
        title=f"Nytt värde: {indicator}",
        done="Värdet har sparats.",
    )


@_edit
def measurement_edit(request, pk):
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator__strategy__plan", "party"), pk=pk
    )
    indicator = measurement.indicator
    back = _indicator_url(indicator)
    return _item_page(
        request,
        MeasurementForm,
        measurement,
        form_kwargs={"indicator": indicator},
        save=do_save_measurement,
        back=back,
        done="Värdet har sparats.",
        title=f"Ändra värde: {indicator}, {measurement.party} {measurement.year}",
        delete=_delete(
            request,
            measurement,
            do_delete_measurement,
            label="Ta bort värdet",
            done="Värdet har tagits bort.",
            back=back,
        ),
    )


@require(can_edit_plan)
@require_POST
def kolada_import(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    indicator = None
    if chosen := request.POST.get("indicator"):
        if not (chosen.isascii() and chosen.isdigit()):
            raise Http404
        indicator = get_object_or_404(Indicator, pk=chosen)
    back = _indicator_url(indicator) if indicator else _plan_url(plan)
    form = KoladaUploadForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        try:
            result = do_import_kolada_file(
                plan, form.cleaned_data["file"], acting_user=request.user, indicator=indicator
            )
        except Refused as refusal:
            problems = refusal.messages
        else:
            messages.success(
                request,
                f"Kolada-filen är inläst: {result.created} nya värden, {result.updated} "
                f"ändrade, {result.unchanged} oförändrade; {result.other_parties} värden "
                f"för andra kommuner och {result.missing_values} utan värde lämnades.",
            )
            return redirect(back)
    return render(
        request,
        "plan/kolada_result.html",
        {"plan": plan, "indicator": indicator, "form": form, "problems": problems, "back": back},
        status=400,
    )


# The action plan.


@require(can_view_plan)
def activity_detail(request, pk):
    activity = get_object_or_404(
        PlanActivity.objects.select_related("strategy__plan").prefetch_related(
            "sub_activities__questions__answers__answered_by",
            "sub_activities__status_changes__changed_by",
        ),
        pk=pk,
    )
    money = reads.money_behind([activity.pk]).get(activity.pk, [])
    subs = list(activity.sub_activities.all())
    return render(
        request,
        "plan/activity_detail.html",
        {
            "activity": activity,
            "plan": activity.strategy.plan,
            "subs": subs,
            "money": money,
            "money_amount": sum((m.amount for m in money), 0),
            "money_outcome": sum((m.outcome for m in money), 0),
            "can_edit": can_edit_plan(request.user),
            "link_form": LinkForm(),
            "year": timezone.localdate().year,
            "entries": reads.activity_timeline(activity, subs),
        },
    )


@_edit
def activity_add(request, strategy_pk):
    strategy = get_object_or_404(Strategy.objects.select_related("plan"), pk=strategy_pk)
    return _item_page(
        request,
        PlanActivityForm,
        PlanActivity(strategy=strategy),
        back=lambda activity: _activity_url(activity.pk),
        cancel=_plan_url(strategy.plan),
        title=f"Ny aktivitet: {strategy}",
        done="Aktiviteten ”{}” har lagts till.",
    )


@_edit
def activity_edit(request, pk):
    activity = get_object_or_404(PlanActivity.objects.select_related("strategy__plan"), pk=pk)
    return _item_page(
        request,
        PlanActivityForm,
        activity,
        back=_activity_url(activity.pk),
        title=f"Ändra aktivitet: {activity}",
        done="Aktiviteten ”{}” har sparats.",
        delete=_delete(
            request,
            activity,
            do_delete_plan_activity,
            label="Ta bort aktiviteten",
            done=f"Aktiviteten ”{activity}” har tagits bort.",
            back=_plan_url(activity.strategy.plan),
        ),
    )


@_edit
def sub_add(request, pk):
    activity = get_object_or_404(PlanActivity, pk=pk)
    return _item_page(
        request,
        SubActivityForm,
        SubActivity(activity=activity),
        back=_activity_url(activity.pk),
        title=f"Ny delaktivitet: {activity}",
        done="Delaktiviteten ”{}” har lagts till.",
    )


@_edit
def sub_edit(request, pk):
    """Name and note; the status changes through sub_status, which keeps its history."""
    sub = get_object_or_404(SubActivity.objects.select_related("activity"), pk=pk)
    back = _activity_url(sub.activity_id)
    return _item_page(
        request,
        SubActivityForm,
        sub,
        back=back,
        title=f"Ändra delaktivitet: {sub}",
        done="Delaktiviteten ”{}” har sparats.",
        delete=_delete(
            request,
            sub,
            do_delete_sub_activity,
            label="Ta bort delaktiviteten",
            done=f"Delaktiviteten ”{sub}” har tagits bort.",
            back=back,
        ),
    )


@require(can_edit_plan)
@require_POST
def sub_status(request, pk):
    sub = get_object_or_404(SubActivity, pk=pk)
    form = StatusForm(request.POST)
    back = _activity_url(sub.activity_id)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect(back)
    data = form.cleaned_data
    try:
        do_set_status(
            sub,
            data["status"],
            reference=data["reference"],
            comment=data["comment"],
            acting_user=request.user,
            expected_version=data["version"],
        )
    except Refused as refusal:
        refuse(request, refusal)
    else:
        messages.success(request, f"Status för ”{sub}” är nu {sub.status_display()}.")
    return redirect(f"{back}#sub-{sub.pk}")


@_edit
def question_add(request, pk):
    sub = get_object_or_404(SubActivity, pk=pk)
    return _item_page(
        request,
        QuestionForm,
        MeasureQuestion(sub_activity=sub),
        back=_activity_url(sub.activity_id),
        title=f"Nytt mått: {sub}",
        done="Måttet ”{}” har lagts till.",
    )


@_edit
def question_edit(request, pk):
    question = get_object_or_404(MeasureQuestion.objects.select_related("sub_activity"), pk=pk)
    return _item_page(
        request,
        QuestionForm,
        question,
        back=_activity_url(question.sub_activity.activity_id),
        title=f"Ändra mått: {question}",
        done="Måttet ”{}” har sparats.",
    )


@_edit
def question_answer(request, pk):
    question = get_object_or_404(MeasureQuestion.objects.select_related("sub_activity"), pk=pk)
    back = _activity_url(question.sub_activity.activity_id)
    year = _year(request.GET.get("ar"), timezone.localdate().year)

    def save(form):
        data = form.cleaned_data
        do_answer_question(
            question,
            data["year"],
            answer_yes=data.get("answer_yes"),
            answer_text=data.get("answer_text", ""),
            comment=data["comment"],
            acting_user=request.user,
            expected_version=data["version"],
        )
        return question

    return edit_page(
        request,
        AnswerForm,
        form_kwargs={"question": question, "initial": reads.answer_initial(question, year)},
        save=save,
        title=f"Svar: {question}",
        back=back,
        done="Svaret på ”{}” har sparats.",
        breadcrumbs=_crumbs(back),
    )


@require(can_edit_plan)
@require_POST
def link_add(request, pk):
    activity = get_object_or_404(PlanActivity, pk=pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            do_link_activity(
                activity,
                form.cleaned_data["activity"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except Refused as refusal:
            refuse(request, refusal)
        else:
            messages.success(request, "Kopplingen till fördelningen har sparats.")
    else:
        messages.error(request, "Välj en aktivitet i fördelningen.")
    return redirect(f"{_activity_url(activity.pk)}#money-heading")


@require(can_edit_plan)
@require_POST
def link_delete(request, pk):
    link = get_object_or_404(ActivityLink.objects.select_related("activity"), pk=pk)
    return button(
        request,
        lambda version: do_unlink_activity(
            link, acting_user=request.user, expected_version=version
        ),
        done=f"Kopplingen till ”{link.activity}” har tagits bort.",
        back=f"{_activity_url(link.plan_activity_id)}#money-heading",
    )


# Follow-up.


def _year(value, default):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


@require(can_view_plan)
def followup(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    if status not in SubStatus.values:
        status = ""
    period = request.GET.get("period", "")
    party = reads.party_of(plan, request.GET.get("party", ""))
    year = _year(request.GET.get("ar"), today.year)
    context = followup_context(plan, year=year, status=status, period=period, party=party)
    if wants_xlsx(request):
        which = request.GET.get("lista", "matt")
        if which == "matt":
            content = exports.indicators_xlsx(context["summaries"] + context["agreement_summaries"])
        elif which == "handlingsplan":
            content = exports.activities_xlsx(
                context["activities"], answers_year=year, status=status or None
            )
        elif which == "pengar":
            content = exports.money_xlsx(context["activities"], context["money"])
        else:
            raise Http404("Okänd lista.")
        return _xlsx(content, f"plan-{which}")
    page = {
        "filters": {"status": status, "period": period, "party": party},
        "statuses": SubStatus.choices,
        "periods": reads.periods_of(plan),
        "parties": reads.parties_shown(plan, with_county=True),
        "export": xlsx_link(request),  # each list adds its name (lista=...)
        "years": range(today.year - 4, today.year + 1),
    }
    return render(request, "plan/followup.html", {**context, **page})


@require(can_view_plan)
def followup_pdf(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    year = _year(request.GET.get("ar"), timezone.localdate().year)
    context = followup_context(plan, year=year)
    return attachment(exports.followup_pdf(context), f"uppfoljning-plan-{year}.pdf")


@require(can_view_plan)
def agreement_indicators(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    return render(
        request,
        "plan/agreement_indicators.html",
        {
            "agreement": agreement,
            "summaries": reads.agreement_summaries(agreement),
            "plan": reads.the_plan(),
            "can_edit": can_edit_plan(request.user),
        },
    )


@_edit
def agreement_indicator_add(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    return _item_page(
        request,
        IndicatorForm,
        Indicator(agreement=agreement),
        back=_indicator_url,
        cancel=reverse("plan:agreement_indicators", args=[agreement.pk]),
        title=f"Ny indikator: {agreement}",
        done="Indikatorn ”{}” har lagts till.",
    )


def _xlsx(content, name):
    return attachment(content, f"{name}-{timezone.localdate():%Y-%m-%d}.xlsx")
