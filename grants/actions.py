"""Writes that touch several rows at once, each in one transaction."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from common.money import AmountError, parse_amount

from .models import Agreement, Component, Deadline, DevelopmentArea


@dataclass
class ImportProblem:
    where: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}"


class AgreementImportError(Exception):
    """The agreement file is wrong; nothing was saved. `problems` names each place."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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
