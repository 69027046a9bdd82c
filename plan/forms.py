"""Forms of the joint plan. Each edit form carries the version it was read at, so a save
based on an older reading is refused (see actions)."""

from django import forms

from common.money import AmountError, format_number, parse_decimal
from common.versioning import VersionedModelForm, VersionField
from distribution.models import Activity

from .models import (
    Gender,
    Indicator,
    Measurement,
    MeasureQuestion,
    Party,
    Plan,
    PlanActivity,
    Strategy,
    SubActivity,
    SubStatus,
)


class DecimalTextField(forms.CharField):
    """A number as Swedes write it (`55,3`, `−2`, `1 234`), read exactly."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc


# Every edit form carries its row's version (common.versioning), so a stale save is refused.
VersionedForm = VersionedModelForm


class PlanForm(VersionedForm):
    class Meta:
        model = Plan
        fields = [
            "name",
            "valid_from",
            "revision_year",
            "followed_up_by",
            "forums",
            "target_image",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class IndicatorForm(VersionedForm):
    threshold = DecimalTextField(
        label="Gränsvärde",
        required=False,
        help_text="För ”minst”, ”högst” och ökning i procent mot basår, t.ex. 55 eller 0,5.",
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "description",
            "unit",
            "frequency",
            "forum",
            "target_text",
            "target_kind",
            "threshold",
            "base_year",
            "groups",
            "split_by_gender",
            "kolada_kpi",
            "source",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.threshold is not None:
            self.initial["threshold"] = format_number(self.instance.threshold)


class PartyForm(VersionedForm):
    class Meta:
        model = Party
        fields = ["name", "kind", "kolada_id", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["position"]  # a new party goes last (do_save_plan_item)


class StrategyForm(VersionedForm):
    class Meta:
        model = Strategy
        fields = ["name", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class PlanActivityForm(VersionedForm):
    class Meta:
        model = PlanActivity
        fields = ["name", "priority_from", "priority_to", "responsible"]


class SubActivityForm(VersionedForm):
    """Name and note; a new sub-activity also gets its first status here. Later status
    changes go through StatusForm, which records who, when and why."""

    class Meta:
        model = SubActivity
        fields = ["name", "status", "status_reference", "status_note"]
        widgets = {"status_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["status"]
            del self.fields["status_reference"]


class QuestionForm(VersionedForm):
    class Meta:
        model = MeasureQuestion
        fields = ["question", "answer_kind", "target_text"]


YES_NO = [("", "Välj"), ("1", "Ja"), ("0", "Nej")]


class MeasurementForm(VersionedForm):
    value = DecimalTextField(label="Värde", help_text="T.ex. 55,3. För ja/nej-mått: välj nedan.")
    yes_no = forms.ChoiceField(label="Ja/nej", choices=YES_NO, required=False)

    class Meta:
        model = Measurement
        fields = ["party", "year", "half", "group", "gender", "value", "source", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        self.indicator = indicator
        plan = indicator.strategy.plan if indicator.strategy_id else None
        parties = self.fields["party"].queryset
        self.fields["party"].queryset = (
            parties.filter(plan=plan) if plan else parties.filter(kind="region")
        )
        groups = indicator.group_list()
        if groups:
            self.fields["group"] = forms.ChoiceField(
                label="Grupp", choices=[("", "Alla")] + [(g, g) for g in groups], required=False
            )
        else:
            del self.fields["group"]
        if not indicator.split_by_gender:
            self.fields["gender"].choices = [(Gender.TOTAL, Gender.TOTAL.label)]
        if indicator.frequency == "ar":
            self.fields["half"].choices = [(0, "Helår")]
        if indicator.is_yes_no:
            self.fields["value"].required = False
            self.fields["yes_no"].required = True
            if self.instance.pk:
                self.initial["yes_no"] = str(int(self.instance.value))
        else:
            del self.fields["yes_no"]
        if self.instance.pk and not indicator.is_yes_no:
            self.initial["value"] = str(self.instance.value).replace(".", ",")

    def clean(self):
        data = super().clean()
        if self.indicator.is_yes_no and data.get("yes_no") in ("0", "1"):
            data["value"] = int(data["yes_no"])
            self.instance.value = data["value"]
        if "group" not in self.fields:
            self.instance.group = ""
        return data


class KoladaUploadForm(forms.Form):
    file = forms.FileField(
        label="Fil från Kolada (JSON eller CSV)",
        help_text="Spara nyckeltalet från kolada.se eller API:t. Värdena hamnar på mått med "
        "samma nyckeltals-id, på parten med samma kommun-id, per år och kön.",
    )


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Ny status", choices=SubStatus.choices)
    reference = forms.CharField(label="Ingår i", required=False, max_length=300)
    comment = forms.CharField(
        label="Kommentar", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    year = forms.IntegerField(label="Uppföljningsår", min_value=2000, max_value=2100)
    answer_yes = forms.ChoiceField(label="Svar", choices=YES_NO, required=False)
    answer_text = forms.CharField(
        label="Svar", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    comment = forms.CharField(label="Kommentar", required=False)
    # The version of the year's answer the page showed (0: none yet); posted without one
    # (not from our page) counts as stale.
    version = VersionField()

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        if question.answer_kind == "ja_nej":
            del self.fields["answer_text"]
            self.fields["answer_yes"].required = True
        else:
            del self.fields["answer_yes"]
            self.fields["answer_text"].required = True

    def clean(self):
        data = super().clean()
        if "answer_yes" in data:
            data["answer_yes"] = {"1": True, "0": False}.get(data["answer_yes"])
        if data.get("version") is None:
            data["version"] = -1
        return data


class LinkForm(forms.Form):
    activity = forms.ModelChoiceField(
        label="Aktivitet i fördelningen",
        queryset=Activity.objects.select_related("area__agreement").order_by(
            "-area__agreement__year", "area__position", "position", "id"
        ),
    )
    note = forms.CharField(label="Hur den bidrar", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].label_from_instance = lambda a: (
            f"{a.area.agreement.year}: {a.name} ({a.area.name})"
        )
