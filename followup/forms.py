"""Forms for ledger imports, column mappings, forecasts, period closing and activity links."""

import json
from decimal import Decimal

from django import forms
from django.conf import settings

from common.limits import MB, LimitExceeded
from common.versioning import VersionField
from distribution.models import Activity, CostObject
from filestore.store import check_upload_size
from grants.forms import AmountField

from .accounts import Kind, Range, check_ranges
from .ledger_files import (
    PREVIEW_COLUMNS,
    PREVIEW_ROWS,
    UPLOAD_WHAT,
    guess_header_row,
    headers_in,
    suggest_mapping,
)
from .models import ActivityLink, LedgerField, LedgerSource
from .periods import MONTH_NAMES, BudgetProfile, ProfileKind, check_profile


class LedgerFileField(forms.FileField):
    """A ledger file. `check_size`: refuse a file over the limit here (a sample file); the
    upload to import is checked by filestore.store.import_upload, the one upload path."""

    def __init__(self, *, check_size=True, **kwargs):
        self.check_size = check_size
        kwargs.setdefault("label", "Fil")
        kwargs.setdefault(
            "help_text",
            "Huvudbok eller transaktionslista som CSV eller XLSX, "
            "eller en SIE-fil (typ 3 eller 4). Högst "
            f"{settings.LEDGER_MAX_UPLOAD_MB} MB.",
        )
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ".csv,.txt,.xlsx,.se,.si,.sie"

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and self.check_size:
            limit = settings.LEDGER_MAX_UPLOAD_MB * MB
            try:  # refused before anything of the file is read
                check_upload_size(upload.name, upload.size, limit, UPLOAD_WHAT)
            except LimitExceeded as exc:
                raise forms.ValidationError(exc.messages) from exc
        return upload


class LedgerUploadForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Källa (kolumner)",
        queryset=LedgerSource.objects.all(),
        required=False,
        empty_label="SIE-fil (behöver ingen källa)",
        help_text="Hur filens kolumner ska läsas. Lägg till en ny källa första gången.",
    )
    file = LedgerFileField(check_size=False)


class SourceSampleForm(forms.Form):
    name = forms.CharField(
        label="Namn på källan", max_length=120, help_text="T.ex. ”Raindance huvudbok”."
    )
    file = LedgerFileField(
        label="Exempelfil", help_text="En export från källan; rubrikraden läses ur den."
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if LedgerSource.objects.filter(name=name).exists():
            raise forms.ValidationError("Det finns redan en källa med det namnet.")
        return name


def _preview_rows(text) -> list[tuple[int, list[str]]] | None:
    """The sample's first rows as the mapping page carries them; None when not well formed."""
    try:
        rows = json.loads(text)
    except (TypeError, ValueError, RecursionError):  # RecursionError: nested thousands deep
        return None
    if not isinstance(rows, list) or len(rows) > PREVIEW_ROWS:
        return None
    checked = []
    for item in rows:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], int)
            and isinstance(item[1], list)
            and len(item[1]) <= PREVIEW_COLUMNS
            and all(isinstance(cell, str) and len(cell) <= 60 for cell in item[1])
        ):
            return None
        checked.append((item[0], item[1]))
    return checked


class MappingForm(forms.Form):
    """Which row of the sample is the header, and which of its columns holds each field."""

    name = forms.CharField(widget=forms.HiddenInput)
    headers = forms.CharField(widget=forms.HiddenInput)
    preview = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, headers=None, preview=None, header_row=None, **kwargs):
        super().__init__(*args, **kwargs)
        if preview is None and self.is_bound:
            preview = _preview_rows(self.data.get("preview", ""))
        self.preview = preview or []
        if self.preview:
            numbers = [number for number, _ in self.preview]
            self.fields["header_row"] = forms.TypedChoiceField(
                label="Rubrikrad",
                choices=[(n, f"Rad {n}") for n in numbers],
                coerce=int,
                help_text="Raden med kolumnernas namn. Byt rad och välj ”Visa rubrikerna” "
                "om förslaget är fel.",
            )
            if self.is_bound:
                try:
                    header_row = int(self.data.get("header_row", ""))
                except ValueError:
                    header_row = None
            if header_row not in numbers:
                header_row = guess_header_row(self.preview) or numbers[0]
            self.fields["header_row"].initial = header_row
            self.header_line = header_row
            headers = headers_in(dict(self.preview)[header_row])
        elif headers is None:
            try:
                headers = json.loads(self.data.get("headers", "[]"))
            except (TypeError, ValueError, RecursionError):
                headers = []
            if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
                headers = []
        self.header_line = getattr(self, "header_line", None)
        self.header_names = headers
        self.initial.setdefault("headers", json.dumps(headers))
        if self.preview:
            self.initial["preview"] = json.dumps(self.preview)
        choices = [("", "(används inte)")] + [(h, h) for h in headers]
        suggested = suggest_mapping(headers)
        for field in LedgerField:
            self.fields[field.value] = forms.ChoiceField(
                label=field.label, choices=choices, required=False
            )
            self.fields[field.value].initial = suggested.get(field.value, "")

    def preview_table(self):
        """(line, cells, is the header row) for the page's preview table."""
        width = max((len(cells) for _, cells in self.preview), default=0)
        return [
            (number, cells + [""] * (width - len(cells)), number == self.header_line)
            for number, cells in self.preview
        ]

    def clean(self):
        cleaned = super().clean()
        for field in (LedgerField.COST_OBJECT, LedgerField.AMOUNT):
            if not cleaned.get(field.value):
                self.add_error(field.value, f"Välj kolumnen för {field.label.lower()}.")
        if not cleaned.get("period") and not cleaned.get("date"):
            self.add_error("period", "Välj kolumnen för period eller datum.")
        if self.is_bound and self.data.get("preview") and not self.preview:
            raise forms.ValidationError("Exempelfilen behöver läsas in igen.")
        chosen = [cleaned.get(f.value) for f in LedgerField if cleaned.get(f.value)]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError("Varje kolumn i filen kan bara användas för ett fält.")
        return cleaned

    def mapping(self):
        return {
            f.value: self.cleaned_data[f.value]
            for f in LedgerField
            if self.cleaned_data.get(f.value)
        }


