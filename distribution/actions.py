"""Writes of the internal distribution. Each locks the area, checks its money, and records
who did what (django-simple-history, with the reason where one is given)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import update_change_reason

from common.locks import LEDGER_LOCK, lock_for_transaction
from common.money import format_amount
from common.refusals import Refused
from common.versioning import StaleEdit, check_version, save_checked
from grants.models import DevelopmentArea, RecipientGroup

from .calculations import check_area_balance
from .models import Activity, ActivityStatus, AreaPlan, CostObject, Reallocation
from .reads import own_area_money


class DistributionError(Refused):
    """The change breaks a rule of the distribution; nothing was saved."""


def _lock_area(area) -> DevelopmentArea:
    """Serialise every change to an area's activities (PostgreSQL row lock)."""
    return DevelopmentArea.objects.select_for_update().select_related("agreement").get(pk=area.pk)


def _check_money(area, activities):
    money = own_area_money(area)
    if not money.known and any(a.amount for a in activities):
        raise DistributionError(
            [
                "Regionens beslutade belopp för området saknas. För in det under Fördelning "
                "(beslutade belopp) innan pengar fördelas till aktiviteter."
            ]
        )
    problems = check_area_balance(money.balance(activities))
    if problems:
        raise DistributionError(problems)


def _save(activity, acting_user, reason):
    activity._history_user = acting_user
    activity.save()
    if reason:
        update_change_reason(activity, reason)


@transaction.atomic
def do_save_activity(activity: Activity, *, acting_user, expected_version=None, reason=""):
    """Create or change an activity. Raises DistributionError (or StaleEdit) and saves nothing
    if the area's money would not hold or someone else changed the activity meanwhile.

    Changing the amount of an activity that is no longer planned needs a reason: the money
    was decided, so the history must say why it moved."""
    area = _lock_area(activity.area)
    try:
        activity.full_clean()
    except ValidationError as exc:
        raise DistributionError(exc.messages) from exc
    others = list(Activity.objects.filter(area=area).exclude(pk=activity.pk))
    if activity.pk:
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        if expected_version is not None:
            check_version(activity, expected_version, "Aktiviteten")
        else:
            activity.version = current.version
        if (
            current.status != ActivityStatus.PLANNED
            and current.amount != activity.amount
            and not reason.strip()
        ):
            raise DistributionError(
                [
                    f"Ange skälet till att beloppet ändras från {format_amount(current.amount)} "
                    f"till {format_amount(activity.amount)}; aktiviteten är "
                    f"{current.get_status_display().lower()}."
                ]
            )
    _check_money(area, [*others, activity])
    _save(activity, acting_user, reason)
    return activity


@transaction.atomic
def do_delete_activity(activity: Activity, *, acting_user, expected_version=None):
    # The deletion unties the activity's ledger rows: it waits for an import that read the
    # activity (and ties rows to it) to land, first of all its locks, as the import takes it.
    lock_for_transaction(LEDGER_LOCK)
    _lock_area(activity.area)
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if expected_version is not None:
        check_version(current, expected_version, "Aktiviteten")
    if current.reallocations_in.exists() or current.reallocations_out.exists():
        raise DistributionError(
            ["Aktiviteten har omfördelningar i historiken; sätt beloppet till 0 i stället."]
        )
    current._history_user = acting_user
    current.delete()


@transaction.atomic
def do_reallocate(source: Activity, target: Activity, amount: Decimal, *, reason, acting_user):
    """Move money from one activity to another of the same area, both in one transaction."""
    area = _lock_area(source.area)
    source = Activity.objects.select_for_update().get(pk=source.pk)
    target = Activity.objects.select_for_update().get(pk=target.pk)
    problems = []
    if source.area_id != target.area_id:
        problems.append("Pengar kan bara omfördelas mellan aktiviteter i samma utvecklingsområde.")
    if source.pk == target.pk:
        problems.append("Välj två olika aktiviteter.")
    if source.ring_fenced_component_id:
        problems.append(f"”{source}” använder öronmärkta medel som inte får omfördelas till annat.")
    if amount <= 0 or amount != amount.to_integral_value():
        problems.append("Beloppet ska vara hela kronor och större än noll.")
    elif amount > source.amount:
        problems.append(
            f"”{source}” har bara {format_amount(source.amount)}; det går inte att flytta "
            f"{format_amount(amount)}."
        )
    if not reason.strip():
        problems.append("Ange skälet till omfördelningen.")
    if problems:
        raise DistributionError(problems)
    source.amount -= amount
    target.amount += amount
    others = Activity.objects.filter(area=area).exclude(pk__in=[source.pk, target.pk])
    _check_money(area, [*others, source, target])
    text = f"Omfördelning {format_amount(amount)} från ”{source}” till ”{target}”: {reason}"
    _save(source, acting_user, text)
    _save(target, acting_user, text)
    return Reallocation.objects.create(
        area=area,
        from_activity=source,
        to_activity=target,
        amount=amount,
        reason=reason,
        created_by=acting_user,
    )


