"""Forms for the region's details and the narratives of the reports."""

from django import forms
from django.conf import settings
from django.utils import timezone

from common.limits import MB, LimitExceeded, check_size
from common.versioning import VersionedModelForm
from grants.forms import AmountField
from grants.models import Agreement

from .completeness import (
    AGREEMENT_EXAMPLE_CHOICES,
    PROFILE_EXAMPLE_CHOICES,
    VFU_MONEY,
    VFU_NUMBERS,
)
from .models import (
    ActivityReport,
    AgreementReport,
    AreaReport,
    OrganisationProfile,
    ReportingRequirement,
    SendChannel,
    StateGrant,
)


class ExampleFieldsMixin:
    """The `example_fields` of a form: checkboxes of the fields whose value is only an
    example. A field whose value the user changes is no longer an example."""

    example_choices: list = []

    def _setup_examples(self):
        self.fields["example_fields"] = forms.MultipleChoiceField(
            label="Exempelvärden (ej bekräftade)",
            choices=self.example_choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=list(self.instance.example_fields or []),
            help_text="Kryssade uppgifter är exempel; ett dokument som visar dem blir ett "
            "utkast. Ändras en uppgift räknas den som bekräftad.",
        )

    def _clean_examples(self, cleaned):
        chosen = set(cleaned.get("example_fields") or [])
        chosen -= {name for name in self.changed_data if name != "example_fields"}
        cleaned["example_fields"] = [name for name, _ in self.example_choices if name in chosen]
        return cleaned


class OrganisationForm(ExampleFieldsMixin, VersionedModelForm):
    example_choices = PROFILE_EXAMPLE_CHOICES

    class Meta:
        model = OrganisationProfile
        fields = [
            "name",
            "org_number",
            "contact_person",
            "contact_person_title",
            "postal_address",
            "phone",
            "fax",
            "email",
            "giro_kind",
            "bankgiro",
            "signatory",
            "signatory_title",
            "finance_head_name",
            "finance_head_title",
            "finance_head_phone",
            "finance_head_email",
            "example_fields",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_examples()

    def clean(self):
        return self._clean_examples(super().clean())


class PerTextForm(VersionedModelForm):
    """One of many texts on a page: the page remembers what it showed (hidden initial
    values), so a save can tell the texts the officer changed from those someone else
    changed meanwhile, and writes back only the former."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.show_hidden_initial = True


class AgreementReportForm(ExampleFieldsMixin, PerTextForm):
    example_choices = AGREEMENT_EXAMPLE_CHOICES

    class Meta:
        model = AgreementReport
        fields = [
            "requested_amount",
            "grant_paid",
            "payment_reference",
            "cost_specification",
            "repaid_amount",
            "repaid_on",
            "repayment_reference",
            "example_fields",
            "attestation",
            "deviations",
            "summary",
            "gender_equality",
            "vfu_weeks_previous",
            "vfu_places_previous",
            "vfu_weeks_estimate",
            "vfu_places_estimate",
            "vfu_received",
            "vfu_used",
        ]
        field_classes = {
            "requested_amount": AmountField,
            "grant_paid": AmountField,
            "repaid_amount": AmountField,
            "vfu_received": AmountField,
            "vfu_used": AmountField,
        }
        widgets = {
            "deviations": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "gender_equality": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_examples()
        self.fields["example_fields"].help_text = (
            "Kryssade uppgifter (överenskommelsens diarienummer, betalningsreferensen och "
            "VFU-uppgifterna) är exempel; ett dokument som visar dem blir ett utkast."
        )
        self.fields["example_fields"].show_hidden_initial = True
        # Not posted (a page showing only some of the details): the stored choice is kept.
        self.fields["cost_specification"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("cost_specification"):
            cleaned["cost_specification"] = self.instance.cost_specification
        if cleaned.get("attestation") == "2" and not cleaned.get("deviations", "").strip():
            self.add_error("deviations", "Med alternativ 2 ska avvikelserna och åtgärderna anges.")
        repayment = [cleaned.get(n) for n in ("repaid_amount", "repaid_on")] + [
            (cleaned.get("repayment_reference") or "").strip()
        ]
        if any(v not in (None, "") for v in repayment) and not all(
            v not in (None, "") for v in repayment
        ):
            self.add_error(
                "repaid_amount",
                "En återbetalning anges med belopp, datum och referens (alla tre), eller inte "
                "alls.",
            )
        for name in ("vfu_received", "vfu_used"):
            if cleaned.get(name) is not None and cleaned[name] < 0:
                self.add_error(name, "Beloppet kan inte vara negativt.")
        if (
            cleaned.get("vfu_used") is not None
            and cleaned.get("vfu_received") is None
            and "vfu_used" not in self.errors
        ):
            self.add_error("vfu_received", "Ange de mottagna VFU-medlen när de använda anges.")
        if cleaned.get("repaid_amount") is not None and cleaned["repaid_amount"] <= 0:
            self.add_error("repaid_amount", "Det återbetalda beloppet ska vara större än noll.")
        if cleaned.get("repaid_on") and cleaned["repaid_on"] > timezone.localdate():
            self.add_error("repaid_on", "Datumet för återbetalningen kan inte ligga i framtiden.")
        # Example markings of the agreement's own case numbers are kept as the user ticks
        # them; the payment reference stops being an example when it is changed.
        chosen = set(cleaned.get("example_fields") or [])
        for name in ("payment_reference", *(n for n, _ in VFU_NUMBERS + VFU_MONEY)):
            if name in self.changed_data:
                chosen.discard(name)
        cleaned["example_fields"] = [n for n, _ in self.example_choices if n in chosen]
        return cleaned


class AreaReportForm(PerTextForm):
    class Meta:
        model = AreaReport
        fields = ["activities", "results", "gender_equality"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class RequirementNarrativeForm(PerTextForm):
    """The region's narrative for one reporting requirement of the agreement."""

    class Meta:
        model = ReportingRequirement
        fields = ["narrative"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 4})}


