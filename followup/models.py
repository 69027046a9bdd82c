"""Ledger outcomes on the grant cost objects, their imports, and the closed periods."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from common.versioning import Versioned
from distribution.models import Activity, CostObject

from . import accounts
from .periods import BudgetProfile as Profile
from .periods import ProfileKind


class LedgerField(models.TextChoices):
    """The columns of a ledger export the app reads; a source maps each to a header."""

    COST_OBJECT = "cost_object", "Objekt"
    AMOUNT = "amount", "Belopp"
    PERIOD = "period", "Period"
    DATE = "date", "Datum"
    ACCOUNT = "account", "Konto"
    RESPONSIBILITY = "responsibility", "Ansvar"
    ACTIVITY_CODE = "activity_code", "Aktivitetskod"
    VOUCHER = "voucher", "Verifikation"
    TEXT = "text", "Text"


REQUIRED_FIELDS = (LedgerField.COST_OBJECT, LedgerField.AMOUNT)


class LedgerSource(models.Model):
    """A kind of ledger export and how its columns map to ours, remembered once mapped."""

    name = models.CharField("namn", max_length=120, unique=True)
    mapping = models.JSONField("kolumner", default=dict)
    # SIE files name objects by dimension number (#DIM): which dimension holds what.
    sie_object_dimension = models.PositiveSmallIntegerField(
        "SIE: dimension för objekt",
        null=True,
        blank=True,
        help_text="Tomt: objektnumret söks i alla dimensioner.",
    )
    sie_responsibility_dimension = models.PositiveSmallIntegerField(
        "SIE: dimension för ansvar",
        null=True,
        blank=True,
        default=1,
        help_text="Dimension 1 är kostnadsställe/ansvar i SIE-standarden.",
    )
    sie_activity_dimension = models.PositiveSmallIntegerField(
        "SIE: dimension för aktivitetskod", null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "källa för huvudbok"
        verbose_name_plural = "källor för huvudbok"

    def __str__(self):
        return self.name


class LedgerImport(models.Model):
    """One imported file: who, when, what it held, and what was kept."""

    source = models.ForeignKey(
        LedgerSource, on_delete=models.PROTECT, null=True, blank=True, verbose_name="källa"
    )
    file_name = models.CharField("fil", max_length=255)
    file_format = models.CharField("format", max_length=10)
    # Unique, so the same file lands once even when it is uploaded twice at the same moment.
    checksum = models.CharField("kontrollsumma (SHA-256)", max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("inläst", auto_now_add=True)
    rows_total = models.PositiveIntegerField("rader i filen", default=0)
    rows_kept = models.PositiveIntegerField("rader på statsbidragsobjekt", default=0)
    rows_ignored = models.PositiveIntegerField("rader på andra objekt", default=0)
    rows_replaced = models.PositiveIntegerField("ersatta tidigare rader", default=0)
    total_amount = models.DecimalField("summa", max_digits=17, decimal_places=2, default=0)
    periods = models.JSONField("perioder", default=list)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "import av huvudbok"
        verbose_name_plural = "importer av huvudbok"

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class LedgerQuerySet(models.QuerySet):
    """Ledger rows, or their kept monthly totals, classified by their account at read time
    (the chart of accounts may change)."""

    def with_kind(self, ranges=None):
        if ranges is None:
            ranges = chart_of_accounts()
        return self.annotate(kind=accounts.kind_expression(ranges))

    def outcome_rows(self):
        """Rows that are outcome (not a SIE budget)."""
        return self.filter(is_budget=False)

    def costs(self, ranges=None):
        return self.outcome_rows().with_kind(ranges).filter(kind=accounts.Kind.COST)

    def income(self, ranges=None):
        return self.outcome_rows().with_kind(ranges).filter(kind=accounts.Kind.INCOME)

    def other_kinds(self, ranges=None):
        """Rows that are neither costs nor income: shown apart, never counted as outcome."""
        return self.outcome_rows().with_kind(ranges).filter(kind__in=accounts.OTHER_KINDS)


class LedgerTransaction(models.Model):
    """A ledger row on a grant cost object, tied to an activity when it can be."""

    ledger_import = models.ForeignKey(
        LedgerImport, on_delete=models.CASCADE, related_name="transactions"
    )
    # No index of its own: the (cost_object, year, month) index below starts with it, and
    # each index costs every imported row.
    cost_object = models.ForeignKey(
        CostObject,
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name="objekt",
        db_index=False,
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name="aktivitet",
    )
    year = models.PositiveSmallIntegerField("år")
    month = models.PositiveSmallIntegerField("månad")
    date = models.DateField("datum", null=True, blank=True)
    account = models.CharField("konto", max_length=20, blank=True)
    responsibility = models.CharField("ansvar", max_length=30, blank=True)
    activity_code = models.CharField("aktivitetskod", max_length=30, blank=True)
    voucher = models.CharField("verifikation", max_length=40, blank=True)
    text = models.TextField("text", blank=True)
    amount = models.DecimalField("belopp", max_digits=15, decimal_places=2)
    is_budget = models.BooleanField(
        "budget",
        default=False,
        help_text="Budget per period ur en SIE-fil (#PBUDGET), inte utfall.",
    )
    line = models.PositiveIntegerField("rad i filen")

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["year", "month", "id"]
        verbose_name = "transaktion"
        verbose_name_plural = "transaktioner"
        indexes = [models.Index(fields=["cost_object", "year", "month"])]

    def __str__(self):
        return f"{self.cost_object.number} {self.year}-{self.month:02d} {self.amount}"


# A ledger row's columns, every one but the id, in the table's order: the one list the import's
# readers build their row tuples in, its writer COPYs, the archive of replaced rows copies and
# the benchmark generates.
LEDGER_COLUMNS = tuple(
    field.name for field in LedgerTransaction._meta.concrete_fields if not field.primary_key
)
# The longest code each column holds, stated once (by the model): a longer one is refused.
CODE_LENGTHS = {
    name: LedgerTransaction._meta.get_field(name).max_length
    for name in ("account", "responsibility", "activity_code", "voucher")
}


class LedgerMonthTotalQuerySet(LedgerQuerySet):
    """Kept totals carry their kind (the chart of accounts as it is, kept by every change to
    the chart), so costs()/income()/other_kinds() filter a column, no CASE per total."""

    def with_kind(self, ranges=None):
        return self


class LedgerMonthTotal(models.Model):
    """The ledger's rows summed per cost object, activity, month, account and kind (outcome or
    SIE budget), so that no page sums raw rows. Kept by every write of ledger rows in its own
    transaction (followup.month_totals). Each total carries the kind the chart of accounts
    gives its account (`kind`), written with it and made again by every change to the chart
    in the change's transaction (month_totals.reclassify_month_totals), so that a page's
    grouped query filters a column. No unique key: an activity deleted turns its totals to
    "no activity" as it does its rows, and a sum over the totals stays the rows' sum."""

    cost_object = models.ForeignKey(CostObject, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField("år")
    month = models.PositiveSmallIntegerField("månad")
    account = models.CharField("konto", max_length=CODE_LENGTHS["account"], blank=True)
    is_budget = models.BooleanField("budget", default=False)
    kind = models.CharField("slag", max_length=10, choices=accounts.Kind.choices)
    amount = models.DecimalField("belopp", max_digits=17, decimal_places=2)
    rows = models.PositiveIntegerField("rader")

    objects = LedgerMonthTotalQuerySet.as_manager()

    class Meta:
        verbose_name = "månadssumma ur huvudboken"
        verbose_name_plural = "månadssummor ur huvudboken"
        indexes = [
            models.Index(fields=["year", "cost_object", "month"]),
            # A year's grouped sums (the dashboard's, per object and month or per activity):
            # every column they read is in the index, so no table row is visited.
            models.Index(
                fields=["year", "is_budget", "kind", "cost_object", "activity", "month", "amount"],
                name="followup_total_year_kind",
            ),
            # The ledger's last month of a year: one step down the index.
            models.Index(fields=["year", "is_budget", "month"], name="followup_total_last_month"),
        ]

    def __str__(self):
        return f"{self.cost_object_id} {self.year}-{self.month:02d} {self.account} {self.amount}"


class ReplacedLedgerTransaction(models.Model):
    """A ledger row a later import replaced: kept, with the import that replaced it."""

    replaced_by = models.ForeignKey(
        LedgerImport,
        on_delete=models.PROTECT,
        related_name="replaced_rows",
        verbose_name="ersatt av import",
    )
    ledger_import = models.ForeignKey(
        LedgerImport, on_delete=models.PROTECT, related_name="+", verbose_name="inläst med"
    )
    cost_object = models.ForeignKey(
        CostObject, on_delete=models.PROTECT, related_name="+", verbose_name="objekt"
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField("år")
    month = models.PositiveSmallIntegerField("månad")
    date = models.DateField("datum", null=True, blank=True)
    account = models.CharField("konto", max_length=CODE_LENGTHS["account"], blank=True)
    responsibility = models.CharField(
        "ansvar", max_length=CODE_LENGTHS["responsibility"], blank=True
    )
    activity_code = models.CharField(
        "aktivitetskod", max_length=CODE_LENGTHS["activity_code"], blank=True
    )
    voucher = models.CharField("verifikation", max_length=CODE_LENGTHS["voucher"], blank=True)
    text = models.TextField("text", blank=True)
    amount = models.DecimalField("belopp", max_digits=15, decimal_places=2)
    is_budget = models.BooleanField("budget", default=False)
    line = models.PositiveIntegerField("rad i filen")

    # The columns a replaced row keeps: all of a ledger row's, in the order of both tables.
    COPIED = LEDGER_COLUMNS

    class Meta:
        ordering = ["year", "month", "id"]
        verbose_name = "ersatt transaktion"
        verbose_name_plural = "ersatta transaktioner"

    def __str__(self):
        return f"{self.cost_object_id} {self.year}-{self.month:02d} {self.amount} (ersatt)"


class ActivityLink(Versioned):
    """Ledger rows on this cost object with this responsibility (ansvar) belong to the activity."""

    cost_object = models.ForeignKey(CostObject, on_delete=models.CASCADE, verbose_name="objekt")
    responsibility = models.CharField("ansvar", max_length=30)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, verbose_name="aktivitet")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "koppling till aktivitet"
        verbose_name_plural = "kopplingar till aktiviteter"
        constraints = [
            models.UniqueConstraint(
                fields=["cost_object", "responsibility"], name="activity_link_unique"
            )
        ]

    def __str__(self):
        return f"{self.cost_object.number}/{self.responsibility} → {self.activity}"


class ClosedPeriod(models.Model):
    """A closed month: its outcome cannot be replaced by an import until it is reopened."""

    year = models.PositiveSmallIntegerField("år")
    month = models.PositiveSmallIntegerField("månad")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_at = models.DateTimeField("stängd", auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["year", "month"]
        verbose_name = "stängd period"
        verbose_name_plural = "stängda perioder"
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="closed_period_unique")
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d}"


