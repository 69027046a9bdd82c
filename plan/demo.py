"""Load the joint plan from its setup file (fixtures/plan/*.json) through the same actions
the pages use: Bilaga 1 of the plan whole, the agreement's indicators, example values and
links to the internal distribution."""

from decimal import Decimal

from django.db import transaction

from distribution.models import Activity
from grants.models import Agreement

from .actions import do_link_activity, do_save_measurement, do_save_plan_item
from .models import (
    AnswerKind,
    Indicator,
    Measurement,
    MeasureQuestion,
    Party,
    Plan,
    PlanActivity,
    Strategy,
    SubActivity,
)


def _indicator(data, position, **where) -> Indicator:
    return Indicator(
        position=position,
        name=data["name"],
        description=data.get("description", ""),
        unit=data.get("unit", ""),
        frequency=data.get("frequency", "ar"),
        forum=data.get("forum", ""),
        target_text=data.get("target_text", ""),
        target_kind=data["target_kind"],
        threshold=Decimal(data["threshold"]) if data.get("threshold") else None,
        base_year=data.get("base_year"),
        groups=data.get("groups", ""),
        split_by_gender=data.get("split_by_gender", True),
        kolada_kpi=data.get("kolada_kpi", ""),
        source=data.get("source", ""),
        **where,
    )


@transaction.atomic
def load_plan_setup(data: dict, *, acting_user=None) -> Plan:
    save = {"acting_user": acting_user}
    plan = do_save_plan_item(Plan(**data["plan"]), **save)
    parties = {}
    for position, item in enumerate(data["parties"], start=1):
        party = Party.objects.create(plan=plan, position=position, **item)
        parties[party.name] = party
    indicators = {}
    activities = {}
    for position, item in enumerate(data["strategies"], start=1):
        strategy = Strategy.objects.create(
            plan=plan, position=position, name=item["name"], description=item.get("description", "")
        )
        for number, ind in enumerate(item.get("indicators", []), start=1):
            indicator = do_save_plan_item(_indicator(ind, number, strategy=strategy), **save)
            indicators[indicator.name] = indicator
        for number, act in enumerate(item.get("activities", []), start=1):
            activity = do_save_plan_item(
                PlanActivity(
                    strategy=strategy,
                    position=number,
                    name=act["name"],
                    priority_from=act["priority"][0],
                    priority_to=act["priority"][1],
                ),
                **save,
            )
            activities[activity.name] = activity
            for sub_number, sub in enumerate(act.get("subs", []), start=1):
                sub_activity = do_save_plan_item(
                    SubActivity(
                        activity=activity,
                        position=sub_number,
                        name=sub["name"],
                        status=sub["status"],
                        status_reference=sub.get("reference", ""),
                        status_note=sub.get("note", ""),
                    ),
                    **save,
                )
                for q_number, question in enumerate(sub.get("questions", []), start=1):
                    kind = question.get("kind", "ja_nej")
                    do_save_plan_item(
                        MeasureQuestion(
                            sub_activity=sub_activity,
                            position=q_number,
                            question=question["question"],
                            answer_kind=AnswerKind.TEXT if kind == "text" else AnswerKind.YES_NO,
                            target_text=question.get("target", "ja"),
                        ),
                        **save,
                    )
    agreement_data = data.get("agreement_indicators")
    if agreement_data:
        agreement = Agreement.objects.filter(slug=agreement_data["agreement"]).first()
        if agreement is not None:
            for number, ind in enumerate(agreement_data["indicators"], start=1):
                indicator = do_save_plan_item(
                    _indicator(
                        {"source": agreement_data.get("source", ""), **ind},
                        number,
                        agreement=agreement,
                    ),
                    **save,
                )
                indicators[indicator.name] = indicator
    examples = data.get("example_values")
    if examples:
        for series in examples["series"]:
            indicator = indicators.get(series["indicator"])
            if indicator is None:
                continue
            for period, value in series["values"].items():
                year, _, half = period.partition("-")
                do_save_measurement(
                    Measurement(
                        indicator=indicator,
                        party=parties[series["party"]],
                        year=int(year),
                        half=int(half or 0),
                        group=series.get("group", ""),
                        gender=series.get("gender", "T"),
                        value=Decimal(value),
                        source=examples["source"],
                    ),
                    **save,
                )
    links = data.get("links")
    if links:
        for item in links["items"]:
            activity = Activity.objects.filter(
                area__agreement__slug=links["agreement"], name__startswith=item["activity"]
            ).first()
            if activity is not None:
                do_link_activity(
                    activities[item["plan_activity"]], activity, note=item["note"], **save
                )
    return plan
