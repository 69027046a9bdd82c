"""The joint primary-care plan (Gemensam plan för primärvårdsnivå): its parties, strategies,
effect measures and indicators with their values, and the action plan with its links to the
activities of the internal distribution."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from common.money import format_number
from common.versioning import Versioned
from distribution.models import Activity
from grants.models import Agreement

from .targets import TARGET_LABELS, Target, TargetKind, yes_no

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


def _history():
    return HistoricalRecords(
        excluded_fields=["version"],
        history_change_reason_field=models.TextField(null=True),
    )


class Plan(Versioned):
    name = models.CharField("namn", max_length=300)
    valid_from = models.DateField("gäller från")
    revision_year = models.PositiveSmallIntegerField(
        "revideras senast år", validators=YEAR, help_text="Planen revideras var tredje år."
    )
    followed_up_by = models.CharField(
        "följs upp av", max_length=200, default="Länsgemensam samverkan"
    )
    forums = models.CharField(
        "forum för uppföljning",
        max_length=300,
        blank=True,
        help_text="T.ex. Fredagsgruppen, SamReKo HSI.",
    )
    target_image = models.CharField("målbild", max_length=300, blank=True)
    description = models.TextField("beskrivning", blank=True)

    history = _history()

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = "gemensam plan"
        verbose_name_plural = "gemensamma planer"

    def __str__(self):
        return self.name


class PartyKind(models.TextChoices):
    REGION = "region", "Region"
    MUNICIPALITY = "kommun", "Kommun"
    COUNTY = "lan", "Länet"


class Party(Versioned):
    """A party to the plan, or the county as a whole, as values are reported for it."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="parties", verbose_name="plan"
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("namn", max_length=120)
    kind = models.CharField("slag", max_length=10, choices=PartyKind.choices)
    kolada_id = models.CharField(
        "id i Kolada",
        max_length=8,
        blank=True,
        validators=[
            RegexValidator(r"^\d{4}$", "Kolada-id är fyra siffror, t.ex. 2380 eller 0023.")
        ],
        help_text="Kommunkoden (t.ex. 2380 Östersund) eller 00 + länskoden för regionen (0023).",
    )

    history = _history()

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "part"
        verbose_name_plural = "parter"
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="plan_party_unique_name")
        ]

    def __str__(self):
        return self.name


class Strategy(Versioned):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="strategies", verbose_name="plan"
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("strategi", max_length=200)
    description = models.TextField("beskrivning", blank=True)

    history = _history()

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "strategi"
        verbose_name_plural = "strategier"

    def __str__(self):
        return self.name


class Frequency(models.TextChoices):
    YEAR = "ar", "Årsvis"
    HALF_YEAR = "halvar", "Halvårsvis"


class IndicatorQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(strategy__plan=plan).select_related("strategy")

    def with_kolada_values(self, plan):
        """What Kolada can give values for in the plan: its measures and the agreements'
        indicators (which have no strategy), each with a Kolada KPI."""
        return (
            self.filter(strategy__plan=plan)
            | self.filter(agreement__isnull=False, strategy__isnull=True)
        ).exclude(kolada_kpi="")


class Indicator(Versioned):
    """An effect measure (effektmått) of a strategy, or an indicator of an agreement."""

    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
        verbose_name="strategi",
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
        verbose_name="överenskommelse",
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("effektmått/indikator", max_length=300)
    description = models.TextField("vad som mäts", blank=True)
    unit = models.CharField("enhet", max_length=30, blank=True, help_text="T.ex. %, antal.")
    frequency = models.CharField(
        "hur ofta", max_length=10, choices=Frequency.choices, default=Frequency.YEAR
    )
    forum = models.CharField("följs upp i", max_length=200, blank=True)
    target_text = models.CharField("målvärde (som det står i planen)", max_length=300, blank=True)
    target_kind = models.CharField(
        "mål som regel",
        max_length=30,
        choices=[(k.value, TARGET_LABELS[k]) for k in TargetKind],
        default=TargetKind.INCREASE,
    )
    threshold = models.DecimalField(
        "gränsvärde",
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="För ”minst”, ”högst” och ökning i procent mot basår.",
    )
    base_year = models.PositiveSmallIntegerField("basår", null=True, blank=True, validators=YEAR)
    groups = models.CharField(
        "uppdelning i grupper",
        max_length=200,
        blank=True,
        help_text="Grupper åtskilda med semikolon, t.ex. ”Barn och unga; Vuxna”. Tomt om "
        "måttet inte delas upp.",
    )
    split_by_gender = models.BooleanField("redovisas för kvinnor och män", default=True)
    kolada_kpi = models.CharField(
        "nyckeltal i Kolada",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^[NU]\d{5}$", "Kolada-id är N eller U och fem siffror.")],
    )
    source = models.CharField("källa", max_length=300, blank=True)

    history = _history()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["strategy__position", "position", "id"]
        verbose_name = "effektmått/indikator"
        verbose_name_plural = "effektmått och indikatorer"

    def __str__(self):
        return self.name

    @property
    def target(self) -> Target:
        return Target(TargetKind(self.target_kind), self.threshold, self.base_year)

    @property
    def is_yes_no(self) -> bool:
        return self.target_kind == TargetKind.YES

    def group_list(self) -> list[str]:
        return [g.strip() for g in self.groups.split(";") if g.strip()]

    def target_display(self) -> str:
        if self.target_text:
            return self.target_text
        kind = TargetKind(self.target_kind)
        if kind == TargetKind.AT_LEAST:
            return f"Minst {format_number(self.threshold)} {self.unit}".strip()
        if kind == TargetKind.AT_MOST:
            return f"Högst {format_number(self.threshold)} {self.unit}".strip()
        if kind == TargetKind.INCREASE_BY_PERCENT:
            return f"Ökning med {format_number(self.threshold)} % mot {self.base_year}"
        return TARGET_LABELS[kind]

    def format_value(self, value) -> str:
        if value is None:
            return "–"
        if self.is_yes_no:
            return yes_no(value)
        text = format_number(value)
        return f"{text} {self.unit}".strip() if self.unit else text

    def clean(self):
        errors = {}
        if not self.strategy_id and not self.agreement_id:
            errors["strategy"] = "Välj en strategi i planen eller en överenskommelse."
        kind = self.target_kind
        if kind in (TargetKind.AT_LEAST, TargetKind.AT_MOST, TargetKind.INCREASE_BY_PERCENT):
            if self.threshold is None:
                errors["threshold"] = "Ange gränsvärdet för målet."
        if kind == TargetKind.INCREASE_BY_PERCENT and not self.base_year:
            errors["base_year"] = "Ange basåret som ökningen räknas mot."
        if errors:
            raise ValidationError(errors)


