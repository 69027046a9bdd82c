"""The admin as a window, not a back door: tables whose changes must go through the app's
actions (money, imports, closed periods, documents) are shown read-only there."""

import json
import math

from django import forms
from django.contrib import admin
from django.contrib.admin.options import FORMFIELD_FOR_DBFIELD_DEFAULTS
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import UniqueConstraint
from django.forms.models import BaseInlineFormSet


class ReadOnlyAdminMixin:
    """Lists and shows rows; adding, changing and deleting happen only in the app."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class ParentCheckedFormSet(BaseInlineFormSet):
    """An inline's rows checked against their unique constraints with the parent, as the rows
    will be after the save: the parent's rows no form changes, the rows the forms change and
    the rows they add (also when the management form was tampered with, so that existing rows
    come back as new ones). A clash is a message on the form, never an IntegrityError (a 500):
    Django checks an inline's rows against each other and each against the database, but not
    the whole that a save would make."""

    def _unique_with_parent(self):
        meta, fk = self.model._meta, self.fk.name
        found = [
            [f for f in c.fields if f != fk]
            for c in meta.constraints
            if isinstance(c, UniqueConstraint) and c.condition is None and fk in c.fields
        ]
        found += [[f for f in fields if f != fk] for fields in meta.unique_together if fk in fields]
        return [fields for fields in found if fields]

    def clean(self):
        super().clean()
        checks = self._unique_with_parent()
        if not checks or self.instance.pk is None or any(self.errors):
            return
        deleted = set(self.deleted_forms)
        changed = {f.instance.pk for f in self.initial_forms if f.instance.pk is not None}
        names = {name for fields in checks for name in fields}
        rows = list(
            self.model._default_manager.filter(**{self.fk.name: self.instance})
            .exclude(pk__in=changed)
            .values(*names)
        )
        for form in self.forms:
            if form in deleted or (form in self.extra_forms and not form.has_changed()):
                continue
            rows.append(
                {n: form.cleaned_data.get(n, getattr(form.instance, n, None)) for n in names}
            )
        for fields in checks:
            seen = set()
            for row in rows:
                key = tuple(row[n] for n in fields)
                if key in seen:
                    labels = ", ".join(
                        str(self.model._meta.get_field(n).verbose_name) for n in fields
                    )
                    shown = ", ".join(str(v) for v in key)
                    raise ValidationError(
                        f"Två rader får inte ha samma {labels}: ”{shown}” finns redan."
                    )
                seen.add(key)


class Inline(admin.TabularInline):
    """An editable inline: its rows' unique constraints with the parent are checked."""

    formset = ParentCheckedFormSet
    extra = 0


def _no_constant(name):
    # json reads NaN and Infinity; PostgreSQL's jsonb refuses them (an error, a 500, on save).
    raise json.JSONDecodeError(f"{name} är inget JSON-värde", name, 0)


def _finite(text):
    # 1e400 reads as infinity, which no database stores as JSON either.
    number = float(text)
    if not math.isfinite(number):
        raise json.JSONDecodeError(f"{text} är för stort", text, 0)
    return number


class StrictJSONDecoder(json.JSONDecoder):
    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, **{**kwargs, "parse_constant": _no_constant, "parse_float": _finite}
        )


class StrictJSONField(forms.JSONField):
    """JSON as a database stores it: NaN, ±Infinity and numbers past a float are refused on
    the field."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "decoder": StrictJSONDecoder})


# Every JSON field the admin edits is read strictly.
FORMFIELD_FOR_DBFIELD_DEFAULTS[models.JSONField] = {"form_class": StrictJSONField}
