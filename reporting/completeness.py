"""What a document still lacks before it may go out: the mandatory fields of the authority's
form (seed 001, bilaga 1 and §9.1) and the region's own case number, values that are only
examples, and whatever the document's contents report missing (`context["missing"]`). One
list, used by the checklist beside "generate", by the generation (a document with anything
listed is a draft, marked "UTKAST") and by the trail (a draft is neither attested, signed nor
sent)."""

from grants.models import DocumentKind

# (attribute of the organisation profile, label) in the order of the forms.
CONTACT = [
    ("name", "Bidragsmottagare"),
    ("org_number", "Organisationsnummer"),
    ("contact_person", "Kontaktperson"),
    ("postal_address", "Postadress"),
    ("phone", "Telefon inkl. riktnummer"),
    ("email", "E-postadress"),
]
# Printed on the forms, but the region may have none ("Ingen fax"): never missing.
OPTIONAL_CONTACT = [("fax", "Faxnummer"), ("contact_person_title", "Kontaktpersonens befattning")]
GIRO = [("bankgiro", "Bankgiro/Plusgiro")]
SIGNATORY = [("signatory", "Behörig företrädare (namnförtydligande)")]
FINANCE_HEAD = [
    ("finance_head_name", "Ekonomichefens namn"),
    ("finance_head_title", "Ekonomichefens befattning"),
    ("finance_head_phone", "Ekonomichefens telefon"),
    ("finance_head_email", "Ekonomichefens e-postadress"),
]
# (attribute of the agreement, label): §9.1, on every document to an authority.
GOVERNMENT_CASES = [
    ("government_case_number", "Regeringskansliets diarienummer för överenskommelsen"),
    (
        "payment_decision_case_number",
        "Regeringskansliets diarienummer för regeringsbeslut om utbetalning",
    ),
]
REGION_CASE = [("region_case_number", "Regionens diarienummer för överenskommelsen")]
# (attribute of the agreement's report details, label).
PAYMENT_REFERENCE = [("payment_reference", "Önskad betalningsreferens")]

# What each document prints: profile fields, agreement fields, report-detail fields.
PROFILE_FIELDS = {
    DocumentKind.REQUISITION: CONTACT + GIRO + SIGNATORY,
    DocumentKind.FINANCIAL_REPORT: CONTACT + FINANCE_HEAD + SIGNATORY,
    DocumentKind.ACTIVITY_REPORT: CONTACT + SIGNATORY,
    DocumentKind.VFU_REPORT: CONTACT + SIGNATORY,
    DocumentKind.DECISION: [("name", "Regionens namn")],
    DocumentKind.ANNUAL_SUMMARY: [("name", "Regionens namn")],
}
AGREEMENT_FIELDS = {
    DocumentKind.REQUISITION: GOVERNMENT_CASES,
    DocumentKind.FINANCIAL_REPORT: GOVERNMENT_CASES,
    DocumentKind.ACTIVITY_REPORT: GOVERNMENT_CASES,
    DocumentKind.VFU_REPORT: GOVERNMENT_CASES,
    DocumentKind.DECISION: REGION_CASE,
}
# Case numbers a document prints beside its mandatory ones when they are there
# (documents/case_numbers.html): an example value among them makes a draft too.
PRINTED_IF_THERE = {
    DocumentKind.ACTIVITY_REPORT: REGION_CASE,
    DocumentKind.VFU_REPORT: REGION_CASE,
    DocumentKind.DECISION: GOVERNMENT_CASES[:1],
}
VFU_NUMBERS = [
    ("vfu_weeks_previous", "VFU-veckor föregående vårtermin"),
    ("vfu_places_previous", "VFU-platser föregående vårtermin"),
    ("vfu_weeks_estimate", "VFU-veckor, uppskattning vårterminen"),
    ("vfu_places_estimate", "VFU-platser, uppskattning vårterminen"),
]
INFO_FIELDS = {DocumentKind.REQUISITION: PAYMENT_REFERENCE, DocumentKind.VFU_REPORT: VFU_NUMBERS}
# The VFU money: paid after the VFU report is due (April, §3.6.1), so printed when entered;
# an example value among them makes a draft.
VFU_MONEY = [
    ("vfu_received", "Mottagna medel för VFU-satsningen"),
    ("vfu_used", "Använda medel för VFU-satsningen"),
]
INFO_PRINTED_IF_THERE = {DocumentKind.VFU_REPORT: VFU_MONEY}

