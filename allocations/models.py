"""Key data per county, allocation rules per component, and the decided amounts."""

from decimal import Decimal
from fractions import Fraction

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from common.money import format_amount
from common.versioning import Versioned
from grants.models import Component, Region, money_field

from .calculations import KeyColumn, KeyTerm, Rule


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


class Municipality(models.Model):
    """One of the 290 municipalities, keyed by SCB's municipality code (kommunkod, four
    digits: the first two are the county's). Reference data loaded by a migration from
    fixtures/reference/kommuner.csv; money to the municipalities is kept per county."""

    code = models.CharField("kommunkod", max_length=4, unique=True)
    name = models.CharField("kommun", max_length=60, unique=True)
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="län"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"

    def __str__(self):
        return self.name


class Measure(models.TextChoices):
    POPULATION = "befolkning", "Befolkning 1 november"
    HSL_INDIVIDUALS = "hsl_individer", "Individer med kommunal hälso- och sjukvård (HSL)"
    RURAL_RESIDENTS = "landsbygd", "Invånare på landsbygd per kategori"
    NURSES = "sjukskoterskor", "Anställda sjuksköterskor"
    VFU_WEEKS = "vfu_veckor", "Ökning av VFU-veckor"
    PUBLISHED_OUTCOME = "utfall", "Publicerat utfall"
    OTHER = "annat", "Annat"


class KeyDataSet(models.Model):
    """Values per county for a named measure on a reference date, e.g. population 2022-11-01."""

    name = models.CharField("namn", max_length=200, unique=True)
    measure = models.CharField("mått", max_length=30, choices=Measure.choices)
    reference_date = models.DateField("referensdatum", help_text="ÅÅÅÅ-MM-DD.")
    source = models.CharField("källa", max_length=300, blank=True)
    notes = models.TextField("anmärkningar", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reference_date", "name"]
        verbose_name = "nyckeldata"
        verbose_name_plural = "nyckeldata"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("allocations:dataset_detail", args=[self.pk])


class KeyDataColumn(models.Model):
    dataset = models.ForeignKey(
        KeyDataSet, on_delete=models.CASCADE, related_name="columns", verbose_name="nyckeldata"
    )
    code = models.CharField("kolumn", max_length=80, help_text="Rubriken i filen.")
    position = models.PositiveSmallIntegerField("ordning", default=1)

    class Meta:
        ordering = ["dataset", "position", "id"]
        verbose_name = "datakolumn"
        verbose_name_plural = "datakolumner"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "code"], name="keydata_column_unique")
        ]

    def __str__(self):
        return f"{self.dataset} – {self.code}"


class KeyDataValue(Versioned):
    column = models.ForeignKey(
        KeyDataColumn, on_delete=models.CASCADE, related_name="values", verbose_name="kolumn"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="län")
    value = models.DecimalField(
        "värde", max_digits=20, decimal_places=6, validators=[MinValueValidator(Decimal("0"))]
    )

    history = HistoricalRecords(
        excluded_fields=["version"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        ordering = ["column", "region__county_code"]
        verbose_name = "värde"
        verbose_name_plural = "värden"
        constraints = [
            models.UniqueConstraint(fields=["column", "region"], name="keydata_value_unique")
        ]

    def __str__(self):
        return f"{self.column}, {self.region.county_name}: {self.value}"


class MunicipalityValue(models.Model):
    """A key data set's value per municipality, as fetched from SCB; the set's county column
    holds their exact sums per county, which is what the allocation keys use."""

    dataset = models.ForeignKey(
        KeyDataSet,
        on_delete=models.CASCADE,
        related_name="municipality_values",
        verbose_name="nyckeldata",
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name="kommun")
    value = models.DecimalField(
        "värde", max_digits=20, decimal_places=6, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["dataset", "municipality__code"]
        verbose_name = "värde per kommun"
        verbose_name_plural = "värden per kommun"
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "municipality"], name="keydata_municipality_value_unique"
            )
        ]

    def __str__(self):
        return f"{self.dataset}, {self.municipality}: {self.value}"


class Method(models.TextChoices):
    KEY = "nyckel", "Fördelningsnyckel"
    DECIDED = "beslutat", "Ingen nyckel: beslutade belopp förs in eller importeras"


