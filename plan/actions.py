"""Writes of the joint plan. Each runs in one transaction, refuses a save based on an older
reading of the row (common.versioning: the row's version), and records who did it
(django-simple-history, with the reason or comment where one is given)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from simple_history.utils import update_change_reason

from common.limits import MB, size_message
from common.refusals import Refused
from common.versioning import StaleEdit, check_version

from .kolada import KoladaValue, parse_kolada
from .models import (
    ActivityLink,
    Indicator,
    MeasureAnswer,
    Measurement,
    MeasureQuestion,
    Party,
    PlanActivity,
    StatusChange,
    SubActivity,
)


class PlanError(Refused):
    """The change breaks a rule of the plan; nothing was saved. The messages are Swedish."""


def _validate(instance):
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise PlanError(exc.messages) from exc


def _bump(instance, expected_version, what="Uppgiften"):
    """Lock the stored row; refuse if it is not the version the user edited (StaleEdit).
    Without an expected version (commands, imports) the row is only locked. The save then
    raises the stored version by one (common.versioning.Versioned)."""
    if instance.pk is None:
        return
    if expected_version is not None:
        check_version(instance, expected_version, what)
        return
    # No ordering: a default ordering across nullable relations would put an outer join
    # under FOR UPDATE, which PostgreSQL refuses.
    current = (
        type(instance)
        .objects.select_for_update()
        .filter(pk=instance.pk)
        .order_by()
        .values_list("version", flat=True)
        .first()
    )
    if current is None:
        raise PlanError(["Uppgiften finns inte längre; någon har tagit bort den."])
    instance.version = current


def _save(instance, acting_user, reason=""):
    instance._history_user = acting_user
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise PlanError(["Det finns redan en likadan uppgift; ändra den i stället."]) from exc
    if reason:
        update_change_reason(instance, reason)


# The rows a plan item is numbered among: its parent (the first one set, for an indicator of
# a strategy or of an agreement).
_PARENTS = {
    Party: ("plan",),
    Indicator: ("strategy", "agreement"),
    PlanActivity: ("strategy",),
    SubActivity: ("activity",),
    MeasureQuestion: ("sub_activity",),
}


def _place_last(instance):
    """Give a new item the next free position among its parent's items. The parent row is
    locked first, so two items added at once get different numbers."""
    for name in _PARENTS.get(type(instance), ()):
        parent_id = getattr(instance, f"{name}_id")
        if parent_id is None:
            continue
        parent = instance._meta.get_field(name).related_model
        parent.objects.select_for_update().filter(pk=parent_id).order_by().values("pk").first()
        siblings = type(instance).objects.filter(**{f"{name}_id": parent_id}).order_by()
        instance.position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
        return


@transaction.atomic
def do_save_plan_item(instance, *, acting_user, expected_version=None, reason=""):
    """Create or change a plan, party, strategy, indicator, plan activity, sub-activity or
    measure question. A new item (but a plan) is placed after its parent's last one."""
    if instance.pk is None:
        _place_last(instance)
    _validate(instance)
    _bump(instance, expected_version)
    _save(instance, acting_user, reason)
    return instance


@transaction.atomic
def do_save_measurement(measurement: Measurement, *, acting_user, expected_version=None):
    """Save a value of an indicator. A new value for a party, period, group and gender that
    already has one is refused: that one is changed instead."""
    if measurement.pk is None:
        _refuse_second_value(measurement)
    _validate(measurement)
    _bump(measurement, expected_version)
    measurement.updated_by = acting_user
    _save(measurement, acting_user, measurement.comment)
    return measurement


def _refuse_second_value(measurement):
    Indicator.objects.select_for_update().filter(pk=measurement.indicator_id).order_by().first()
    existing = (
        Measurement.objects.filter(
            indicator_id=measurement.indicator_id,
            party_id=measurement.party_id,
            year=measurement.year,
            half=measurement.half,
            group=measurement.group,
            gender=measurement.gender,
        )
        .order_by()
        .first()
    )
    if existing is not None:
        raise PlanError(
            f"Det finns redan ett värde för {measurement.party} {measurement.year} "
            f"({existing.get_gender_display().lower()}); ändra det i stället."
        )