class SieSourceForm(forms.ModelForm):
    """Which SIE dimension holds the cost object, the ansvar and the activity code."""

    class Meta:
        model = LedgerSource
        fields = [
            "name",
            "sie_object_dimension",
            "sie_responsibility_dimension",
            "sie_activity_dimension",
        ]
        widgets = {"name": forms.HiddenInput}

    def __init__(self, *args, dimensions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dimensions:
            listed = ", ".join(f"{number} {name}" for number, name in sorted(dimensions.items()))
            for name in self.Meta.fields[1:]:
                self.fields[name].help_text += f" Filens dimensioner: {listed}."

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if LedgerSource.objects.filter(name=name).exists():
            raise forms.ValidationError("Det finns redan en källa med det namnet.")
        return name


class _ShownVersion:
    """`expected_version`: the version the form showed; a post without one counts as stale."""

    @property
    def expected_version(self) -> int:
        value = self.cleaned_data.get("version")
        return -1 if value is None else value


class ForecastForm(_ShownVersion, forms.Form):
    version = VersionField()
    forecast = AmountField(
        label="Prognos för året",
        required=False,
        help_text="Förväntat utfall för hela året, i kronor, minst utfallet hittills. Lämna "
        "tomt så räknas utfallet hittills plus budgetprofilens återstående månader.",
    )


class MonthForm(forms.Form):
    """The month a period button posts."""

    month = forms.TypedChoiceField(choices=[(m, m) for m in range(1, 13)], coerce=int)


class ReopenForm(MonthForm):
    reason = forms.CharField(label="Skäl", widget=forms.Textarea(attrs={"rows": 2}))


class ActivityLinkForm(forms.ModelForm):
    class Meta:
        model = ActivityLink
        fields = ["cost_object", "responsibility", "activity"]

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cost_object"].queryset = CostObject.objects.filter(
            area__agreement=agreement, year=agreement.year
        )
        self.fields["activity"].queryset = Activity.objects.filter(area__agreement=agreement)

    def clean(self):
        cleaned = super().clean()
        cost_object, activity = cleaned.get("cost_object"), cleaned.get("activity")
        if cost_object and activity and activity.area_id != cost_object.area_id:
            self.add_error(
                "activity", "Aktiviteten hör till ett annat utvecklingsområde än objektet."
            )
        return cleaned


class BudgetProfileForm(_ShownVersion, forms.Form):
    """How an activity's budget is spread: even, twelve month amounts, or one month."""

    kind = forms.ChoiceField(
        label="Budgetprofil",
        widget=forms.RadioSelect,
        choices=[
            (ProfileKind.EVEN, "Jämnt över årets tolv månader"),
            (ProfileKind.MONTHS, "Belopp per månad (ska bli aktivitetens belopp)"),
            (ProfileKind.ONE_MONTH, "Hela beloppet en månad"),
        ],
    )
    month = forms.TypedChoiceField(
        label="Månad för hela beloppet",
        choices=[("", "–")] + [(m, MONTH_NAMES[m - 1].capitalize()) for m in range(1, 13)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(
        label="Skäl",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Varför budgeten fördelas så.",
    )
    version = VersionField()

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        for m in range(1, 13):
            self.fields[f"m{m:02d}"] = AmountField(
                label=MONTH_NAMES[m - 1].capitalize(), required=False
            )

    def month_fields(self):
        return [self[f"m{m:02d}"] for m in range(1, 13)]

    def other_fields(self):
        return [self["kind"], self["month"]]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        amounts = []
        if kind == ProfileKind.MONTHS:
            for m in range(1, 13):
                value = data.get(f"m{m:02d}")
                if value is None:
                    value = Decimal("0")
                if value != value.to_integral_value() or value < 0:
                    self.add_error(f"m{m:02d}", "Ange hela kronor, inte negativt.")
                amounts.append(int(value))
        if kind == ProfileKind.ONE_MONTH and data.get("month") is None:
            self.add_error("month", "Välj den månad då hela budgeten används.")
        if kind and not self.errors:
            self.profile = BudgetProfile(kind, data.get("month"), tuple(amounts))
            for problem in check_profile(self.activity.amount, self.profile):
                self.add_error(None, problem)
        return data


class AccountRangeForm(forms.Form):
    first = forms.CharField(
        label="Från konto",
        max_length=10,
        help_text="Kontonummer eller början av det, t.ex. 3 eller 3190.",
    )
    last = forms.CharField(label="Till konto", max_length=10, help_text="Lika många siffror.")
    kind = forms.ChoiceField(label="Slag", choices=Kind.choices)
    name = forms.CharField(label="Benämning", max_length=120, required=False)
    reason = forms.CharField(label="Skäl", widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        first, last, kind = data.get("first"), data.get("last"), data.get("kind")
        if first and last and kind:
            data["first"], data["last"] = first.strip(), last.strip()
            for problem in check_ranges([Range(data["first"], data["last"], kind)]):
                self.add_error(None, problem)
        return data
