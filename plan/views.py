"""Pages of the joint plan: the plan, its indicators and values, the action plan, the
money behind it, and the follow-up with its exports."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common.downloads import attachment, wants_xlsx, xlsx_link
from common.history import timeline
from common.limits import MB, size_message
from common.roles import require
from common.versioning import StaleEdit, posted_version
from grants.models import Agreement

from . import exports
from .actions import (
    PlanError,
    do_answer_question,
    do_delete_measurement,
    do_delete_plan_activity,
    do_delete_sub_activity,
    do_import_kolada,
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
from .kolada import parse_kolada
from .models import (
    ActivityLink,
    Gender,
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
from .reads import (
    in_year,
    money_behind,
    periods_of,
    plan_activities,
    status_counts,
    subs_of,
    summarize,
    verdict_counts,
)
from .targets import period_label

# A change refused: a rule of the plan (PlanError) or a stale save (StaleEdit); both carry
# Swedish `messages` and save nothing.
REFUSED = (PlanError, StaleEdit)


def _plan_url(plan):
    return reverse("plan:detail", args=[plan.pk])


@require(can_view_plan)
def plan_list(request):
    plans = list(Plan.objects.all())
    if len(plans) == 1:
        return redirect(_plan_url(plans[0]))
    return render(request, "plan/plan_list.html", {"plans": plans})


@require(can_view_plan)
def plan_detail(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    strategies = list(plan.strategies.all())
    indicators = list(Indicator.objects.for_plan(plan))
    summaries = {s.indicator.pk: s for s in summarize(indicators)}
    activities = plan_activities(plan)
    blocks = [
        {
            "strategy": strategy,
            "indicators": [summaries[i.pk] for i in indicators if i.strategy_id == strategy.pk],
            "activities": [a for a in activities if a.strategy_id == strategy.pk],
        }
        for strategy in strategies
    ]
    return render(
        request,
        "plan/plan_detail.html",
        {
            "plan": plan,
            "parties": plan.parties.all()
            if can_edit_plan(request.user)
            else plan.parties.exclude(kind="lan"),
            "blocks": blocks,
            "can_edit": can_edit_plan(request.user),
            "kolada_form": KoladaUploadForm(),
        },
    )


def _save_form(request, form, *, success, reason=""):
    """Save a versioned ModelForm through the action; the problems if it is refused."""
    instance = form.save(commit=False)
    try:
        do_save_plan_item(
            instance,
            acting_user=request.user,
            expected_version=form.expected_version,
            reason=reason,
        )
    except REFUSED as exc:
        return exc.messages
    messages.success(request, success.format(instance))
    return None


def _form_page(request, form, *, title, cancel_url, problems=(), extra=None):
    return render(
        request,
        "plan/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "problems": problems,
            **(extra or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def _delete(request, delete, item, *, done):
    """The form page's "Ta bort" button: None when removed (with a message), else the
    Swedish reasons it was not. A version not sent from our page counts as stale."""
    try:
        delete(item, acting_user=request.user, expected_version=posted_version(request))
    except REFUSED as exc:
        return exc.messages
    messages.success(request, done)
    return None


def _delete_button(label, item):
    return {"delete": {"label": label, "version": item.version}}


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    form = PlanForm(request.POST or None, instance=plan)
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Planen har sparats.")
        if problems is None:
            return redirect(_plan_url(plan))
    return _form_page(
        request,
        form,
        title=f"Ändra {plan}",
        cancel_url=_plan_url(plan),
        problems=problems,
        extra={"plan": plan, "entries": timeline(plan.history.all())},
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def party_edit(request, pk=None, plan_pk=None):
    if pk:
        party = get_object_or_404(Party.objects.select_related("plan"), pk=pk)
    else:
        plan = get_object_or_404(Plan, pk=plan_pk)
        party = Party(plan=plan, position=plan.parties.count() + 1)
    form = PartyForm(request.POST or None, instance=party)
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Parten ”{}” har sparats.")
        if problems is None:
            return redirect(_plan_url(party.plan))
    return _form_page(
        request,
        form,
        title=f"Part: {party}" if pk else "Ny part",
        cancel_url=_plan_url(party.plan),
        problems=problems,
        extra={"entries": timeline(party.history.all()) if pk else None},
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def strategy_edit(request, pk):
    strategy = get_object_or_404(Strategy.objects.select_related("plan"), pk=pk)
    form = StrategyForm(request.POST or None, instance=strategy)
    back = f"{_plan_url(strategy.plan)}#strategy-{strategy.pk}"
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Strategin ”{}” har sparats.")
        if problems is None:
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Ändra strategi: {strategy}",
        cancel_url=back,
        problems=problems,
        extra={"entries": timeline(strategy.history.all())},
    )


# Indicators and their values.


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def indicator_add(request, strategy_pk):
    strategy = get_object_or_404(Strategy.objects.select_related("plan"), pk=strategy_pk)
    indicator = Indicator(strategy=strategy, position=strategy.indicators.count() + 1)
    form = IndicatorForm(request.POST or None, instance=indicator)
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Effektmåttet ”{}” har lagts till.")
        if problems is None:
            return redirect(reverse("plan:indicator", args=[indicator.pk]))
    return _form_page(
        request,
        form,
        title=f"Nytt effektmått: {strategy}",
        cancel_url=_plan_url(strategy.plan),
        problems=problems,
        extra={"plan": strategy.plan},
    )


def _indicator_plan(indicator):
    if indicator.strategy_id:
        return indicator.strategy.plan
    return Plan.objects.first()


@require(can_view_plan)
def indicator_detail(request, pk):
    indicator = get_object_or_404(
        Indicator.objects.select_related("strategy__plan", "agreement"), pk=pk
    )
    plan = _indicator_plan(indicator)
    (summary,) = summarize([indicator])
    form = KoladaUploadForm()
    periods = sorted({key for s in summary.series for key in s.values})
    return render(
        request,
        "plan/indicator_detail.html",
        {
            "indicator": indicator,
            "plan": plan,
            "summary": summary,
            "chart": indicator_chart(summary),
            "periods": periods,
            "can_edit": can_edit_plan(request.user),
            "value_form": MeasurementForm(indicator=indicator) if plan else None,
            "kolada_form": form if indicator.kolada_kpi and plan else None,
            "entries": _value_timeline(indicator),
        },
    )


def _value_timeline(indicator):
    """Every change of the indicator's values, each named by party, period, group and gender."""
    parties = dict(Party.objects.values_list("pk", "name"))

    def subject(record):
        parts = [
            parties.get(record.party_id, "Borttagen part"),
            period_label(record.year, record.half),
        ]
        if record.group:
            parts.append(record.group)
        parts.append(Gender(record.gender).label.lower())
        return ", ".join(parts)

    return timeline(Measurement.history.filter(indicator_id=indicator.pk), subject=subject)