class AccountRange(models.Model):
    """A range of the region's chart of accounts and what its rows are (cost, income, …).

    With no ranges the Kommun-Bas default applies (followup.accounts.KOMMUN_BAS). Ranges are
    account prefixes: 3–3 is class 3, 3190–3199 a refinement that wins over it.
    """

    first = models.CharField("från konto", max_length=10)
    last = models.CharField("till konto", max_length=10)
    kind = models.CharField("slag", max_length=20, choices=accounts.Kind.choices)
    name = models.CharField("benämning", max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["first", "last"]
        verbose_name = "kontointervall i kontoplanen"
        verbose_name_plural = "kontoplan (kontointervall)"

    def __str__(self):
        return f"{self.first}–{self.last} {self.get_kind_display()}"

    def as_range(self) -> accounts.Range:
        return accounts.Range(self.first.strip(), self.last.strip(), self.kind)

    def clean(self):
        from django.core.exceptions import ValidationError

        others = [r.as_range() for r in AccountRange.objects.exclude(pk=self.pk)]
        problems = accounts.check_ranges([*others, self.as_range()])
        if problems:
            raise ValidationError(problems)


def chart_of_accounts() -> tuple[accounts.Range, ...]:
    """The region's chart as ranges; Kommun-Bas when none are entered. One query."""
    ranges = tuple(r.as_range() for r in AccountRange.objects.all())
    return ranges or accounts.KOMMUN_BAS


class ActivityBudgetProfile(Versioned):
    """How an activity's budget is spread over the year; even when an activity has none."""

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="budget_profile", verbose_name="aktivitet"
    )
    kind = models.CharField(
        "budgetprofil",
        max_length=10,
        choices=[
            (ProfileKind.EVEN, "Jämnt över året"),
            (ProfileKind.MONTHS, "Belopp per månad"),
            (ProfileKind.ONE_MONTH, "Hela beloppet en månad"),
        ],
        default=ProfileKind.EVEN,
    )
    month = models.PositiveSmallIntegerField("månad", null=True, blank=True)
    amounts = models.JSONField("belopp per månad", default=list, blank=True)

    history = HistoricalRecords(
        excluded_fields=["version"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        verbose_name = "budgetprofil"
        verbose_name_plural = "budgetprofiler"

    def __str__(self):
        return f"Budgetprofil för {self.activity}"

    def as_profile(self) -> Profile:
        return Profile(self.kind, self.month, tuple(int(a) for a in self.amounts or ()))
