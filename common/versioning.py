"""Refusing stale saves, the one way for every edit form.

Each edited row carries a version number that every save raises by one. A form remembers the
version it showed (a hidden field); the save locks the row and refuses, saving nothing, when
another save came in between. A form over a set of rows (all decided amounts of a component,
all values of a key data set) remembers a token of the set's (id, version) pairs instead, so
an added or removed row also counts as a change.
"""

from django import forms
from django.db import models, transaction

from .refusals import Refused


def stale_message(what: str) -> str:
    return (
        f"{what} har ändrats av någon annan sedan du öppnade sidan. "
        "Ladda om sidan och gör ändringen igen; inget har sparats."
    )


class StaleEdit(Refused):
    """Someone else saved first; nothing was saved."""

    def __init__(self, what: str = "Uppgiften"):
        super().__init__(stale_message(what))


class Versioned(models.Model):
    """A row whose every save raises its version (also saves from the admin or a command)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def check_version(instance, expected, what: str = "Uppgiften"):
    """Lock the row of a changed instance and refuse if its version is not `expected`.

    Call inside the saving transaction. `expected` 0 means the form showed no row yet (a text
    written for the first time): a row that exists by now is someone else's. The instance is
    given the locked row's version, so its save raises the stored one.
    """
    if instance.pk is None:
        if expected is not None and expected > 0:
            raise StaleEdit(what)  # the row the form showed is gone
        return
    # No ordering: a default ordering across a nullable relation would put an outer join
    # under FOR UPDATE, which PostgreSQL refuses.
    current = (
        type(instance)
        ._default_manager.select_for_update()
        .filter(pk=instance.pk)
        .order_by()
        .values_list("version", flat=True)
        .first()
    )
    if current is None or current != expected:
        raise StaleEdit(what)
    instance.version = current


@transaction.atomic
def save_checked(instance, expected, *, what="Uppgiften", acting_user=None, reason=""):
    """Save a row edited in a form unless someone else saved it first (StaleEdit).

    Records who did it, and why when a reason is given, in the row's history."""
    check_version(instance, expected, what)
    instance._history_user = acting_user
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance


def versions_token(rows) -> str:
    """The state of a set of rows as the form showed it: `id:version` pairs by id."""
    return ";".join(f"{row.pk}:{row.version}" for row in sorted(rows, key=lambda r: r.pk))


def check_versions(queryset, expected: str, what: str = "Uppgifterna") -> list:
    """Lock a set of rows and refuse if it is not the set the form showed; returns the rows.

    Lock the parent row first when rows may be added, so two first saves are serialised.
    """
    rows = list(queryset.select_for_update(of=("self",)).order_by("pk"))
    if versions_token(rows) != (expected or ""):
        raise StaleEdit(what)
    return rows


class VersionField(forms.IntegerField):
    """The hidden version of the row a form shows."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


class TokenField(forms.CharField):
    """The hidden token of the set of rows a form shows."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that carries its row's version; `expected_version` is what it showed.

    A form posted without a version (not from our page) counts as stale.
    """

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    @property
    def expected_version(self):
        value = self.cleaned_data.get("version")
        return -1 if value is None else value


def posted_version(request) -> int:
    """The version a confirmation page or delete button sent; missing or garbled counts as
    stale (-1, never a stored version)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1