# Every field a user can mark as an example value, with its label (for the forms).
PROFILE_EXAMPLE_CHOICES = CONTACT + OPTIONAL_CONTACT + GIRO + SIGNATORY + FINANCE_HEAD
AGREEMENT_EXAMPLE_CHOICES = (
    GOVERNMENT_CASES + REGION_CASE + PAYMENT_REFERENCE + VFU_NUMBERS + VFU_MONEY
)

WHERE_PROFILE = "Regionens uppgifter"
WHERE_AGREEMENT = "överenskommelsen"
WHERE_INFO = "rapportuppgifterna"


def _blank(value) -> bool:
    return value is None or not str(value).strip()


def _check(obj, fields, examples, where) -> tuple[list[str], list[str]]:
    missing, example = [], []
    for attribute, label in fields:
        if _blank(getattr(obj, attribute, "")):
            missing.append(f"{label} saknas ({where})")
        elif attribute in examples:
            example.append(f"Exempelvärde, ej bekräftat: {label} ({where})")
    return missing, example


def missing_for(kind: str, context: dict) -> list[str]:
    """Everything that makes the document `kind`, as `context` would print it, a draft:
    mandatory fields left empty, fields whose value is only an example, and the contents'
    own list (`context["missing"]`). Swedish, one entry per item; empty when it may go out."""
    missing, example = [], []
    profile = context.get("profile")
    if profile is not None:
        found = _check(
            profile, PROFILE_FIELDS.get(kind, []), set(profile.example_fields or []), WHERE_PROFILE
        )
        missing += found[0]
        example += found[1]
        # A fax number the region has is printed; one marked as an example is not sent.
        for attribute, label in OPTIONAL_CONTACT:
            if kind in (DocumentKind.REQUISITION, DocumentKind.FINANCIAL_REPORT):
                value = getattr(profile, attribute, "")
                if not _blank(value) and attribute in (profile.example_fields or []):
                    example.append(f"Exempelvärde, ej bekräftat: {label} ({WHERE_PROFILE})")
    agreement = context.get("agreement")
    info = context.get("info")
    info_examples = set(getattr(info, "example_fields", None) or [])
    if agreement is not None:
        found = _check(agreement, AGREEMENT_FIELDS.get(kind, []), info_examples, WHERE_AGREEMENT)
        missing += found[0]
        example += found[1]
        for attribute, label in PRINTED_IF_THERE.get(kind, []):
            if not _blank(getattr(agreement, attribute)) and attribute in info_examples:
                example.append(f"Exempelvärde, ej bekräftat: {label} ({WHERE_AGREEMENT})")
    if info is not None:
        found = _check(info, INFO_FIELDS.get(kind, []), info_examples, WHERE_INFO)
        missing += found[0]
        example += found[1]
        for attribute, label in INFO_PRINTED_IF_THERE.get(kind, []):
            if not _blank(getattr(info, attribute, None)) and attribute in info_examples:
                example.append(f"Exempelvärde, ej bekräftat: {label} ({WHERE_INFO})")
    if kind == DocumentKind.REQUISITION and not context.get("requested"):
        missing.append("Belopp som rekvireras saknas (inga beslutade belopp för regionen)")
    if kind == DocumentKind.ANNUAL_SUMMARY:
        grant_year = context.get("grant_year")
        if grant_year is None or _blank(grant_year.case_number):
            missing.append(f"Regionens diarienummer för uppföljningen {context.get('year')} saknas")
    contents = [str(item) for item in context.get("missing", []) if str(item).strip()]
    return missing + example + [item for item in contents if item not in missing + example]


def refusal(document_label: str, step: str, missing: list[str]) -> str:
    """The Swedish refusal of a step on a draft, naming what is missing."""
    shown = missing[:8]
    more = f" (och {len(missing) - len(shown)} till)" if len(missing) > len(shown) else ""
    return (
        f"{document_label} är ett utkast och kan inte {step}: "
        + "; ".join(shown)
        + more
        + ". Komplettera uppgifterna och skapa dokumentet på nytt."
    )
