"""Agreements between the state and SKR, their development areas, components and deadlines,
and the regions (counties) they are distributed over."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from common.money import format_amount
from common.versioning import Versioned

from .calculations import AgreementTotals, ComponentAmount, compute_agreement_totals


def money_field(verbose_name, **kwargs):
    """Kronor with öre, never float; agreement amounts are whole kronor in practice."""
    return models.DecimalField(
        verbose_name,
        max_digits=15,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        **kwargs,
    )


class RecipientGroup(models.TextChoices):
    REGIONS = "regioner", "Regionerna"
    MUNICIPALITIES = "kommuner", "Kommunerna via RSS"
    SKR = "skr", "SKR"
    REGIONS_AND_MUNICIPALITIES = "regioner_och_kommuner", "Regioner och kommuner"


# The groups whose decided amounts include one for the own region: what it receives
# ("Mottaget") is the sum of its decided amounts in these (the VFU money goes to regions and
# municipalities alike, and the region's share is received like any other).
OWN_REGION_GROUPS = (RecipientGroup.REGIONS, RecipientGroup.REGIONS_AND_MUNICIPALITIES)


class Region(models.Model):
    """One of the 21 regions, keyed by SCB's county code (länskod)."""

    county_code = models.CharField(
        "länskod",
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^\d{2}$", "Länskoden består av två siffror, t.ex. 23.")],
    )
    county_name = models.CharField("län", max_length=60)
    name = models.CharField("region", max_length=80, unique=True)

    class Meta:
        ordering = ["county_code"]
        verbose_name = "region"
        verbose_name_plural = "regioner"

    def __str__(self):
        return self.name

    @property
    def is_own(self) -> bool:
        return self.county_code == settings.OWN_REGION_CODE


class Agreement(Versioned):
    """An agreement (överenskommelse) between the state and SKR for one year."""

    year = models.PositiveSmallIntegerField(
        "år", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    short_name = models.CharField(
        "kortnamn", max_length=120, help_text="T.ex. ”God och nära vård 2023”."
    )
    name = models.CharField("fullständig benämning", max_length=400)
    slug = models.SlugField(
        "kortkod",
        max_length=120,
        unique=True,
        blank=True,
        help_text="Används i kommandon och filnamn. Skapas av kortnamnet om fältet lämnas tomt.",
    )
    skr_case_number = models.CharField("SKR:s ärendenummer", max_length=60, blank=True)
    government_case_number = models.CharField(
        "Regeringskansliets diarienummer", max_length=60, blank=True
    )
    payment_decision_case_number = models.CharField(
        "diarienummer för regeringsbeslut om utbetalning", max_length=60, blank=True
    )
    region_case_number = models.CharField(
        "regionens diarienummer", max_length=60, blank=True, help_text="T.ex. RS/116/2021."
    )
    decision_date = models.DateField(
        "beslutsdatum",
        null=True,
        blank=True,
        help_text="Datum då överenskommelsen beslutades eller undertecknades (ÅÅÅÅ-MM-DD).",
    )
    national_total = money_field(
        "nationell total",
        null=True,
        blank=True,
        help_text="Överenskommelsens totala belopp enligt dokumentet, i kronor.",
    )
    conditions = models.TextField(
        "ekonomiska villkor",
        blank=True,
        help_text="Villkor för hela överenskommelsen, en punkt per rad.",
    )
    notes = models.TextField("anmärkningar", blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        editable=False,
        verbose_name="kopierad från",
    )
    is_draft = models.BooleanField(
        "utkast",
        default=False,
        editable=False,
        help_text="Kopierad från ett tidigare år och ännu inte bekräftad av en handläggare.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-year", "short_name"]
        verbose_name = "överenskommelse"
        verbose_name_plural = "överenskommelser"
        constraints = [
            models.UniqueConstraint(fields=["year", "short_name"], name="agreement_unique_name")
        ]

    def __str__(self):
        return self.short_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.short_name)[:120]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("grants:agreement_detail", args=[self.pk])

    def totals(self) -> AgreementTotals:
        """Sums of the components' national amounts (uses prefetched components if any)."""
        return compute_agreement_totals(c.as_amount() for c in self.components.all())