@transaction.atomic
def do_delete_measurement(measurement: Measurement, *, acting_user, expected_version=None):
    _bump(measurement, expected_version)
    measurement._history_user = acting_user
    measurement.delete()


@transaction.atomic
def do_set_status(
    sub: SubActivity, status: str, *, reference="", comment="", acting_user, expected_version=None
) -> StatusChange:
    """Change a sub-activity's status and record who, when and why in its status history."""
    old = SubActivity.objects.select_for_update().order_by().get(pk=sub.pk)
    if expected_version is not None and old.version != expected_version:
        raise StaleEdit("Delaktiviteten")
    sub.status = status
    sub.status_reference = reference if status == "ingar_i" else ""
    _validate(sub)
    sub.version = old.version
    _save(sub, acting_user, comment)
    return StatusChange.objects.create(
        sub_activity=sub,
        old_status=old.status,
        status=status,
        status_reference=sub.status_reference,
        comment=comment,
        changed_by=acting_user,
    )


@transaction.atomic
def do_answer_question(
    question,
    year: int,
    *,
    answer_yes=None,
    answer_text="",
    comment="",
    acting_user,
    expected_version: int,
) -> MeasureAnswer:
    """Answer a measure for a year. `expected_version` is the version of the year's answer
    the form showed (0: none yet); a save in between is refused (StaleEdit), also between two
    first answers, which the lock on the question serialises."""
    MeasureQuestion.objects.select_for_update().filter(pk=question.pk).order_by().first()
    answer = MeasureAnswer.objects.filter(question=question, year=year).order_by().first()
    if answer is None:
        answer = MeasureAnswer(question=question, year=year)
    check_version(answer, expected_version, "Svaret")
    answer.answer_yes = answer_yes
    answer.answer_text = answer_text
    answer.comment = comment
    answer.answered_by = acting_user
    _validate(answer)
    _save(answer, acting_user, comment)
    return answer


@transaction.atomic
def do_link_activity(plan_activity, activity, *, note="", acting_user) -> ActivityLink:
    if ActivityLink.objects.filter(plan_activity=plan_activity, activity=activity).exists():
        raise PlanError([f"”{activity}” är redan kopplad till ”{plan_activity}”."])
    link = ActivityLink(
        plan_activity=plan_activity, activity=activity, note=note, created_by=acting_user
    )
    _save(link, acting_user)
    return link


@transaction.atomic
def do_unlink_activity(link: ActivityLink, *, acting_user, expected_version=None):
    """Remove a link to the distribution; refused if it changed since the page showed it."""
    _bump(link, expected_version, "Kopplingen")
    link._history_user = acting_user
    link.delete()


@transaction.atomic
def do_delete_plan_activity(activity: PlanActivity, *, acting_user, expected_version=None):
    """Remove an activity added by mistake: one with no sub-activities and no links to the
    distribution (those are removed first, each in its own history)."""
    _bump(activity, expected_version, "Aktiviteten")
    holds = []
    if count := activity.sub_activities.count():
        holds.append(f"{count} delaktivitet{'er' if count > 1 else ''}")
    if count := activity.links.count():
        holds.append(f"{count} koppling{'ar' if count > 1 else ''} till fördelningen")
    if holds:
        raise PlanError(
            [f"Aktiviteten har {' och '.join(holds)}; ta bort dem först. Inget togs bort."]
        )
    activity._history_user = acting_user
    activity.delete()


@transaction.atomic
def do_delete_sub_activity(sub: SubActivity, *, acting_user, expected_version=None):
    """Remove a sub-activity added by mistake, with its unanswered measure questions. One
    whose status has changed or whose questions have answers belongs to the follow-up and
    stays (its status says how it went)."""
    _bump(sub, expected_version, "Delaktiviteten")
    answered = MeasureAnswer.objects.filter(question__sub_activity=sub).exists()
    if sub.status_changes.exists() or answered:
        raise PlanError(
            [
                "Delaktiviteten har statusändringar eller svar på mått, som uppföljningen "
                "bygger på; den kan inte tas bort. Inget togs bort."
            ]
        )
    for question in sub.questions.all():
        question._history_user = acting_user
        question.delete()
    sub._history_user = acting_user
    sub.delete()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    other_parties: int = 0
    missing_values: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.created + self.updated