@require(can_view_plan)
def indicator_export(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("strategy", "agreement"), pk=pk)
    content = exports.indicators_xlsx(summarize([indicator]), title="Värden")
    return _xlsx(content, f"varden-{indicator.pk}")


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("strategy__plan"), pk=pk)
    form = IndicatorForm(request.POST or None, instance=indicator)
    problems = []
    back = reverse("plan:indicator", args=[indicator.pk])
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Effektmåttet ”{}” har sparats.")
        if problems is None:
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Ändra effektmått: {indicator}",
        cancel_url=back,
        problems=problems,
        extra={"entries": timeline(indicator.history.all())},
    )


@require(can_edit_plan)
@require_POST
def measurement_add(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("strategy__plan"), pk=pk)
    form = MeasurementForm(request.POST, indicator=indicator)
    back = reverse("plan:indicator", args=[indicator.pk])
    problems = []
    if form.is_valid():
        measurement = form.save(commit=False)
        existing = Measurement.objects.filter(
            indicator=indicator,
            party=measurement.party,
            year=measurement.year,
            half=measurement.half,
            group=measurement.group,
            gender=measurement.gender,
        ).first()
        if existing is not None:
            problems = [
                f"Det finns redan ett värde för {measurement.party} {measurement.year} "
                f"({existing.get_gender_display().lower()}); ändra det i stället."
            ]
        else:
            try:
                # A new value: nothing was shown, so the version read is 0.
                do_save_measurement(measurement, acting_user=request.user, expected_version=0)
            except REFUSED as exc:
                problems = exc.messages
            else:
                messages.success(request, "Värdet har sparats.")
                return redirect(back)
    return _form_page(
        request, form, title=f"Nytt värde: {indicator}", cancel_url=back, problems=problems
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def measurement_edit(request, pk):
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator__strategy__plan", "party"), pk=pk
    )
    indicator = measurement.indicator
    back = reverse("plan:indicator", args=[indicator.pk])
    form = MeasurementForm(request.POST or None, instance=measurement, indicator=indicator)
    problems = []
    if request.method == "POST" and request.POST.get("action") == "delete":
        problems = _delete(
            request, do_delete_measurement, measurement, done="Värdet har tagits bort."
        )
        if problems is None:
            return redirect(back)
    elif request.method == "POST" and form.is_valid():
        try:
            do_save_measurement(
                form.save(commit=False),
                acting_user=request.user,
                expected_version=form.expected_version,
            )
        except REFUSED as exc:
            problems = exc.messages
        else:
            messages.success(request, "Värdet har sparats.")
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Ändra värde: {indicator}, {measurement.party} {measurement.year}",
        cancel_url=back,
        problems=problems,
        extra=_delete_button("Ta bort värdet", measurement),
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
    back = reverse("plan:indicator", args=[indicator.pk]) if indicator else _plan_url(plan)
    form = KoladaUploadForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.KOLADA_MAX_UPLOAD_MB * MB:
            problems = [
                size_message(upload.size, settings.KOLADA_MAX_UPLOAD_MB * MB, "Kolada-filen")
            ]
        else:
            parsed = parse_kolada(upload.read(), upload.name)
            problems = parsed.problems
            if not problems:
                result = do_import_kolada(
                    plan,
                    parsed.values,
                    acting_user=request.user,
                    source=f"Kolada, fil {upload.name}",
                    indicator=indicator,
                )
                problems = result.problems
                if not problems:
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
    money = money_behind([activity.pk]).get(activity.pk, [])
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
            "entries": timeline(
                activity.history.all(),
                SubActivity.history.filter(activity_id=activity.pk),
                MeasureQuestion.history.filter(sub_activity_id__in=[sub.pk for sub in subs]),
                ActivityLink.history.filter(plan_activity_id=activity.pk),
                subject=lambda record: (
                    record.name
                    if hasattr(record, "name")
                    else getattr(record, "question", "Koppling till fördelningen")
                ),
            ),
        },
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def activity_add(request, strategy_pk):
    strategy = get_object_or_404(Strategy.objects.select_related("plan"), pk=strategy_pk)
    activity = PlanActivity(strategy=strategy, position=strategy.activities.count() + 1)
    form = PlanActivityForm(request.POST or None, instance=activity)
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Aktiviteten ”{}” har lagts till.")
        if problems is None:
            return redirect(reverse("plan:activity", args=[activity.pk]))
    return _form_page(
        request,
        form,
        title=f"Ny aktivitet: {strategy}",
        cancel_url=_plan_url(strategy.plan),
        problems=problems,
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = get_object_or_404(PlanActivity.objects.select_related("strategy__plan"), pk=pk)
    form = PlanActivityForm(request.POST or None, instance=activity)
    back = reverse("plan:activity", args=[activity.pk])
    problems = []
    if request.method == "POST" and request.POST.get("action") == "delete":
        done = f"Aktiviteten ”{activity}” har tagits bort."
        problems = _delete(request, do_delete_plan_activity, activity, done=done)
        if problems is None:
            return redirect(_plan_url(activity.strategy.plan))
    elif request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Aktiviteten ”{}” har sparats.")
        if problems is None:
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Ändra aktivitet: {activity}",
        cancel_url=back,
        problems=problems,
        extra=_delete_button("Ta bort aktiviteten", activity),
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def sub_add(request, pk):
    activity = get_object_or_404(PlanActivity, pk=pk)
    sub = SubActivity(activity=activity, position=activity.sub_activities.count() + 1)
    form = SubActivityForm(request.POST or None, instance=sub)
    back = reverse("plan:activity", args=[activity.pk])
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Delaktiviteten ”{}” har lagts till.")
        if problems is None:
            return redirect(back)
    return _form_page(
        request, form, title=f"Ny delaktivitet: {activity}", cancel_url=back, problems=problems
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def sub_edit(request, pk):
    """Name and note; the status changes through sub_status, which keeps its history."""
    sub = get_object_or_404(SubActivity.objects.select_related("activity"), pk=pk)
    form = SubActivityForm(request.POST or None, instance=sub)
    back = reverse("plan:activity", args=[sub.activity_id])
    problems = []
    if request.method == "POST" and request.POST.get("action") == "delete":
        done = f"Delaktiviteten ”{sub}” har tagits bort."
        problems = _delete(request, do_delete_sub_activity, sub, done=done)
        if problems is None:
            return redirect(back)
    elif request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Delaktiviteten ”{}” har sparats.")
        if problems is None:
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Ändra delaktivitet: {sub}",
        cancel_url=back,
        problems=problems,
        extra=_delete_button("Ta bort delaktiviteten", sub),
    )


@require(can_edit_plan)
@require_POST
def sub_status(request, pk):
    sub = get_object_or_404(SubActivity, pk=pk)
    form = StatusForm(request.POST)
    back = reverse("plan:activity", args=[sub.activity_id])
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
    except REFUSED as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Status för ”{sub}” är nu {sub.status_display()}.")
    return redirect(f"{back}#sub-{sub.pk}")


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def question_add(request, pk):
    sub = get_object_or_404(SubActivity, pk=pk)
    question = MeasureQuestion(sub_activity=sub, position=sub.questions.count() + 1)
    form = QuestionForm(request.POST or None, instance=question)
    back = reverse("plan:activity", args=[sub.activity_id])
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Måttet ”{}” har lagts till.")
        if problems is None:
            return redirect(back)
    return _form_page(request, form, title=f"Nytt mått: {sub}", cancel_url=back, problems=problems)


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    question = get_object_or_404(MeasureQuestion.objects.select_related("sub_activity"), pk=pk)
    form = QuestionForm(request.POST or None, instance=question)
    back = reverse("plan:activity", args=[question.sub_activity.activity_id])
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Måttet ”{}” har sparats.")
        if problems is None:
            return redirect(back)
    return _form_page(
        request, form, title=f"Ändra mått: {question}", cancel_url=back, problems=problems
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def question_answer(request, pk):
    question = get_object_or_404(MeasureQuestion.objects.select_related("sub_activity"), pk=pk)
    back = reverse("plan:activity", args=[question.sub_activity.activity_id])
    # The year's answer as it stands, with its version: the save is refused if it changes.
    year = _year(request.GET.get("ar"), timezone.localdate().year)
    shown = question.answers.filter(year=year).first()
    initial = {"year": year, "version": shown.version if shown else 0}
    if shown is not None:
        initial.update(
            answer_yes={True: "1", False: "0"}.get(shown.answer_yes, ""),
            answer_text=shown.answer_text,
            comment=shown.comment,
        )
    form = AnswerForm(request.POST or None, question=question, initial=initial)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_answer_question(
                question,
                data["year"],
                answer_yes=data.get("answer_yes"),
                answer_text=data.get("answer_text", ""),
                comment=data["comment"],
                acting_user=request.user,
                expected_version=data["version"],
            )
        except REFUSED as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Svaret på ”{question}” har sparats.")
            return redirect(back)
    return _form_page(request, form, title=f"Svar: {question}", cancel_url=back, problems=problems)


@require(can_edit_plan)
@require_POST
def link_add(request, pk):
    activity = get_object_or_404(PlanActivity, pk=pk)
    form = LinkForm(request.POST)
    back = reverse("plan:activity", args=[activity.pk])
    if form.is_valid():
        try:
            do_link_activity(
                activity,
                form.cleaned_data["activity"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except REFUSED as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Kopplingen till fördelningen har sparats.")
    else:
        messages.error(request, "Välj en aktivitet i fördelningen.")
    return redirect(f"{back}#money-heading")


@require(can_edit_plan)
@require_POST
def link_delete(request, pk):
    link = get_object_or_404(ActivityLink, pk=pk)
    do_unlink_activity(link, acting_user=request.user)
    messages.success(request, f"Kopplingen till ”{link.activity}” har tagits bort.")
    return redirect(reverse("plan:activity", args=[link.plan_activity_id]) + "#money-heading")


# Follow-up.


def _year(value, default):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def followup_context(plan, *, year, status="", period="", party=None):
    indicators = list(Indicator.objects.for_plan(plan))
    summaries = summarize(indicators, party=party)
    activities = plan_activities(plan, status=status or None, period=period or None)
    money = money_behind([a.pk for a in activities])
    agreement_indicators = list(
        Indicator.objects.filter(agreement__isnull=False, strategy__isnull=True).select_related(
            "agreement"
        )
    )
    by_strategy = []
    for strategy in plan.strategies.all():
        by_strategy.append(
            {
                "strategy": strategy,
                "indicators": [s for s in summaries if s.indicator.strategy_id == strategy.pk],
                "indicator_years": [
                    in_year(s, year) for s in summaries if s.indicator.strategy_id == strategy.pk
                ],
                "activities": [a for a in activities if a.strategy_id == strategy.pk],
            }
        )
    subs = subs_of(activities)
    if status:
        subs = [s for s in subs if s.status == status]
    return {
        "plan": plan,
        "year": year,
        "title": f"Uppföljning {year} – {plan}",
        "by_strategy": by_strategy,
        "summaries": summaries,
        "agreement_summaries": summarize(agreement_indicators, party=party),
        "agreement_years": [in_year(s, year) for s in summarize(agreement_indicators, party=party)],
        "activities": activities,
        "money": money,
        "money_rows": [(a, money.get(a.pk, [])) for a in activities if money.get(a.pk)],
        "status_counts": status_counts(subs),
        "verdicts": verdict_counts(summaries, year),
        "sub_count": len(subs),
        "generated": timezone.localdate(),
    }


@require(can_view_plan)
def followup(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    if status not in SubStatus.values:
        status = ""
    period = request.GET.get("period", "")
    party = None
    if request.GET.get("party", "").isdigit():
        party = Party.objects.filter(plan=plan, pk=request.GET["party"]).first()
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
    context.update(
        filters={"status": status, "period": period, "party": party},
        statuses=SubStatus.choices,
        periods=periods_of(plan),
        parties=plan.parties.all(),
        export=xlsx_link(request),  # each list adds its name (lista=...)
        years=range(today.year - 4, today.year + 1),
    )
    return render(request, "plan/followup.html", context)


@require(can_view_plan)
def followup_pdf(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    year = _year(request.GET.get("ar"), timezone.localdate().year)
    context = followup_context(plan, year=year)
    return attachment(exports.followup_pdf(context), f"uppfoljning-plan-{year}.pdf")


@require(can_view_plan)
def agreement_indicators(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    summaries = summarize(agreement.indicators.all())
    return render(
        request,
        "plan/agreement_indicators.html",
        {
            "agreement": agreement,
            "summaries": summaries,
            "plan": Plan.objects.first(),
            "can_edit": can_edit_plan(request.user),
        },
    )


@require(can_edit_plan)
@require_http_methods(["GET", "POST"])
def agreement_indicator_add(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    indicator = Indicator(agreement=agreement, position=agreement.indicators.count() + 1)
    form = IndicatorForm(request.POST or None, instance=indicator)
    back = reverse("plan:agreement_indicators", args=[agreement.pk])
    problems = []
    if request.method == "POST" and form.is_valid():
        problems = _save_form(request, form, success="Indikatorn ”{}” har lagts till.")
        if problems is None:
            return redirect(reverse("plan:indicator", args=[indicator.pk]))
    return _form_page(
        request, form, title=f"Ny indikator: {agreement}", cancel_url=back, problems=problems
    )


def _xlsx(content, name):
    return attachment(content, f"{name}-{timezone.localdate():%Y-%m-%d}.xlsx")