def describe_rule(method, base_amount, terms) -> str:
    """A rule in words; `terms` is [(term weight, [(column, column weight), ...]), ...]."""
    if method != Method.KEY:
        return "Ingen nyckel: beslutade belopp"
    parts = []
    for weight, columns in terms:
        text = " + ".join(
            (f"{_number(w)} × " if w != 1 else "") + str(column) for column, w in columns
        )
        share = f"{_number(weight)} × " if weight != 1 else ""
        parts.append(f"{share}andel av {text}")
    text = " + ".join(parts) or "nyckel saknas"
    if base_amount:
        return f"{format_amount(base_amount)} per mottagare, resten efter {text}"
    return f"Efter {text}"


class AllocationRule(Versioned):
    """How a component's national amount is distributed: optional base amount plus a key."""

    component = models.OneToOneField(
        Component,
        on_delete=models.CASCADE,
        related_name="allocation_rule",
        verbose_name="delområde",
    )
    method = models.CharField("metod", max_length=20, choices=Method.choices, default=Method.KEY)
    base_amount = money_field(
        "grundbelopp per mottagare",
        default=Decimal("0"),
        help_text="Går till varje mottagare först; resten fördelas efter nyckeln.",
    )
    notes = models.TextField("anmärkningar", blank=True)
    key_text = models.TextField(
        "nyckel",
        blank=True,
        editable=False,
        help_text="Nyckeln i ord när regeln sparades, så att historiken visar vad som ändrades.",
    )

    history = HistoricalRecords(
        excluded_fields=["version"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        verbose_name = "fördelningsregel"
        verbose_name_plural = "fördelningsregler"

    def __str__(self):
        return f"Regel för {self.component}"

    def describe(self) -> str:
        """The rule in words, e.g. `500 000 kr per mottagare, resten efter 0,5 × andel av …`."""
        return describe_rule(
            self.method,
            self.base_amount,
            [(t.weight, [(c.column, c.weight) for c in t.columns.all()]) for t in self.terms.all()],
        )

    def as_rule(self, values_by_column: dict[int, dict[str, Decimal]]) -> Rule:
        """The pure rule, given each used column's values by county code."""
        terms = []
        for term in self.terms.all():
            columns = tuple(
                KeyColumn(
                    Fraction(part.weight),
                    values_by_column.get(part.column_id, {}),
                    str(part.column),
                )
                for part in term.columns.all()
            )
            terms.append(KeyTerm(Fraction(term.weight), columns))
        return Rule(tuple(terms), int(self.base_amount))


class RuleTerm(models.Model):
    """One part of a blended key; its weight is its share of the key (weights sum to 1)."""

    rule = models.ForeignKey(
        AllocationRule, on_delete=models.CASCADE, related_name="terms", verbose_name="regel"
    )
    position = models.PositiveSmallIntegerField("del", default=1)
    weight = models.DecimalField(
        "andel av nyckeln",
        max_digits=7,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["rule", "position"]
        verbose_name = "nyckeldel"
        verbose_name_plural = "nyckeldelar"

    def __str__(self):
        return f"Del {self.position} ({self.weight})"


class RuleTermColumn(models.Model):
    """A data column in a key part, with its weight (e.g. sparse rural residents weigh 4)."""

    term = models.ForeignKey(
        RuleTerm, on_delete=models.CASCADE, related_name="columns", verbose_name="nyckeldel"
    )
    column = models.ForeignKey(
        KeyDataColumn, on_delete=models.PROTECT, related_name="+", verbose_name="datakolumn"
    )
    weight = models.DecimalField(
        "vikt",
        max_digits=12,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["term", "id"]
        verbose_name = "nyckelkolumn"
        verbose_name_plural = "nyckelkolumner"

    def __str__(self):
        return f"{self.weight} × {self.column}"


class DecidedAmount(Versioned):
    """The officially decided amount of a component for one region or county, as published."""

    component = models.ForeignKey(
        Component,
        on_delete=models.CASCADE,
        related_name="decided_amounts",
        verbose_name="delområde",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="region/län")
    amount = money_field("beslutat belopp")
    source = models.CharField("källa", max_length=300, blank=True)

    history = HistoricalRecords(
        excluded_fields=["version"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        ordering = ["component", "region__county_code"]
        verbose_name = "beslutat belopp"
        verbose_name_plural = "beslutade belopp"
        constraints = [
            models.UniqueConstraint(fields=["component", "region"], name="decided_amount_unique")
        ]

    def __str__(self):
        return f"{self.component}, {self.region}: {self.amount}"
