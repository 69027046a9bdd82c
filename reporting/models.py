"""What the reports need beyond the agreements and the ledger: the region's details, the
narratives officers write, the year's state grants, and every document as generated."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from common.checkdigits import clean_bankgiro, clean_org_number, clean_plusgiro
from common.versioning import Versioned
from distribution.models import Activity
from filestore.store import latest_file_of, read_verified
from grants.models import Agreement, DevelopmentArea, DocumentKind, DocumentState, money_field


class GiroKind(models.TextChoices):
    BANKGIRO = "bankgiro", "Bankgiro"
    PLUSGIRO = "plusgiro", "Plusgiro"


class OrganisationProfile(Versioned):
    """The region's details for the forms to Kammarkollegiet; one row."""

    name = models.CharField("bidragsmottagare", max_length=200)
    org_number = models.CharField(
        "organisationsnummer", max_length=20, blank=True, help_text="NNNNNN-NNNN."
    )
    contact_person = models.CharField(
        "kontaktperson", max_length=200, blank=True, help_text="För- och efternamn."
    )
    contact_person_title = models.CharField(
        "kontaktpersonens befattning", max_length=200, blank=True
    )
    postal_address = models.CharField("postadress", max_length=300, blank=True)
    phone = models.CharField("telefon inkl. riktnummer", max_length=40, blank=True)
    fax = models.CharField(
        "faxnummer",
        max_length=40,
        blank=True,
        help_text="Lämna tomt om regionen inte har fax; blanketten visar då ”Ingen fax”.",
    )
    email = models.EmailField("e-postadress", blank=True)
    giro_kind = models.CharField(
        "bankgiro eller plusgiro",
        max_length=10,
        choices=GiroKind.choices,
        default=GiroKind.BANKGIRO,
    )
    bankgiro = models.CharField(
        "bankgiro- eller plusgironummer",
        max_length=40,
        blank=True,
        help_text="Kontrolleras med kontrollsiffran.",
    )
    signatory = models.CharField(
        "behörig företrädare", max_length=200, blank=True, help_text="Den som undertecknar."
    )
    signatory_title = models.CharField(
        "behörig företrädares befattning", max_length=200, blank=True
    )
    finance_head_name = models.CharField("ekonomichef", max_length=200, blank=True)
    finance_head_title = models.CharField(
        "ekonomichefens befattning", max_length=200, blank=True, default="Ekonomichef"
    )
    finance_head_phone = models.CharField("ekonomichefens telefon", max_length=40, blank=True)
    finance_head_email = models.EmailField("ekonomichefens e-post", blank=True)
    example_fields = models.JSONField(
        "fält med exempelvärden",
        default=list,
        blank=True,
        help_text="Uppgifter som ännu är exempel (ej bekräftade); ett dokument som visar dem "
        "blir ett utkast.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "regionens uppgifter"
        verbose_name_plural = "regionens uppgifter"

    def __str__(self):
        return self.name

    def clean(self):
        """Organisationsnummer and giro number checked with their check digit and kept in their
        printed form."""
        problems = {}
        if self.org_number.strip():
            try:
                self.org_number = clean_org_number(self.org_number)
            except ValidationError as error:
                problems["org_number"] = error.messages
        if self.bankgiro.strip():
            check = clean_plusgiro if self.giro_kind == GiroKind.PLUSGIRO else clean_bankgiro
            try:
                self.bankgiro = check(self.bankgiro)
            except ValidationError as error:
                problems["bankgiro"] = error.messages
        if problems:
            raise ValidationError(problems)

    @classmethod
    def current(cls) -> "OrganisationProfile":
        from grants.models import Region

        profile = cls.objects.first()
        if profile is None:
            region = Region.objects.filter(county_code=settings.OWN_REGION_CODE).first()
            profile = cls(name=region.name if region else "")
        return profile


class Attestation(models.TextChoices):
    CORRECT = "1", "Alt 1: intygar att den ekonomiska redovisningen är korrekt"
    NOT_CORRECT = "2", "Alt 2: bedömer inte att den ekonomiska redovisningen är korrekt"


class CostSpecification(models.TextChoices):
    ACCOUNT_GROUP = "kontogrupp", "Per kontogrupp (kontots två första siffror)"
    ACTIVITY = "insats", "Per insats"


class AgreementReport(Versioned):
    """The per-agreement facts of the requisition, the financial and the activity report."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="report", verbose_name="överenskommelse"
    )
    requested_amount = money_field(
        "belopp som rekvireras",
        null=True,
        blank=True,
        help_text="Lämna tomt för regionens beslutade belopp.",
    )
    grant_paid = money_field(
        "bidrag som utbetalats",
        null=True,
        blank=True,
        help_text="Lämna tomt om hela det beslutade beloppet har betalats ut.",
    )
    payment_reference = models.CharField("önskad betalningsreferens", max_length=100, blank=True)
    attestation = models.CharField(
        "ekonomichefens granskning",
        max_length=1,
        choices=Attestation.choices,
        default=Attestation.CORRECT,
    )
    deviations = models.TextField("avvikelser och åtgärder", blank=True)
    cost_specification = models.CharField(
        "större kostnadsposter specificeras",
        max_length=12,
        choices=CostSpecification.choices,
        default=CostSpecification.ACCOUNT_GROUP,
    )
    repaid_amount = money_field("återbetalt belopp", null=True, blank=True)
    repaid_on = models.DateField("återbetalt den", null=True, blank=True, help_text="ÅÅÅÅ-MM-DD.")
    repayment_reference = models.CharField(
        "referens för återbetalningen",
        max_length=100,
        blank=True,
        help_text="T.ex. betalningsreferens eller verifikationsnummer.",
    )
    example_fields = models.JSONField(
        "fält med exempelvärden",
        default=list,
        blank=True,
        help_text="Uppgifter om överenskommelsen som ännu är exempel (ej bekräftade).",
    )
    summary = models.TextField("sammanfattning för verksamhetsrapporten", blank=True)
    gender_equality = models.TextField(
        "jämställdhetsperspektivet (jämställd hälsa)",
        blank=True,
        help_text="Hur insatserna bidragit till det jämställdhetspolitiska delmålet "
        "jämställd hälsa.",
    )
    vfu_weeks_previous = models.PositiveIntegerField(
        "VFU-veckor föregående vårtermin", null=True, blank=True
    )
    vfu_places_previous = models.PositiveIntegerField(
        "VFU-platser föregående vårtermin", null=True, blank=True
    )
    vfu_weeks_estimate = models.PositiveIntegerField(
        "VFU-veckor, uppskattning vårterminen", null=True, blank=True
    )
    vfu_places_estimate = models.PositiveIntegerField(
        "VFU-platser, uppskattning vårterminen", null=True, blank=True
    )
    vfu_received = money_field(
        "mottagna medel för VFU-satsningen",
        null=True,
        blank=True,
        help_text="Regionens andel av VFU-satsningen, när den har betalats ut; tomt innan dess.",
    )
    vfu_used = money_field(
        "använda medel för VFU-satsningen",
        null=True,
        blank=True,
        help_text="Vad de mottagna VFU-medlen har använts till, i kronor.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "rapportuppgifter"
        verbose_name_plural = "rapportuppgifter"

    def __str__(self):
        return f"Rapportuppgifter för {self.agreement}"


class AreaReport(Versioned):
    """The officers' narrative for one development area in the activity report."""

    area = models.OneToOneField(
        DevelopmentArea, on_delete=models.CASCADE, related_name="report", verbose_name="område"
    )
    activities = models.TextField("genomförda insatser", blank=True)
    results = models.TextField("resultat", blank=True)
    gender_equality = models.TextField("jämställdhetsperspektivet", blank=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "områdesrapport"
        verbose_name_plural = "områdesrapporter"

    def __str__(self):
        return f"Rapport för {self.area}"


class ActivityReport(Versioned):
    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="report", verbose_name="aktivitet"
    )
    text = models.TextField("vad som gjorts och resultat", blank=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "aktivitetsrapport"
        verbose_name_plural = "aktivitetsrapporter"

    def __str__(self):
        return f"Rapport för {self.activity}"


# The reports a reporting requirement belongs in.
REQUIREMENT_REPORTS = [
    (DocumentKind.ACTIVITY_REPORT.value, "verksamhetsrapporten"),
    (DocumentKind.VFU_REPORT.value, "VFU-redovisningen"),
]


class ReportingRequirement(Versioned):
    """What an agreement asks the region to report on (seed 001 §2.1–2.5, e.g. how it will
    work towards the riktvärde of 1 100 inhabitants per specialist doctor; §3.6 for VFU),
    with the region's narrative for the report it belongs in. A requirement without a
    narrative makes that report a draft."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="reporting_requirements",
        verbose_name="överenskommelse",
    )
    report = models.CharField(
        "redovisas i",
        max_length=30,
        choices=REQUIREMENT_REPORTS,
        default=DocumentKind.ACTIVITY_REPORT.value,
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    section = models.CharField("avsnitt i överenskommelsen", max_length=30, blank=True)
    heading = models.CharField("rubrik", max_length=300)
    asks = models.TextField("vad överenskommelsen begär", blank=True)
    narrative = models.TextField("regionens redovisning", blank=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "återrapporteringskrav"
        verbose_name_plural = "återrapporteringskrav"
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.section} {self.heading}".strip()


class Decision(Versioned):
    """The region's decision on how an agreement's money is distributed (seed 003): who
    decided, when, under which paragraph and its handler (its Dnr is the agreement's
    region_case_number), and the conditions
    that decision sets (they differ between years: 2020 names Stratsys and private
    providers, 2023 all providers)."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="decision", verbose_name="överenskommelse"
    )
    decided_by = models.CharField("beslutas av", max_length=200, blank=True)
    decided_on = models.DateField("beslutsdatum", null=True, blank=True)
    paragraph = models.CharField("paragraf", max_length=30, blank=True, help_text="T.ex. § 35.")
    handler = models.CharField("handläggare", max_length=200, blank=True)
    handler_unit = models.CharField("handläggarens enhet", max_length=200, blank=True)
    background = models.TextField(
        "bakgrund", blank=True, help_text="Beslutets bakgrund, som i regionens beslutsunderlag."
    )
    goals = models.TextField("mål", blank=True, help_text="Ett mål per rad.")
    responsible = models.CharField(
        "sammanhållet ansvar",
        max_length=200,
        blank=True,
        help_text="Som beslutet anger det, t.ex. ”chef på HOSPA”; tomt om det inte anges.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "fördelningsbeslut"
        verbose_name_plural = "fördelningsbeslut"

    def __str__(self):
        return f"Fördelningsbeslut {self.agreement}"


class DecisionCondition(Versioned):
    """One condition of a distribution decision (”Villkor att beakta som ska framgå i alla
    beslutsunderlag”), as entered for that year's decision."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="conditions", verbose_name="beslut"
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    text = models.TextField("villkor")

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "villkor i beslutet"
        verbose_name_plural = "villkor i beslutet"
        ordering = ["position", "id"]

    def __str__(self):
        return self.text[:60]


class StateGrantYear(models.Model):
    """A year's summary of state grants, with the totals as the region published them."""

    year = models.PositiveSmallIntegerField("år", unique=True)
    case_number = models.CharField("diarienummer", max_length=60, blank=True)
    stated_total = money_field("total enligt beslutet", null=True, blank=True)
    stated_temporary_total = money_field(
        "total tillfälliga bidrag enligt beslutet", null=True, blank=True
    )
    introduction = models.TextField("inledning", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = "statsbidragsår"
        verbose_name_plural = "statsbidragsår"

    def __str__(self):
        return f"Statsbidrag {self.year}"


class StateGrant(Versioned):
    """A state grant received in a year, God och nära vård or any other."""

    grant_year = models.ForeignKey(
        StateGrantYear, on_delete=models.CASCADE, related_name="grants", verbose_name="år"
    )
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("statsbidrag", max_length=400)
    authority = models.CharField(
        "myndighet eller källa",
        max_length=200,
        blank=True,
        help_text="T.ex. Kammarkollegiet, Socialstyrelsen eller SKR.",
    )
    case_number = models.CharField("diarienummer", max_length=100, blank=True)
    temporary = models.BooleanField(
        "tillfälligt bidrag (t.ex. kopplat till pandemin)", default=False
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="överenskommelse"
    )
    follow_up = models.TextField(
        "uppföljning",
        blank=True,
        help_text="Stycken skiljs med en tom rad; ett stycke vars rader börjar med ”- ” blir "
        "en punktlista; en rad som börjar med ”## ” blir en rubrik; ett stycke med bara "
        "”[områdestabell]” visar tabellen per utvecklingsområde där.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["grant_year", "temporary", "position", "id"]
        verbose_name = "statsbidrag"
        verbose_name_plural = "statsbidrag"

    def __str__(self):
        return self.name


class StateGrantLine(models.Model):
    """An amount received (or passed on, negative) under a grant, with its comment."""

    grant = models.ForeignKey(StateGrant, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField("ordning", default=1)
    amount = models.DecimalField("belopp", max_digits=15, decimal_places=2)
    comment = models.CharField(
        "kommentar",
        max_length=300,
        blank=True,
        help_text="T.ex. vart ett vidaresänt belopp gick: ”Översänt till SKR för 1177 Vårdguiden”.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "position", "id"]
        verbose_name = "erhållet belopp"
        verbose_name_plural = "erhållna belopp"

    def __str__(self):
        return f"{self.grant}: {self.amount}"


def one_decimal(value) -> str:
    """`32,0`, `−1,3`: a Decimal in millions with one decimal, as the region prints them."""
    text = f"{value:.1f}".replace(".", ",")
    return text.replace("-", "\u2212")


class StateGrantArea(models.Model):
    """A grant's money per development area as the region states it in its follow-up (seed
    004: "Medlen har utfördelats på respektive utvecklingsområden"), in millions of kronor
    with one decimal as published, with what each area covers."""

    grant = models.ForeignKey(StateGrant, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveSmallIntegerField("ordning", default=1)
    name = models.CharField("utvecklingsområde", max_length=300)
    contents = models.TextField("innehåll", blank=True, help_text="En del av området per rad.")
    amount_mnkr = models.DecimalField("miljoner kronor", max_digits=9, decimal_places=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "position", "id"]
        verbose_name = "utvecklingsområde i uppföljningen"
        verbose_name_plural = "utvecklingsområden i uppföljningen"

    def __str__(self):
        return f"{self.name}: {self.amount_mnkr} mnkr"

    @property
    def amount_text(self) -> str:
        """`30,4`, as published: millions with one decimal."""
        return one_decimal(self.amount_mnkr)

    @property
    def contents_lines(self) -> list[str]:
        return [line.strip() for line in self.contents.splitlines() if line.strip()]


class StateGrantSpending(models.Model):
    """A row of a grant's spending table in the follow-up."""

    grant = models.ForeignKey(StateGrant, on_delete=models.CASCADE, related_name="spending")
    position = models.PositiveSmallIntegerField("ordning", default=1)
    label = models.CharField("användning", max_length=300)
    amount = models.DecimalField("belopp", max_digits=15, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "position", "id"]
        verbose_name = "användning"
        verbose_name_plural = "användning"

    def __str__(self):
        return f"{self.label}: {self.amount}"


# The states each document goes through after "generate", as the agreement asks: the
# financial report is attested by the head of finance and signed; the requisition signed;
# the others are sent as they are.
STEPS = {
    DocumentKind.REQUISITION: [DocumentState.GENERATED, DocumentState.SIGNED, DocumentState.SENT],
    DocumentKind.FINANCIAL_REPORT: [
        DocumentState.GENERATED,
        DocumentState.ATTESTED,
        DocumentState.SIGNED,
        DocumentState.SENT,
    ],
    DocumentKind.ACTIVITY_REPORT: [DocumentState.GENERATED, DocumentState.SENT],
    DocumentKind.VFU_REPORT: [DocumentState.GENERATED, DocumentState.SENT],
    DocumentKind.DECISION: [DocumentState.GENERATED, DocumentState.SENT],
    DocumentKind.ANNUAL_SUMMARY: [DocumentState.GENERATED, DocumentState.SENT],
}


class SendChannel(models.TextChoices):
    E_SERVICE = "e-tjanst", "Myndighetens e-tjänst"
    EMAIL = "e-post", "E-post"
    POST = "post", "Post"
    DIARY = "diarium", "Registrerat i diariet / ärendehanteringen"
    OTHER = "annat", "Annat"


class GeneratedDocumentQuerySet(models.QuerySet):
    def with_trail(self):
        """PDF documents: the ones that are attested, signed and sent (XLSX are working copies)."""
        return self.filter(file_format="pdf")

    def awaiting_attestation(self):
        """Financial reports generated but not yet attested by the head of finance."""
        return self.with_trail().filter(
            kind=DocumentKind.FINANCIAL_REPORT, state=DocumentState.GENERATED
        )


class KeptBytes:
    """A row whose bytes are kept once, in the file store (`filestore`), under its `checksum`.

    `made` holds (checksum, bytes) of the bytes in hand: set by the action that made and kept
    them, so that they are answered without being read back. `content` is those bytes while
    the row's checksum is still theirs; else the kept copy, read from the store with its
    checksum verified."""

    made: tuple[str, bytes] | None = None

    @property
    def content(self) -> bytes:
        if self.made is None or self.made[0] != self.checksum:
            stored = latest_file_of(self)
            self.made = (self.checksum, read_verified(stored) if stored is not None else b"")
        return self.made[1]

    @content.setter
    def content(self, value: bytes):
        self.made = (self.checksum, bytes(value))


class GeneratedDocument(KeptBytes, models.Model):
    """A document exactly as it was generated, to be downloaded again as it was sent; its
    bytes are in the file store."""

    kind = models.CharField("dokument", max_length=30, choices=DocumentKind.choices)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    year = models.PositiveSmallIntegerField("år")
    file_format = models.CharField("format", max_length=10)
    file_name = models.CharField("filnamn", max_length=200)
    checksum = models.CharField("kontrollsumma (SHA-256)", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    state = models.CharField(
        "status", max_length=20, choices=DocumentState.choices, default=DocumentState.GENERATED
    )
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="attesterat av",
    )
    attested_at = models.DateTimeField("attesterat", null=True, blank=True)
    sent_on = models.DateField("skickat", null=True, blank=True)
    sent_channel = models.CharField(
        "skickat via", max_length=20, choices=SendChannel.choices, blank=True
    )
    sent_to = models.CharField("mottagare", max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="skickat av",
    )
    missing = models.JSONField(
        "saknas (utkast)",
        default=list,
        blank=True,
        help_text="Det som saknades när dokumentet skapades; ett dokument med något här är ett "
        "utkast och kan inte attesteras, undertecknas eller skickas.",
    )

    repayable = money_field(
        "att återbetala enligt dokumentet",
        null=True,
        blank=True,
        help_text="Den ekonomiska redovisningens belopp att återbetala, som det trycktes.",
    )

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "skapat dokument"
        verbose_name_plural = "skapade dokument"

    def __str__(self):
        return self.file_name

    @property
    def is_draft(self) -> bool:
        return bool(self.missing)

    @property
    def steps(self) -> list:
        return STEPS[self.kind] if self.file_format == "pdf" else [DocumentState.GENERATED]

    @property
    def next_state(self):
        """The state this document goes to next, or None when it has been sent."""
        steps = self.steps
        index = steps.index(self.state)
        return steps[index + 1] if index + 1 < len(steps) else None


class SignedCopy(KeptBytes, models.Model):
    """The signed document (scanned or e-signed PDF), kept in the file store with its
    checksum."""

    document = models.ForeignKey(
        GeneratedDocument, on_delete=models.PROTECT, related_name="signed_copies"
    )
    file_name = models.CharField("filnamn", max_length=200)
    checksum = models.CharField("kontrollsumma (SHA-256)", max_length=64)
    signatory = models.CharField("undertecknat av", max_length=200)
    signed_on = models.DateField("undertecknat")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("uppladdat", auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "undertecknat exemplar"
        verbose_name_plural = "undertecknade exemplar"

    def __str__(self):
        return self.file_name


class DocumentEvent(models.Model):
    """One step of a document's trail: who did what, when, with the file's checksum then."""

    document = models.ForeignKey(GeneratedDocument, on_delete=models.CASCADE, related_name="events")
    state = models.CharField("status", max_length=20, choices=DocumentState.choices)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    acted_at = models.DateTimeField("när", auto_now_add=True)
    checksum = models.CharField("kontrollsumma (SHA-256)", max_length=64)
    note = models.TextField("anteckning", blank=True)

    class Meta:
        ordering = ["acted_at", "id"]
        verbose_name = "dokumenthändelse"
        verbose_name_plural = "dokumenthändelser"

    def __str__(self):
        return f"{self.document}: {self.get_state_display()}"