class DevelopmentArea(Versioned):
    """A development area (utvecklingsområde) of an agreement."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="areas", verbose_name="överenskommelse"
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("namn", max_length=300)
    description = models.TextField("beskrivning", blank=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["agreement", "position", "id"]
        verbose_name = "utvecklingsområde"
        verbose_name_plural = "utvecklingsområden"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "name"], name="area_unique_name")
        ]

    def __str__(self):
        return self.name


class Component(Versioned):
    """A component (delområde / insatsområde): a national amount for one recipient group.

    A component may be part of another one's amount ("varav 300 mnkr för primärvård i
    landsbygd"); such parts are not counted again in totals. A component without an area
    spans the whole agreement (e.g. the money to SKR).
    """

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name="överenskommelse",
    )
    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.PROTECT,
        related_name="components",
        null=True,
        blank=True,
        verbose_name="utvecklingsområde",
        help_text="Lämna tomt för medel som gäller hela överenskommelsen, t.ex. medel till SKR.",
    )
    included_in = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="parts",
        null=True,
        blank=True,
        verbose_name="ingår i",
        help_text="Ange om beloppet är en del (”varav”) av ett annat delområdes belopp.",
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("namn", max_length=300)
    recipient_group = models.CharField("mottagare", max_length=30, choices=RecipientGroup.choices)
    national_amount = money_field(
        "nationellt belopp",
        null=True,
        blank=True,
        help_text="I kronor. Lämna tomt om underlaget inte anger beloppet.",
    )
    ring_fenced = models.BooleanField(
        "öronmärkt", default=False, help_text="Medlen får inte användas för andra ändamål."
    )
    requirements = models.TextField(
        "krav för att ta del av medlen", blank=True, help_text="En punkt per rad."
    )
    notes = models.TextField("anmärkningar", blank=True)
    differs_note = models.TextField(
        "varför beslutade belopp avviker från regeln",
        blank=True,
        help_text=(
            "Skrivs en gång när de publicerade beloppen inte följer överenskommelsens regel; "
            "visas vid varje ≠ i fördelningstabellen."
        ),
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["agreement", "area__position", "position", "id"]
        verbose_name = "delområde"
        verbose_name_plural = "delområden"

    def __str__(self):
        return self.name

    def as_amount(self) -> ComponentAmount:
        return ComponentAmount(
            self.area_id,
            self.recipient_group,
            self.national_amount,
            self.included_in_id is not None,
        )

    def clean(self):
        errors = {}
        if self.area_id and self.agreement_id and self.area.agreement_id != self.agreement_id:
            errors["area"] = "Utvecklingsområdet hör till en annan överenskommelse."
        parent = self.included_in
        if parent is not None:
            if self.pk and parent.pk == self.pk:
                errors["included_in"] = "Ett delområde kan inte ingå i sig självt."
            elif parent.agreement_id != self.agreement_id:
                errors["included_in"] = "Delområdet hör till en annan överenskommelse."
            elif parent.included_in_id is not None:
                errors["included_in"] = (
                    f"”{parent}” ingår själv i ett annat delområde; välj det övergripande."
                )
            elif self.pk and self.parts.exists():
                errors["included_in"] = (
                    "Delområdet har egna delbelopp och kan därför inte ingå i ett annat."
                )
            elif self.national_amount is not None and parent.national_amount is not None:
                siblings = parent.parts.exclude(pk=self.pk).aggregate(
                    total=models.functions.Coalesce(
                        Sum("national_amount"),
                        Decimal("0"),
                        output_field=models.DecimalField(max_digits=15, decimal_places=2),
                    )
                )["total"]
                if siblings + self.national_amount > parent.national_amount:
                    room = parent.national_amount - siblings
                    errors["national_amount"] = (
                        f"Delbeloppen får inte överstiga beloppet för ”{parent}” "
                        f"({format_amount(parent.national_amount)}); "
                        f"högst {format_amount(room)} återstår."
                    )
        if errors:
            raise ValidationError(errors)


class DeadlineKind(models.TextChoices):
    REQUISITION = "rekvisition", "Rekvisition"
    FINANCIAL_REPORT = "ekonomisk_redovisning", "Ekonomisk redovisning"
    REPAYMENT = "aterbetalning", "Återbetalning av ej använda medel"
    ACTIVITY_REPORT = "verksamhetsrapport", "Verksamhetsrapport / slutredovisning"
    INTERIM_REPORT = "delredovisning", "Delredovisning"
    VFU_REPORT = "vfu_redovisning", "VFU-redovisning"
    ACTION_PLAN = "handlingsplan", "Handlingsplan"
    OTHER = "ovrigt", "Övrigt"


class Authority(models.TextChoices):
    KAMMARKOLLEGIET = "kammarkollegiet", "Kammarkollegiet"
    SOCIALSTYRELSEN = "socialstyrelsen", "Socialstyrelsen"
    GOVERNMENT_OFFICES = "regeringskansliet", "Regeringskansliet (Socialdepartementet)"
    SKR = "skr", "SKR"
    OTHER = "annan", "Annan / ej angiven"


class DeadlineStatus(models.TextChoices):
    PASSED = "passerad", "Passerad"
    SOON = "snart", "Snart"
    LATER = "kommande", "Kommande"


# How long a passed deadline that was never met is still shown and reminded of.
OVERDUE_LIMIT = datetime.timedelta(days=365)


class DeadlineQuerySet(models.QuerySet):
    def confirmed(self):
        """Deadlines an officer has confirmed; a copied year's moved dates are not, until then."""
        return self.filter(confirmed=True)

    def own(self):
        """The region's own deadlines: not those only SKR or the municipalities (RSS) meet."""
        return self.exclude(applies_to__in=[RecipientGroup.SKR, RecipientGroup.MUNICIPALITIES])

    def answered_by_document(self):
        """Deadlines that a document of the app answers (requisition, reports, VFU)."""
        return self.filter(kind__in=list(DOCUMENT_FOR_DEADLINE))

    def sent(self):
        """Met: the document that answers them has been sent."""
        return self.filter(submission__state=DocumentState.SENT)

    def without_sent_document(self):
        """Deadlines a document answers whose document has not been sent yet."""
        return self.answered_by_document().exclude(submission__state=DocumentState.SENT)