class ActivityReportForm(PerTextForm):
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

    def arguments(self) -> dict:
        """What `do_attest_document` takes from the form."""
        return {
            "correct": self.cleaned_data["correct"] == "1",
            "deviations": self.cleaned_data["deviations"],
        }


class SignedCopyForm(forms.Form):
    file = forms.FileField(
        label="Undertecknat exemplar (PDF)", help_text="Inskannad eller e-signerad PDF."
    )
    signatory = forms.CharField(label="Undertecknat av", max_length=200)
    signed_on = forms.DateField(label="Datum för underskriften", help_text="ÅÅÅÅ-MM-DD.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(
                upload.size, settings.SIGNED_COPY_MAX_UPLOAD_MB * MB, "det undertecknade exemplaret"
            )
        except LimitExceeded as refused:
            raise forms.ValidationError(str(refused)) from refused
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("Filen ska vara en PDF.")
        return upload

    def arguments(self) -> dict:
        """What `do_upload_signed_copy` takes from the form."""
        upload = self.cleaned_data["file"]
        return {
            "content": upload.read(),
            "file_name": upload.name,
            "signatory": self.cleaned_data["signatory"],
            "signed_on": self.cleaned_data["signed_on"],
        }


class SendForm(forms.Form):
    sent_on = forms.DateField(label="Skickat den", help_text="ÅÅÅÅ-MM-DD.")
    channel = forms.ChoiceField(label="Skickat via", choices=SendChannel.choices)
    recipient = forms.CharField(
        label="Mottagare", max_length=200, required=False, help_text="T.ex. Kammarkollegiet."
    )

    def arguments(self) -> dict:
        """What `do_send_document` takes from the form."""
        return {key: self.cleaned_data[key] for key in ("sent_on", "channel", "recipient")}


class StateGrantForm(VersionedModelForm):
    class Meta:
        model = StateGrant
        fields = ["name", "authority", "case_number", "temporary", "agreement", "follow_up"]
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = Agreement.objects.filter(year=year)
        self.fields["agreement"].required = False


LINE_ROWS = 4


