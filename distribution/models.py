"""The region's own distribution of its share: activities on cost objects within each area."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from common.versioning import Versioned
from grants.models import Component, DevelopmentArea, RecipientGroup, money_field


class CostObject(models.Model):
    """An object (kodsträng) in the region's ledger that an area's money is booked on."""

    year = models.PositiveSmallIntegerField("år")
    number = models.CharField(
        "objekt",
        max_length=10,
        validators=[RegexValidator(r"^\d{3,10}$", "Objektet är ett nummer, t.ex. 9916.")],
    )
    name = models.CharField("benämning", max_length=200)
    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.PROTECT,
        related_name="cost_objects",
        verbose_name="utvecklingsområde",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "number"]
        verbose_name = "objekt"
        verbose_name_plural = "objekt"
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="cost_object_unique")
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def clean(self):
        if self.area_id and self.year and self.area.agreement.year != self.year:
            raise ValidationError(
                {"area": "Utvecklingsområdet hör till en överenskommelse för ett annat år."}
            )


class AreaPlan(Versioned):
    """The region's plan for one area: who holds it together, and what the decision says."""

    area = models.OneToOneField(
        DevelopmentArea,
        on_delete=models.CASCADE,
        related_name="plan",
        verbose_name="utvecklingsområde",
    )
    overall_responsible = models.CharField("sammanhållet ansvar", max_length=200, blank=True)
    notes = models.TextField(
        "anmärkningar",
        blank=True,
        help_text="T.ex. om medlen kan omfördelas mellan aktiviteterna, eller vad beslutet "
        "inte anger.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "områdesplan"
        verbose_name_plural = "områdesplaner"

    def __str__(self):
        return f"Plan för {self.area}"


class ActivityStatus(models.TextChoices):
    PLANNED = "planerad", "Planerad"
    DECIDED = "beslutad", "Beslutad"
    ONGOING = "pagar", "Pågår"
    DONE = "genomford", "Genomförd"
    CLOSED = "avslutad", "Avslutad"


class ActivityQuerySet(models.QuerySet):
    def missing_conditions(self):
        """Activities that miss a condition; the same rules as Activity.missing_conditions()."""
        return self.filter(
            models.Q(is_new=True, exit_plan="")
            | models.Q(has_investment=True, depreciation_only=False)
            | models.Q(private_providers__isnull=True)
        )

    def for_area(self, area):
        return (
            self.filter(area=area)
            .select_related("cost_object", "ring_fenced_component")
            # Which activities of the joint plan (plan app) each one serves.
            .prefetch_related("plan_links__plan_activity")
            .order_by("position", "id")
        )


class Activity(Versioned):
    """An activity (insats) that an area's money is given to."""

    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name="utvecklingsområde",
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    goal = models.TextField("mål (RS/HSN)", blank=True)
    name = models.CharField("insats", max_length=300)
    covers = models.TextField("medlen avser", blank=True)
    amount = money_field("belopp")
    responsible = models.CharField(
        "ansvarig", max_length=200, blank=True, help_text="Person eller roll."
    )
    cost_object = models.ForeignKey(
        CostObject,
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
        verbose_name="objekt",
    )
    ring_fenced_component = models.ForeignKey(
        Component,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="öronmärkta medel för",
        help_text="Välj om aktiviteten använder öronmärkta medel; bara sådana aktiviteter får det.",
    )
    status = models.CharField(
        "status",
        max_length=20,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PLANNED,
    )
    private_providers = models.BooleanField(
        "privata utförare delaktiga",
        null=True,
        blank=True,
        help_text="Om privata utförare görs delaktiga i aktiviteten.",
    )
    is_new = models.BooleanField(
        "ny aktivitet eller nytt utvecklingsprojekt",
        default=False,
        help_text="Nya aktiviteter kräver en plan för när statsbidraget upphör.",
    )
    exit_plan = models.TextField(
        "plan när statsbidraget upphör",
        blank=True,
        help_text="Budgetkalkyl: hur aktiviteten finansieras, tas in i ordinarie budget, "
        "vad den ersätter, eller hur den avvecklas när den riktade satsningen upphör.",
    )
    has_investment = models.BooleanField("innefattar en investering", default=False)
    depreciation_only = models.BooleanField(
        "bara innevarande års avskrivning konteras mot objektet", default=False
    )
    notes = models.TextField("anmärkningar", blank=True)
    ledger_code = models.CharField(
        "aktivitetskod i ekonomisystemet",
        max_length=30,
        blank=True,
        help_text="Transaktioner med den här koden på aktivitetens objekt kopplas hit.",
    )
    forecast = models.DecimalField(
        "prognos för året",
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Förväntat utfall för hela året.",
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name="ändrad")

    history = HistoricalRecords(
        excluded_fields=["version", "updated_at"],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["area", "position", "id"]
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"
        # One name per area: the reallocation list and the reports name activities by it.
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="activity_name_unique_per_area",
                violation_error_message=(
                    "Det finns redan en aktivitet med det namnet i utvecklingsområdet; "
                    "ge aktiviteten ett eget namn."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def missing_conditions(self) -> list[str]:
        """The conditions every decision must show that this activity does not yet meet."""
        missing = []
        if self.is_new and not self.exit_plan.strip():
            missing.append("Plan för när statsbidraget upphör saknas")
        if self.has_investment and not self.depreciation_only:
            missing.append("Investering: avskrivningsvillkoret är inte bekräftat")
        if self.private_providers is None:
            missing.append("Privata utförares delaktighet är inte angiven")
        return missing

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount != self.amount.to_integral_value():
            errors["amount"] = "Beloppet anges i hela kronor."
        area = self.area if self.area_id else None
        if area and self.cost_object_id:
            if self.cost_object.area_id != area.pk:
                errors["cost_object"] = (
                    f"Objekt {self.cost_object.number} hör till ett annat utvecklingsområde."
                )
            elif self.cost_object.year != area.agreement.year:
                errors["cost_object"] = (
                    f"Objekt {self.cost_object.number} hör till år {self.cost_object.year}."
                )
        if area and self.ring_fenced_component_id:
            component = self.ring_fenced_component
            if (
                component.area_id != area.pk
                or not component.ring_fenced
                or component.recipient_group != RecipientGroup.REGIONS
            ):
                errors["ring_fenced_component"] = (
                    "Välj ett öronmärkt delområde i samma utvecklingsområde."
                )
        if self.status != ActivityStatus.PLANNED and self.is_new and not self.exit_plan.strip():
            errors["exit_plan"] = (
                "En ny aktivitet kan inte markeras som beslutad utan en plan för när "
                "statsbidraget upphör."
            )
        if (
            self.has_investment
            and not self.depreciation_only
            and self.status != ActivityStatus.PLANNED
        ):
            errors["depreciation_only"] = (
                "Bekräfta att bara innevarande års avskrivning konteras mot objektet."
            )
        if errors:
            raise ValidationError(errors)


class Reallocation(models.Model):
    """Money moved from one activity to another of the same area, with its reason."""

    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.PROTECT,
        related_name="reallocations",
        verbose_name="utvecklingsområde",
    )
    from_activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="reallocations_out", verbose_name="från"
    )
    to_activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="reallocations_in", verbose_name="till"
    )
    amount = models.DecimalField(
        "belopp", max_digits=15, decimal_places=2, validators=[MinValueValidator(Decimal("1"))]
    )
    reason = models.TextField("skäl")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="gjord av",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="gjord")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "omfördelning"
        verbose_name_plural = "omfördelningar"

    def __str__(self):
        return f"{self.amount} från {self.from_activity} till {self.to_activity}"