class Deadline(Versioned):
    """A date by which something must reach an authority (or the parties) under an agreement."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name="överenskommelse",
    )
    kind = models.CharField("typ", max_length=30, choices=DeadlineKind.choices)
    due_date = models.DateField("senast", help_text="ÅÅÅÅ-MM-DD.")
    authority = models.CharField("mottagande myndighet", max_length=30, choices=Authority.choices)
    applies_to = models.CharField(
        "gäller",
        max_length=30,
        choices=RecipientGroup.choices,
        blank=True,
        help_text="Lämna tomt om fristen gäller alla mottagare.",
    )
    description = models.TextField("beskrivning", blank=True)
    confirmed = models.BooleanField(
        "bekräftad",
        default=True,
        help_text="En frist som flyttats ett år vid kopiering är inte bekräftad förrän "
        "datumet kontrollerats mot den nya överenskommelsen.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = "frist"
        verbose_name_plural = "frister"

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_date:%Y-%m-%d}"

    def status(self, today: datetime.date, warning_days: int) -> DeadlineStatus:
        """Passed, soon (within `warning_days`) or later, as seen on `today`."""
        if self.due_date < today:
            return DeadlineStatus.PASSED
        if (self.due_date - today).days <= warning_days:
            return DeadlineStatus.SOON
        return DeadlineStatus.LATER


# The documents that answer deadlines, and how far each has come. The documents themselves
# live in `reporting`; the state of each deadline's document is kept here, beside the deadline,
# so that the dashboard and the reminders read it without importing `reporting`.


class DocumentKind(models.TextChoices):
    REQUISITION = "rekvisition", "Rekvisition till Kammarkollegiet"
    FINANCIAL_REPORT = "ekonomisk-redovisning", "Ekonomisk redovisning till Kammarkollegiet"
    ACTIVITY_REPORT = "verksamhetsrapport", "Verksamhetsrapport till Socialstyrelsen"
    VFU_REPORT = "vfu-redovisning", "VFU-redovisning till Socialstyrelsen"
    DECISION = "beslutsunderlag", "Fördelning inom regionen (beslutsunderlag)"
    ANNUAL_SUMMARY = "statsbidrag", "Sammanställning av statsbidrag"


# Which document answers which kind of deadline.
DOCUMENT_FOR_DEADLINE = {
    DeadlineKind.REQUISITION: DocumentKind.REQUISITION,
    DeadlineKind.FINANCIAL_REPORT: DocumentKind.FINANCIAL_REPORT,
    DeadlineKind.REPAYMENT: DocumentKind.FINANCIAL_REPORT,
    DeadlineKind.ACTIVITY_REPORT: DocumentKind.ACTIVITY_REPORT,
    DeadlineKind.VFU_REPORT: DocumentKind.VFU_REPORT,
}


class DocumentState(models.TextChoices):
    """The trail after "generate", in order; a deadline is met only when its document is sent."""

    GENERATED = "skapat", "Skapat"
    ATTESTED = "attesterat", "Attesterat"
    SIGNED = "undertecknat", "Undertecknat"
    SENT = "skickat", "Skickat"


STATE_ORDER = [state.value for state in DocumentState]


class DeadlineSubmission(models.Model):
    """How far the document answering a deadline has come; written by reporting's actions."""

    deadline = models.OneToOneField(
        Deadline, on_delete=models.CASCADE, related_name="submission", verbose_name="frist"
    )
    document_kind = models.CharField("dokument", max_length=30, choices=DocumentKind.choices)
    state = models.CharField("status", max_length=20, choices=DocumentState.choices)
    changed_at = models.DateTimeField("ändrad")
    sent_on = models.DateField("skickat", null=True, blank=True)
    sent_channel = models.CharField("skickat via", max_length=100, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="skickat av",
    )

    class Meta:
        verbose_name = "dokumentstatus för frist"
        verbose_name_plural = "dokumentstatus för frister"

    def __str__(self):
        return f"{self.deadline}: {self.get_state_display()}"

    @property
    def is_met(self) -> bool:
        return self.state == DocumentState.SENT