@transaction.atomic
def do_import_kolada(
    plan, values: list[KoladaValue], *, acting_user, source: str, indicator=None
) -> ImportResult:
    """Put parsed Kolada values on the plan's indicators (by KPI id), parties (by Kolada id),
    years and genders. Values for municipalities that are not parties are left out and
    counted. Any problem (a KPI no indicator names, a split the indicator does not have)
    is named with its row and nothing is saved."""
    result = ImportResult()
    indicators = {}
    scope = Indicator.objects.with_kolada_values(plan)
    if indicator is not None:
        scope = Indicator.objects.filter(pk=indicator.pk).exclude(kolada_kpi="")
    for item in scope:
        indicators.setdefault(item.kolada_kpi, []).append(item)
    parties = {p.kolada_id: p for p in Party.objects.filter(plan=plan).exclude(kolada_id="")}
    planned = {}
    for value in values:
        targets = indicators.get(value.kpi)
        if not targets:
            where = f"måttet ”{indicator}”" if indicator is not None else "planen"
            result.problems.append(
                f"{value.where}: nyckeltalet {value.kpi} hör inte till något mått i {where}."
            )
            continue
        party = parties.get(value.municipality)
        if party is None:
            result.other_parties += 1
            continue
        if value.value is None:
            result.missing_values += 1
            continue
        for target in targets:
            if value.gender != "T" and not target.split_by_gender:
                result.problems.append(
                    f"{value.where}: ”{target}” redovisas inte per kön (kön {value.gender})."
                )
                continue
            if target.is_yes_no and value.value not in (0, 1):
                result.problems.append(
                    f"{value.where}: ”{target}” är ja/nej men värdet är {value.value}."
                )
                continue
            key = (target.pk, party.pk, value.year, value.gender)
            if key in planned and planned[key][1] != value.value:
                result.problems.append(
                    f"{value.where}: {party} {value.year} kön {value.gender} finns redan i "
                    f"filen med ett annat värde ({planned[key][0]})."
                )
                continue
            planned[key] = (value.where, value.value, target, party)
    if result.problems:
        transaction.set_rollback(True)
        return result
    existing = {
        (m.indicator_id, m.party_id, m.year, m.gender): m
        for m in Measurement.objects.select_for_update()
        .filter(indicator_id__in={k[0] for k in planned}, half=0, group="")
        .order_by()
    }
    for key, (where, number, target, party) in planned.items():
        current = existing.get(key)
        if current is not None and current.value == number:
            result.unchanged += 1
            continue
        if current is None:
            current = Measurement(
                indicator=target, party=party, year=key[2], gender=key[3], half=0, group=""
            )
            result.created += 1
        else:
            result.updated += 1
        current.value = number
        current.source = source
        current.updated_by = acting_user
        try:
            _validate(current)
        except PlanError as exc:
            result.problems.extend(f"{where}: {message}" for message in exc.messages)
            continue
        _save(current, acting_user, f"Import från Kolada: {source}")
    if result.problems:
        transaction.set_rollback(True)
        result.created = result.updated = result.unchanged = 0
    return result


@transaction.atomic
def do_import_kolada_file(plan, upload, *, acting_user, indicator=None) -> ImportResult:
    """Read a Kolada file a user uploaded and put its values on the plan (do_import_kolada).
    A file over the size limit, one that cannot be read or values that do not fit are refused
    (PlanError, each problem named with its row) and nothing is saved."""
    limit = settings.KOLADA_MAX_UPLOAD_MB * MB
    if upload.size > limit:
        raise PlanError(size_message(upload.size, limit, "Kolada-filen"))
    parsed = parse_kolada(upload.read(), upload.name)
    if parsed.problems:
        raise PlanError(parsed.problems)
    result = do_import_kolada(
        plan,
        parsed.values,
        acting_user=acting_user,
        source=f"Kolada, fil {upload.name}",
        indicator=indicator,
    )
    if result.problems:
        raise PlanError(result.problems)
    return result