class StateGrantLinesForm(forms.Form):
    """Up to four amounts of a grant: received, and any passed on (negative) with where to."""

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        lines = list(lines)
        for index in range(LINE_ROWS):
            amount, comment = lines[index] if index < len(lines) else (None, "")
            number = index + 1
            self.fields[f"amount_{number}"] = AmountField(
                label=f"Belopp {number} (kronor)",
                required=index == 0,
                initial=amount,
                help_text="Erhållet belopp; ett vidaresänt belopp med minustecken."
                if index == 0
                else "",
            )
            self.fields[f"comment_{number}"] = forms.CharField(
                label=f"Kommentar till belopp {number}",
                max_length=300,
                required=False,
                initial=comment,
                help_text="T.ex. ”Översänt till SKR för 1177 Vårdguiden”." if index == 1 else "",
            )

    def clean(self):
        cleaned = super().clean()
        for number in range(1, LINE_ROWS + 1):
            if cleaned.get(f"comment_{number}") and cleaned.get(f"amount_{number}") is None:
                self.add_error(f"amount_{number}", "Ange beloppet som kommentaren gäller.")
        return cleaned

    def lines(self) -> list[tuple]:
        return [
            (self.cleaned_data[f"amount_{n}"], self.cleaned_data[f"comment_{n}"])
            for n in range(1, LINE_ROWS + 1)
            if self.cleaned_data.get(f"amount_{n}") is not None
        ]


AREA_ROWS = 8


class StateGrantAreasForm(forms.Form):
    """The grant's money per development area as the region's follow-up states it (seed
    004's table for God och nära vård): up to eight areas, each with its contents (one part
    per line) and its amount in millions of kronor with one decimal."""

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        areas = list(areas)
        for index in range(AREA_ROWS):
            area = areas[index] if index < len(areas) else None
            number = index + 1
            self.fields[f"area_name_{number}"] = forms.CharField(
                label=f"Utvecklingsområde {number}",
                max_length=300,
                required=False,
                initial=area.name if area else "",
            )
            self.fields[f"area_contents_{number}"] = forms.CharField(
                label=f"Innehåll, område {number}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=area.contents if area else "",
                help_text="En del av området per rad." if index == 0 else "",
            )
            self.fields[f"area_mnkr_{number}"] = forms.DecimalField(
                label=f"Miljoner kronor, område {number}",
                required=False,
                max_digits=9,
                decimal_places=1,
                localize=True,
                initial=area.amount_mnkr if area else None,
                help_text="Med en decimal, t.ex. 30,4." if index == 0 else "",
            )

    def clean(self):
        cleaned = super().clean()
        for number in range(1, AREA_ROWS + 1):
            name = (cleaned.get(f"area_name_{number}") or "").strip()
            amount = cleaned.get(f"area_mnkr_{number}")
            if f"area_mnkr_{number}" in self.errors:
                continue
            if name and amount is None:
                self.add_error(f"area_mnkr_{number}", "Ange områdets belopp i miljoner kronor.")
            elif amount is not None and not name:
                self.add_error(f"area_name_{number}", "Ange vilket område beloppet gäller.")
            elif (cleaned.get(f"area_contents_{number}") or "").strip() and not name:
                self.add_error(f"area_name_{number}", "Ange vilket område innehållet gäller.")
        return cleaned

    def areas(self) -> list[tuple]:
        """(name, contents, amount in millions) of each filled row, in order."""
        return [
            (
                self.cleaned_data[f"area_name_{n}"].strip(),
                self.cleaned_data[f"area_contents_{n}"].strip(),
                self.cleaned_data[f"area_mnkr_{n}"],
            )
            for n in range(1, AREA_ROWS + 1)
            if self.cleaned_data.get(f"area_name_{n}", "").strip()
        ]


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label="Fil (xlsx eller csv)",
        help_text="Rubrikrad med Statsbidrag och Belopp, gärna också Myndighet eller källa, "
        "Diarienummer, Kommentar och Tillfälligt (ja/nej). En rad utan namn är ytterligare "
        "ett belopp för statsbidraget ovanför.",
    )


class StateGrantPageForm(StateGrantForm):
    """A grant, its amounts and its money per area: three forms on one edit page, valid
    together. `lines` and `areas` are what the grant holds now (reads.register)."""

    def __init__(self, data=None, files=None, *, lines=(), areas=(), **kwargs):
        super().__init__(data, files, **kwargs)
        self.lines_form = StateGrantLinesForm(data, lines=lines)
        self.areas_form = StateGrantAreasForm(data, areas=areas)

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.lines_form.is_valid(), self.areas_form.is_valid()])

    def lines(self) -> list[tuple]:
        return self.lines_form.lines()

    def areas(self) -> list[tuple]:
        return self.areas_form.areas()
