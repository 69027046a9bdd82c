"""Writes that touch several rows at once, each in one transaction."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from common.money import AmountError, parse_amount
from common.refusals import Refused
from common.versioning import check_version, check_versions, save_checked

from .models import Agreement, Component, Deadline, DevelopmentArea


@dataclass
class ImportProblem:
    where: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}"


class AgreementImportError(Refused):
    """The agreement file is wrong; nothing was saved. `messages` names each place."""


def _lines(value):
    if isinstance(value, list):
        return "\n".join(value)
    return value or ""


class _Importer:
    def __init__(self, acting_user):
        self.acting_user = acting_user
        self.problems = []

    def amount(self, value, where):
        if value is None:
            return None
        try:
            return parse_amount(value)
        except AmountError as exc:
            self.problems.append(ImportProblem(where, str(exc)))
            return None

    def date(self, value, where):
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problems.append(ImportProblem(where, f"”{value}” är inte ett datum (ÅÅÅÅ-MM-DD)."))
            return None

    def save(self, obj, where):
        """Validate and save; on failure record the problem and return None."""
        try:
            obj.full_clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                label = obj._meta.get_field(field).verbose_name if field != "__all__" else ""
                for message in messages:
                    prefix = f"{where}, fältet ”{label}”" if label else where
                    self.problems.append(ImportProblem(prefix, message))
            return None
        obj._history_user = self.acting_user
        obj.save()
        return obj

    def component(self, agreement, area, data, position, where, included_in=None):
        component = Component(
            agreement=agreement,
            area=area,
            included_in=included_in,
            position=position,
            name=data.get("name", ""),
            recipient_group=data.get("recipient_group", ""),
            national_amount=self.amount(data.get("national_amount"), f"{where}, nationellt belopp"),
            ring_fenced=bool(data.get("ring_fenced", False)),
            requirements=_lines(data.get("requirements")),
            notes=data.get("notes", ""),
        )
        saved = self.save(component, where)
        if saved is None:
            return
        for number, part in enumerate(data.get("parts", []), start=1):
            self.component(
                agreement, area, part, number, f"{where}, del {number}", included_in=saved
            )


def do_import_agreement(data: dict, *, acting_user=None) -> Agreement:
    """Create an agreement with its areas, components and deadlines from a nested dict.

    The format is that of fixtures/agreements/*.json. Raises AgreementImportError listing
    every problem; then nothing is saved.
    """
    importer = _Importer(acting_user)
    with transaction.atomic():
        agreement = Agreement(
            year=data.get("year"),
            short_name=data.get("short_name", ""),
            name=data.get("name", ""),
            slug=data.get("slug", ""),
            skr_case_number=data.get("skr_case_number", ""),
            government_case_number=data.get("government_case_number", ""),
            payment_decision_case_number=data.get("payment_decision_case_number", ""),
            region_case_number=data.get("region_case_number", ""),
            decision_date=importer.date(
                data.get("decision_date"), "Överenskommelsen, beslutsdatum"
            ),
            national_total=importer.amount(
                data.get("national_total"), "Överenskommelsen, nationell total"
            ),
            conditions=_lines(data.get("conditions")),
            notes=data.get("notes", ""),
        )
        if importer.save(agreement, "Överenskommelsen") is None:
            raise AgreementImportError(importer.problems)
        for area_number, area_data in enumerate(data.get("areas", []), start=1):
            where = f"Utvecklingsområde {area_number}"
            area = importer.save(
                DevelopmentArea(
                    agreement=agreement,
                    position=area_number,
                    name=area_data.get("name", ""),
                    description=area_data.get("description", ""),
                ),
                where,
            )
            if area is None:
                continue
            for number, component in enumerate(area_data.get("components", []), start=1):
                importer.component(
                    agreement, area, component, number, f"{where}, delområde {number}"
                )
        for number, component in enumerate(data.get("common_components", []), start=1):
            importer.component(
                agreement, None, component, 100 + number, f"Gemensamt delområde {number}"
            )
        for number, deadline in enumerate(data.get("deadlines", []), start=1):
            where = f"Frist {number}"
            importer.save(
                Deadline(
                    agreement=agreement,
                    kind=deadline.get("kind", ""),
                    due_date=importer.date(deadline.get("due_date"), f"{where}, datum"),
                    authority=deadline.get("authority", ""),
                    applies_to=deadline.get("applies_to", ""),
                    description=deadline.get("description", ""),
                ),
                where,
            )
        if importer.problems:
            transaction.set_rollback(True)
            raise AgreementImportError(importer.problems)
    return agreement


class CopyError(Refused):
    """The agreement cannot be copied or confirmed; nothing was saved. Swedish `messages`."""


def _next_year_text(text: str, year: int) -> str:
    """The name with the year moved on: `God och nära vård 2023` -> `… 2024`."""
    if str(year) in text:
        return text.replace(str(year), str(year + 1))
    return f"{text} {year + 1}".strip()


def _one_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def do_copy_agreement_structure(source: Agreement, *, acting_user=None):
    """A draft for the next year with the source's areas, components and deadlines.

    Copied, field by field (nothing else, so a field added later is not carried over by
    accident): names, descriptions, conditions, ring-fencing, "varav" parts, recipients and
    requirements. Every amount is left empty, case numbers and dates of decision too (a new
    year has new ones); the deadlines are moved one year and are not confirmed. Returns
    (the new agreement, {source component id: new component}). Raises CopyError.
    """
    year = source.year + 1
    short_name = _next_year_text(source.short_name, source.year)
    if Agreement.objects.filter(year=year, short_name=short_name).exists():
        raise CopyError([f"Det finns redan en överenskommelse ”{short_name}” för {year}."])
    slug = slugify(short_name)[:120]
    if Agreement.objects.filter(slug=slug).exists():
        raise CopyError([f"Kortkoden ”{slug}” används redan av en annan överenskommelse."])
    reason = f"Kopierad från ”{source}” (id {source.pk})"[:100]
    agreement = Agreement(
        year=year,
        short_name=short_name,
        name=_next_year_text(source.name, source.year),
        slug=slug,
        conditions=source.conditions,
        copied_from=source,
        is_draft=True,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                _save_copy(agreement, acting_user, reason)
        except IntegrityError as exc:  # someone else copied it a moment ago
            raise CopyError([f"Det finns redan en överenskommelse ”{short_name}”."]) from exc
        areas = {}
        for area in source.areas.all():
            areas[area.pk] = _save_copy(
                DevelopmentArea(
                    agreement=agreement,
                    position=area.position,
                    name=area.name,
                    description=area.description,
                ),
                acting_user,
                reason,
            )
        components = {}
        # Parents first, so each "varav" part can point at its copied parent (sorted here:
        # databases differ in where NULL sorts).
        for component in sorted(
            source.components.all(),
            key=lambda c: (c.included_in_id is not None, c.position, c.pk),
        ):
            components[component.pk] = _save_copy(
                Component(
                    agreement=agreement,
                    area=areas.get(component.area_id),
                    included_in=components.get(component.included_in_id),
                    position=component.position,
                    name=component.name,
                    recipient_group=component.recipient_group,
                    national_amount=None,
                    ring_fenced=component.ring_fenced,
                    requirements=component.requirements,
                    notes=component.notes,
                ),
                acting_user,
                reason,
            )
        for deadline in source.deadlines.all():
            _save_copy(
                Deadline(
                    agreement=agreement,
                    kind=deadline.kind,
                    due_date=_one_year_later(deadline.due_date),
                    authority=deadline.authority,
                    applies_to=deadline.applies_to,
                    description=deadline.description,
                    confirmed=False,
                ),
                acting_user,
                reason,
            )
    return agreement, components


def _save_copy(obj, acting_user, reason):
    obj._history_user = acting_user
    obj._change_reason = reason
    obj.save()
    return obj


def do_confirm_deadline(deadline: Deadline, *, acting_user=None, expected_version=None):
    """An officer has checked the moved date against the new agreement."""
    with transaction.atomic():
        locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if expected_version is not None:
            check_version(locked, expected_version, "Fristen")
        if not locked.confirmed:
            locked.confirmed = True
            _save_copy(locked, acting_user, "Datumet bekräftat")
    return locked


def do_confirm_agreement(agreement: Agreement, *, acting_user=None, expected_version=None):
    """The draft becomes the year's agreement. Refused (CopyError) while the national total
    is missing or a deadline is unconfirmed: the officer checks them against the document."""
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if expected_version is not None:
            check_version(locked, expected_version, "Överenskommelsen")
        problems = []
        if locked.national_total is None:
            problems.append("Ange överenskommelsens nationella total (Ändra uppgifter).")
        unconfirmed = locked.deadlines.filter(confirmed=False).count()
        if unconfirmed:
            problems.append(
                f"{unconfirmed} av fristerna är inte bekräftade: kontrollera datumen mot "
                "överenskommelsen och bekräfta dem först."
            )
        if problems:
            raise CopyError(problems)
        if locked.is_draft:
            locked.is_draft = False
            _save_copy(locked, acting_user, "Utkastet bekräftat")
    return locked


@transaction.atomic
def do_set_national_amounts(
    agreement: Agreement,
    amounts: dict,
    *,
    total=None,
    acting_user=None,
    expected_token=None,
    reason="",
    source="",
) -> int:
    """Set components' national amounts ({component id: kronor}) and, when given, the
    agreement's national total, as one change. Refused (StaleEdit) if the components changed
    since the preview, (CopyError) if an amount already set would change without a reason or
    a "varav" part would exceed its parent. Returns how many amounts changed."""
    Agreement.objects.select_for_update().get(pk=agreement.pk)
    components = agreement.components.all()
    if expected_token is not None:
        check_versions(components, expected_token, "Delområdena")
    by_id = {c.pk: c for c in components}
    changed = [by_id[pk] for pk, amount in amounts.items() if by_id[pk].national_amount != amount]
    agreement = Agreement.objects.get(pk=agreement.pk)
    total_changes = total is not None and agreement.national_total != total
    already = [c for c in changed if c.national_amount is not None]
    if (already or (total_changes and agreement.national_total is not None)) and not reason.strip():
        raise CopyError(["Ange skälet till ändringen av redan angivna nationella belopp."])
    why = reason.strip() or (
        f"Nationella belopp enligt {source}" if source else "Nationella belopp"
    )
    problems = []
    # Parents before their "varav" parts, so each part is checked against its saved parent.
    for component in sorted(changed, key=lambda c: c.included_in_id is not None):
        component.national_amount = amounts[component.pk]
        try:
            component.full_clean()
        except ValidationError as exc:
            problems.extend(f"”{component}”: {m}" for m in exc.messages)
            continue
        _save_copy(component, acting_user, why[:100])
    if total_changes:
        agreement.national_total = total
        _save_copy(agreement, acting_user, why[:100])
    if problems:
        raise CopyError(problems)
    return len(changed) + (1 if total_changes else 0)


# Editing one row of an agreement from its form: saved unless someone else saved it first.


def do_save_agreement(agreement: Agreement, *, acting_user, expected_version) -> Agreement:
    return save_checked(
        agreement, expected_version, what="Överenskommelsen", acting_user=acting_user
    )


def do_save_area(area: DevelopmentArea, *, acting_user, expected_version) -> DevelopmentArea:
    return save_checked(area, expected_version, what="Utvecklingsområdet", acting_user=acting_user)


def do_save_component(component: Component, *, acting_user, expected_version) -> Component:
    return save_checked(component, expected_version, what="Delområdet", acting_user=acting_user)


def do_save_deadline(deadline: Deadline, *, acting_user, expected_version) -> Deadline:
    return save_checked(deadline, expected_version, what="Fristen", acting_user=acting_user)


@transaction.atomic
def _delete_checked(row, expected_version, what, acting_user):
    """Remove the row as the form showed it. Refused while other rows point at it (an area
    with components, a component with "varav" parts or amounts)."""
    check_version(row, expected_version, what)
    row._history_user = acting_user
    try:
        with transaction.atomic():
            row.delete()
    except ProtectedError as exc:
        raise Refused(
            f"”{row}” kan inte tas bort eftersom andra uppgifter hänvisar till det. "
            "Ta bort eller flytta delområdena först."
        ) from exc


def do_delete_area(area: DevelopmentArea, *, acting_user, expected_version):
    _delete_checked(area, expected_version, "Utvecklingsområdet", acting_user)


def do_delete_component(component: Component, *, acting_user, expected_version):
    _delete_checked(component, expected_version, "Delområdet", acting_user)


def do_delete_deadline(deadline: Deadline, *, acting_user, expected_version):
    _delete_checked(deadline, expected_version, "Fristen", acting_user)