def _base_name(name: str) -> str:
    return name.split(",")[0].strip().lower()


@transaction.atomic
def do_copy_activities(source_area, target_area, *, acting_user) -> tuple[int, bool]:
    """Copy an earlier year's activities into an area as a planned starting proposal.

    Amounts are kept when they fit in the target area's money, else set to 0 to be filled
    in. Cost objects carry over where the target year has one with the same number.
    Returns (how many were copied, whether the amounts were kept).
    """
    area = _lock_area(target_area)
    year = area.agreement.year
    objects = {o.number: o for o in CostObject.objects.filter(year=year, area=area)}
    # Ring-fenced components by name without the recipient ("…, regionerna"), as names vary.
    pots = {
        _base_name(c.name): c
        for c in area.components.filter(ring_fenced=True, recipient_group=RecipientGroup.REGIONS)
    }
    existing = list(Activity.objects.filter(area=area))
    copies = []
    for position, old in enumerate(
        Activity.objects.filter(area=source_area).select_related(
            "cost_object", "ring_fenced_component"
        ),
        start=len(existing) + 1,
    ):
        pot = (
            pots.get(_base_name(old.ring_fenced_component.name))
            if old.ring_fenced_component
            else None
        )
        copies.append(
            Activity(
                area=area,
                position=position,
                goal=old.goal,
                name=old.name,
                covers=old.covers,
                amount=old.amount,
                responsible=old.responsible,
                cost_object=objects.get(old.cost_object.number) if old.cost_object else None,
                ring_fenced_component=pot,
                status=ActivityStatus.PLANNED,
                private_providers=old.private_providers,
                is_new=False,
                exit_plan=old.exit_plan,
                has_investment=old.has_investment,
                depreciation_only=old.depreciation_only,
                notes=f"Kopierad från {source_area.agreement}.",
            )
        )
    kept = True
    try:
        _check_money(area, [*existing, *copies])
    except DistributionError:
        kept = False
        for copy in copies:
            copy.amount = Decimal("0")
    for copy in copies:
        try:
            copy.full_clean()
        except ValidationError as exc:  # pragma: no cover - copies of valid activities
            raise DistributionError(exc.messages) from exc
        _save(copy, acting_user, f"Kopierad från {source_area.agreement}")
    return len(copies), kept


@transaction.atomic
def do_add_activity(activity: Activity, *, acting_user, expected_version=0):
    """A new activity last in its area (the next free position, counted under the area's
    lock). `expected_version` is 0: the form showed no activity."""
    area = _lock_area(activity.area)
    activity.position = Activity.objects.filter(area=area).count() + 1
    return do_save_activity(activity, acting_user=acting_user, expected_version=expected_version)


@transaction.atomic
def do_save_area_plan(plan: AreaPlan, *, acting_user, expected_version):
    """Who holds the area together and what the decision says. A first plan saved by
    someone else since the page was opened counts as a change (the area is locked)."""
    what = "Områdets ansvar och anmärkningar"
    _lock_area(plan.area)
    if plan.pk is None and AreaPlan.objects.filter(area_id=plan.area_id).exists():
        raise StaleEdit(what)
    return save_checked(plan, expected_version, what=what, acting_user=acting_user)


@transaction.atomic
def do_add_cost_object(cost_object: CostObject, *, acting_user) -> CostObject:
    """A new object for the year; a number the year already has is refused."""
    _lock_area(cost_object.area)
    if CostObject.objects.filter(year=cost_object.year, number=cost_object.number).exists():
        raise DistributionError(f"Objekt {cost_object.number} finns redan för {cost_object.year}.")
    try:
        cost_object.full_clean()
    except ValidationError as exc:
        raise DistributionError(exc.messages) from exc
    cost_object._history_user = acting_user
    cost_object.save()
    return cost_object
