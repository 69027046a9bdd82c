"""Forms for agreements, areas, components and deadlines, with Swedish amount and date input."""

from django import forms

from common.money import AmountError, format_amount, parse_amount
from common.versioning import VersionedModelForm

from .models import Agreement, Component, Deadline, DevelopmentArea


class AmountInput(forms.TextInput):
    """A text box for kronor: shows `1 234 567`, opens the numeric keyboard on phones."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, str):
            return value
        return format_amount(value, unit="")


class AmountField(forms.Field):
    """Kronor as users type or paste them: `1 234 567`, `1 234,50`, `−5`, `6 394,5 mnkr`."""

    widget = AmountInput

    def __init__(self, *, max_digits=15, decimal_places=2, **kwargs):
        for ignored in ("max_value", "min_value", "step_size"):
            kwargs.pop(ignored, None)
        super().__init__(**kwargs)
        self.max_digits, self.decimal_places = max_digits, decimal_places

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            # Refuses, in Swedish, what the money column cannot hold exactly.
            return parse_amount(
                value, max_digits=self.max_digits, decimal_places=self.decimal_places
            )
        except AmountError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc


class ReasonField(forms.CharField):
    """Why money changed: kept in the history next to who, when, old and new.

    Whether it is required is the action's rule (it knows what changed); the form only
    offers the box."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Skäl till ändringen")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AgreementForm(VersionedModelForm):
    class Meta:
        model = Agreement
        fields = [
            "year",
            "short_name",
            "name",
            "slug",
            "skr_case_number",
            "government_case_number",
            "payment_decision_case_number",
            "region_case_number",
            "decision_date",
            "national_total",
            "conditions",
            "notes",
        ]
        field_classes = {"national_total": AmountField}
        widgets = {
            "decision_date": IsoDateInput(),
            "conditions": forms.Textarea(attrs={"rows": 5}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a copied draft may wait for its total; the officer fills it in from the document.
        self.fields["national_total"].required = not self.instance.is_draft


class AgreementChildForm(VersionedModelForm):
    """A form for a row that belongs to one agreement, fixed by the page it is on."""

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.instance.agreement = agreement

    def _get_validation_exclusions(self):
        # The agreement is set by the page, not a field of the form; Django would otherwise
        # leave it out of the unique checks (a taken name was an IntegrityError, a 500).
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("agreement")
        return exclusions


class DevelopmentAreaForm(AgreementChildForm):
    class Meta:
        model = DevelopmentArea
        fields = ["position", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ComponentForm(AgreementChildForm):
    class Meta:
        model = Component
        fields = [
            "area",
            "position",
            "name",
            "recipient_group",
            "national_amount",
            "included_in",
            "ring_fenced",
            "requirements",
            "notes",
            "differs_note",
        ]
        field_classes = {"national_amount": AmountField}
        widgets = {
            "requirements": forms.Textarea(attrs={"rows": 5}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "differs_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, agreement=agreement, **kwargs)
        self.fields["area"].queryset = agreement.areas.all()
        self.fields["area"].empty_label = "Hela överenskommelsen (inget utvecklingsområde)"
        parents = agreement.components.filter(included_in__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["included_in"].queryset = parents
        self.fields["included_in"].empty_label = "Inget (eget belopp)"


class DeadlineForm(AgreementChildForm):
    class Meta:
        model = Deadline
        fields = ["kind", "due_date", "authority", "applies_to", "description"]
        widgets = {
            "due_date": IsoDateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def save(self, commit=True):
        # The officer has checked the date in the form: a moved (copied) deadline is confirmed.
        self.instance.confirmed = True
        return super().save(commit)
