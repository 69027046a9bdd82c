"""Forms for the region's details and the narratives of the reports."""

from django import forms

from grants.forms import AmountField

from .models import ActivityReport, AgreementReport, AreaReport, OrganisationProfile, SendChannel


class OrganisationForm(forms.ModelForm):
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


class AgreementReportForm(forms.ModelForm):
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


class AreaReportForm(forms.ModelForm):
    class Meta:
        model = AreaReport
        fields = ["activities", "results", "gender_equality"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ActivityReportForm(forms.ModelForm):
    class Meta:
        model = ActivityReport
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class AttestForm(forms.Form):
    correct = forms.ChoiceField(
        label="Ekonomichefens granskning",
        choices=[
            ("1", "Alt 1: intygar att uppgifterna i den ekonomiska redovisningen är korrekta"),
            ("2", "Alt 2: bedömer inte att den ekonomiska redovisningen är korrekt"),
        ],
        widget=forms.RadioSelect,
    )
    deviations = forms.CharField(
        label="Avvikelser och åtgärder",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Krävs med alternativ 2.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("correct") == "2" and not cleaned.get("deviations", "").strip():
            self.add_error("deviations", "Med alternativ 2 ska avvikelserna och åtgärderna anges.")
        return cleaned


class SignedCopyForm(forms.Form):
    file = forms.FileField(
        label="Undertecknat exemplar (PDF)", help_text="Inskannad eller e-signerad PDF."
    )
    signatory = forms.CharField(label="Undertecknat av", max_length=200)
    signed_on = forms.DateField(label="Datum för underskriften", help_text="ÅÅÅÅ-MM-DD.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("Filen ska vara en PDF.")
        return upload


class SendForm(forms.Form):
    sent_on = forms.DateField(label="Skickat den", help_text="ÅÅÅÅ-MM-DD.")
    channel = forms.ChoiceField(label="Skickat via", choices=SendChannel.choices)
    recipient = forms.CharField(
        label="Mottagare", max_length=200, required=False, help_text="T.ex. Kammarkollegiet."
    )