class Gender(models.TextChoices):
    TOTAL = "T", "Totalt"
    WOMEN = "K", "Kvinnor"
    MEN = "M", "Män"


class Measurement(Versioned):
    """One value of an indicator: a party, a year (or half-year), a group and a gender."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name="indikator"
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="measurements", verbose_name="part"
    )
    year = models.PositiveSmallIntegerField("år", validators=YEAR)
    half = models.PositiveSmallIntegerField(
        "halvår",
        default=0,
        choices=[(0, "Helår"), (1, "Första halvåret"), (2, "Andra halvåret")],
    )
    group = models.CharField("grupp", max_length=100, blank=True)
    gender = models.CharField("kön", max_length=1, choices=Gender.choices, default=Gender.TOTAL)
    value = models.DecimalField("värde", max_digits=18, decimal_places=6)
    source = models.CharField("källa", max_length=300, blank=True)
    comment = models.TextField("kommentar", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="ändrat av",
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name="ändrat")

    history = _history()

    class Meta:
        ordering = ["indicator", "party__position", "group", "gender", "year", "half"]
        verbose_name = "värde"
        verbose_name_plural = "värden"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "party", "year", "half", "group", "gender"],
                name="measurement_unique",
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.party} {self.year}: {self.value}"

    def clean(self):
        errors = {}
        if self.indicator_id:
            indicator = self.indicator
            if indicator.is_yes_no and self.value not in (None, Decimal(0), Decimal(1)):
                errors["value"] = "Måttet är ja/nej: ange ja eller nej."
            groups = indicator.group_list()
            if self.group and self.group not in groups:
                errors["group"] = (
                    f"Måttet delas inte upp i gruppen ”{self.group}”."
                    if groups
                    else "Måttet delas inte upp i grupper."
                )
            if self.half and indicator.frequency == Frequency.YEAR:
                errors["half"] = "Måttet följs upp årsvis; ange helår."
            if (
                self.party_id
                and indicator.strategy_id
                and (self.party.plan_id != indicator.strategy.plan_id)
            ):
                errors["party"] = "Parten hör till en annan plan."
        if errors:
            raise ValidationError(errors)


class PlanActivity(Versioned):
    """An activity of the action plan (handlingsplan) under a strategy."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="activities", verbose_name="strategi"
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("aktivitet", max_length=300)
    priority_from = models.PositiveSmallIntegerField("prioriterad från år", validators=YEAR)
    priority_to = models.PositiveSmallIntegerField("prioriterad till år", validators=YEAR)
    responsible = models.CharField("ansvarig", max_length=200, blank=True)
    distribution_activities = models.ManyToManyField(
        Activity,
        through="ActivityLink",
        related_name="plan_activities",
        blank=True,
        verbose_name="aktiviteter i fördelningen",
    )

    history = _history()

    class Meta:
        ordering = ["strategy__position", "position", "id"]
        verbose_name = "aktivitet i handlingsplanen"
        verbose_name_plural = "aktiviteter i handlingsplanen"

    def __str__(self):
        return self.name

    @property
    def priority(self) -> str:
        return f"{self.priority_from}–{self.priority_to}"

    def clean(self):
        if self.priority_from and self.priority_to and self.priority_to < self.priority_from:
            raise ValidationError({"priority_to": "Perioden kan inte sluta före den börjar."})


