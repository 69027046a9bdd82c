"""Forms for the region's details and the narratives of the reports."""

from django import forms

from common.versioning import VersionedModelForm
from grants.forms import AmountField

from .models import ActivityReport, AgreementReport, AreaReport, OrganisationProfile


class OrganisationForm(VersionedModelForm):
    class Meta:
        model = OrganisationProfile
        fields = [
            "name",
            "org_number",
            "contact_person",
            "postal_address",
            "phone",
            "email",
            "bankgiro",
            "signatory",
            "finance_head_name",
            "finance_head_title",
            "finance_head_phone",
            "finance_head_email",
        ]


class PerTextForm(VersionedModelForm):
    """One of many texts on a page: the page remembers what it showed (hidden initial
    values), so a save can tell the texts the officer changed from those someone else
    changed meanwhile, and writes back only the former."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.show_hidden_initial = True


class AgreementReportForm(PerTextForm):
    class Meta:
        model = AgreementReport
        fields = [
            "requested_amount",
            "grant_paid",
            "payment_reference",
            "attestation",
            "deviations",
            "summary",
            "gender_equality",
            "vfu_weeks_previous",
            "vfu_places_previous",
            "vfu_weeks_estimate",
            "vfu_places_estimate",
        ]
        field_classes = {"requested_amount": AmountField, "grant_paid": AmountField}
        widgets = {
            "deviations": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "gender_equality": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("attestation") == "2" and not cleaned.get("deviations", "").strip():
            self.add_error("deviations", "Med alternativ 2 ska avvikelserna och åtgärderna anges.")
        return cleaned


class AreaReportForm(PerTextForm):
    class Meta:
        model = AreaReport
        fields = ["activities", "results", "gender_equality"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ActivityReportForm(PerTextForm):
    class Meta:
        model = ActivityReport
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
