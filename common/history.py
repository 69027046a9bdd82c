"""Readable history: django-simple-history records turned into a timeline people can read.

One mechanism for every history view in the app. Each entry says when, who, what happened to
which object, every changed field by its label with old → new, and why. Related objects are
shown by name (cost object "9916 Nära vård", not 2), choices by their label, amounts in
kronor. A page makes one query per record set and one per kind of related object, however
many records there are. `timeline()` returns `Entry` rows; `templates/partials/history.html`
shows them. Other entries (e.g. comments) can be merged in: anything with the same attributes.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from .money import format_amount, format_number

KINDS = {"+": "Skapad", "~": "Ändrad", "-": "Borttagen"}
EMPTY = "Ej angivet"
# Bookkeeping columns that say nothing to a reader.
SKIPPED = {"id", "version", "updated_at"}


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    kind: str
    subject: str
    fields: list = field(default_factory=list)  # (label, old, new); old "" when created
    reason: str = ""
    text: str = ""  # free text, e.g. a comment, for entries that are not changes
    object_id: object = None
    model: str = ""  # the object's kind, e.g. "delområde"


def _tracked_fields(record_model):
    """The original model's fields that the historical model keeps, in form order."""
    model = record_model.instance_type
    kept = {f.attname for f in record_model._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.attname in kept
        and f.name not in SKIPPED
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def _label(f) -> str:
    text = str(f.verbose_name)
    return text[:1].upper() + text[1:]


class _Names:
    """Names of related objects by id, fetched once per related model; deleted ones are
    named from their own history when they have one."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.names = {}

    def want(self, related_model, value):
        if value is not None:
            self.wanted[related_model].add(value)

    def load(self):
        for related_model, ids in self.wanted.items():
            found = related_model._default_manager.in_bulk(ids)
            names = {pk: str(obj) for pk, obj in found.items()}
            missing = ids - set(found)
            history = getattr(related_model, "history", None)
            if missing and history is not None:
                for record in history.filter(id__in=missing).order_by("history_date"):
                    names[record.id] = f"{record.instance} (borttagen)"
            self.names[related_model] = names

    def name(self, related_model, value):
        return self.names.get(related_model, {}).get(value, f"{value} (borttagen)")


def _display(f, value, names: _Names):
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        return names.name(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "Ja" if value else "Nej"
    if isinstance(f, models.DecimalField):
        # Two decimals are kronor (money_field); more are weights and key values.
        if f.decimal_places == 2:
            return format_amount(Decimal(value))
        return format_number(Decimal(value))
    if isinstance(f, models.DateTimeField):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(f, models.DateField):
        return f"{value:%Y-%m-%d}"
    if isinstance(f, models.JSONField):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _who(user) -> str:
    if user is None:
        return "systemet"
    return user.get_full_name() or user.username


def timeline(*record_sets, subject=None) -> list[Entry]:
    """The entries of every record set (historical querysets or lists), newest first.

    `subject(record)` names the object of a record; by default the object's own text (give
    one when that text reads related objects, to keep the queries fixed).
    """
    prepared = []
    names = _Names()
    for records in record_sets:
        if isinstance(records, models.QuerySet):
            records = records.select_related("history_user")
        records = sorted(records, key=lambda r: (r.history_date, r.history_id))
        if not records:
            continue
        fields = _tracked_fields(type(records[0]))
        for record in records:
            for f in fields:
                if f.is_relation:
                    names.want(f.related_model, getattr(record, f.attname))
        prepared.append((records, fields))
    names.load()
    entries = []
    for records, fields in prepared:
        model = records[0].instance_type
        previous = {}
        for record in records:
            before = previous.get(record.id)
            changed = []
            for f in fields:
                new = getattr(record, f.attname)
                if before is None:
                    if record.history_type == "+" and new not in (None, "", False):
                        changed.append((_label(f), "", _display(f, new, names)))
                    continue
                old = getattr(before, f.attname)
                if old != new:
                    changed.append((_label(f), _display(f, old, names), _display(f, new, names)))
            previous[record.id] = record
            reason = getattr(record, "history_change_reason", "") or ""
            if record.history_type == "~" and not changed and not reason:
                continue  # saved without a change
            if subject is not None:
                title = subject(record)
            else:
                title = str(record.instance)
            entries.append(
                Entry(
                    when=record.history_date,
                    who=_who(record.history_user),
                    kind=KINDS[record.history_type],
                    subject=title,
                    fields=changed,
                    reason=reason,
                    object_id=record.id,
                    model=str(model._meta.verbose_name),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
