"""Forms for activities, reallocations and cost objects."""

from django import forms

from common.versioning import VersionedModelForm
from grants.forms import AmountField, ReasonField
from grants.models import RecipientGroup

from .models import Activity, ActivityStatus, AreaPlan, CostObject

YES_NO_UNKNOWN = [("", "Ej angivet"), ("true", "Ja"), ("false", "Nej")]


class ActivityForm(VersionedModelForm):
    reason = ReasonField(
        help_text="Krävs när beloppet ändras för en aktivitet som inte längre är planerad. "
        "Sparas i historiken."
    )
    private_providers = forms.TypedChoiceField(
        label="Privata utförare delaktiga",
        choices=YES_NO_UNKNOWN,
        coerce=lambda value: {"true": True, "false": False}.get(value),
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Activity
        fields = [
            "goal",
            "name",
            "covers",
            "amount",
            "responsible",
            "cost_object",
            "ring_fenced_component",
            "status",
            "private_providers",
            "is_new",
            "exit_plan",
            "has_investment",
            "depreciation_only",
            "ledger_code",
            "notes",
            "reason",
        ]
        field_classes = {"amount": AmountField}
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "covers": forms.Textarea(attrs={"rows": 2}),
            "exit_plan": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.area = area
        self.fields["cost_object"].queryset = CostObject.objects.filter(
            area=area, year=area.agreement.year
        )
        self.fields["ring_fenced_component"].queryset = area.components.filter(
            ring_fenced=True, recipient_group=RecipientGroup.REGIONS
        )
        self.fields["ring_fenced_component"].empty_label = "Nej, områdets övriga medel"
        if self.instance.pk:
            self.initial["private_providers"] = {True: "true", False: "false"}.get(
                self.instance.private_providers, ""
            )
        else:
            self.fields["status"].initial = ActivityStatus.PLANNED
            del self.fields["reason"]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None:
            raise forms.ValidationError("Ange ett belopp (0 om det inte är bestämt).")
        if amount < 0:
            raise forms.ValidationError("Beloppet får inte vara negativt.")
        if amount != amount.to_integral_value():
            raise forms.ValidationError("Beloppet anges i hela kronor.")
        return amount


class ReallocationForm(forms.Form):
    source = forms.ModelChoiceField(label="Från aktivitet", queryset=Activity.objects.none())
    target = forms.ModelChoiceField(label="Till aktivitet", queryset=Activity.objects.none())
    amount = AmountField(label="Belopp")
    reason = forms.CharField(label="Skäl", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        activities = Activity.objects.filter(area=area).order_by("position", "id")
        self.fields["source"].queryset = activities.filter(ring_fenced_component__isnull=True)
        self.fields["target"].queryset = activities


class CostObjectForm(forms.ModelForm):
    class Meta:
        model = CostObject
        fields = ["number", "name", "area"]

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.year = agreement.year
        self.fields["area"].queryset = agreement.areas.all()


class AreaPlanForm(VersionedModelForm):
    class Meta:
        model = AreaPlan
        fields = ["overall_responsible", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