class SubStatus(models.TextChoices):
    NOT_STARTED = "ej_paborjat", "Ej påbörjat"
    NEEDS_MANDATE = "uppdrag_behovs", "Ej påbörjat – uppdrag behövs"
    ONGOING = "pagar", "Pågår"
    DONE = "genomford", "Genomförd"
    PART_OF = "ingar_i", "Ingår i annat arbete"


class SubActivity(Versioned):
    """A sub-activity (delaktivitet) with its status."""

    activity = models.ForeignKey(
        PlanActivity,
        on_delete=models.CASCADE,
        related_name="sub_activities",
        verbose_name="aktivitet",
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("delaktivitet", max_length=400)
    status = models.CharField(
        "status",
        max_length=20,
        choices=SubStatus.choices,
        default=SubStatus.NOT_STARTED,
    )
    status_reference = models.CharField(
        "ingår i", max_length=300, blank=True, help_text="Vad delaktiviteten ingår i."
    )
    status_note = models.TextField("statuskommentar", blank=True)

    history = _history()

    class Meta:
        ordering = ["activity", "position", "id"]
        verbose_name = "delaktivitet"
        verbose_name_plural = "delaktiviteter"

    def __str__(self):
        return self.name

    @property
    def status_choices(self):
        return SubStatus.choices

    def status_display(self) -> str:
        if self.status == SubStatus.PART_OF:
            return f"Ingår i {self.status_reference}".strip()
        return self.get_status_display()

    def clean(self):
        if self.status == SubStatus.PART_OF and not self.status_reference.strip():
            raise ValidationError({"status_reference": "Ange vad delaktiviteten ingår i."})


class StatusChange(models.Model):
    """The status history of a sub-activity: who, when, and their comment."""

    sub_activity = models.ForeignKey(
        SubActivity,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name="delaktivitet",
    )
    old_status = models.CharField("tidigare status", max_length=20, blank=True)
    status = models.CharField("status", max_length=20, choices=SubStatus.choices)
    status_reference = models.CharField("ingår i", max_length=300, blank=True)
    comment = models.TextField("kommentar", blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="ändrad av",
    )
    changed_at = models.DateTimeField("ändrad", auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "statusändring"
        verbose_name_plural = "statusändringar"

    def __str__(self):
        return f"{self.sub_activity}: {self.get_status_display()}"

    @property
    def old_status_label(self) -> str:
        return SubStatus(self.old_status).label if self.old_status else ""


class AnswerKind(models.TextChoices):
    YES_NO = "ja_nej", "Ja/nej"
    TEXT = "text", "Text"


class MeasureQuestion(Versioned):
    """The measure of a sub-activity as a question (”Finns rutin?”) and its target value."""

    sub_activity = models.ForeignKey(
        SubActivity, on_delete=models.CASCADE, related_name="questions", verbose_name="delaktivitet"
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    question = models.CharField("mått", max_length=400)
    answer_kind = models.CharField(
        "svar", max_length=10, choices=AnswerKind.choices, default=AnswerKind.YES_NO
    )
    target_text = models.CharField(
        "målvärde", max_length=200, default="ja", help_text="”ja” eller en text."
    )

    history = _history()

    class Meta:
        ordering = ["sub_activity", "position", "id"]
        verbose_name = "mått"
        verbose_name_plural = "mått"

    def __str__(self):
        return self.question


class MeasureAnswer(Versioned):
    """The answer to a measure question at a yearly follow-up."""

    question = models.ForeignKey(
        MeasureQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name="mått"
    )
    year = models.PositiveSmallIntegerField("uppföljningsår", validators=YEAR)
    answer_yes = models.BooleanField("ja", null=True, blank=True)
    answer_text = models.TextField("svar", blank=True)
    comment = models.TextField("kommentar", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="besvarat av",
    )
    answered_at = models.DateTimeField(auto_now=True, verbose_name="besvarat")

    history = _history()

    class Meta:
        ordering = ["question", "-year"]
        verbose_name = "svar"
        verbose_name_plural = "svar"
        constraints = [
            models.UniqueConstraint(fields=["question", "year"], name="measure_answer_unique")
        ]

    def __str__(self):
        return f"{self.question} {self.year}"

    def display(self) -> str:
        if self.question.answer_kind == AnswerKind.YES_NO:
            return {True: "Ja", False: "Nej", None: "–"}[self.answer_yes]
        return self.answer_text or "–"


class ActivityLink(Versioned):
    """A plan activity served by an activity of the internal distribution (and its money)."""

    plan_activity = models.ForeignKey(
        PlanActivity,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name="aktivitet i planen",
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="plan_links",
        verbose_name="aktivitet i fördelningen",
    )
    note = models.CharField("hur den bidrar", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="skapad av",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="skapad")

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["plan_activity", "id"]
        verbose_name = "koppling till fördelningen"
        verbose_name_plural = "kopplingar till fördelningen"
        constraints = [
            models.UniqueConstraint(
                fields=["plan_activity", "activity"], name="plan_activity_link_unique"
            )
        ]

    def __str__(self):
        return f"{self.plan_activity} ← {self.activity}"
