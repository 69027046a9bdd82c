"""Load a year's state grants (the annual summary) and the region's details from a file; and
per agreement what the region's decision says (metadata, conditions) and what the agreement
asks the region to report on."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from common.money import parse_amount
from grants.models import Agreement

from .models import (
    AgreementReport,
    Decision,
    DecisionCondition,
    OrganisationProfile,
    ReportingRequirement,
    StateGrant,
    StateGrantArea,
    StateGrantLine,
    StateGrantSpending,
    StateGrantYear,
)


@transaction.atomic
def load_state_grants(data: dict) -> StateGrantYear:
    if not OrganisationProfile.objects.exists() and data.get("organisation"):
        OrganisationProfile.objects.create(**data["organisation"])
    grant_year = StateGrantYear.objects.create(
        year=data["year"],
        case_number=data.get("case_number", ""),
        stated_total=parse_amount(data["stated_total"]) if data.get("stated_total") else None,
        stated_temporary_total=(
            parse_amount(data["stated_temporary_total"])
            if data.get("stated_temporary_total")
            else None
        ),
        introduction=data.get("introduction", ""),
    )
    for temporary, key in ((False, "grants"), (True, "temporary")):
        for position, spec in enumerate(data.get(key, []), start=1):
            grant = StateGrant.objects.create(
                grant_year=grant_year,
                position=position,
                name=spec["name"],
                case_number=spec.get("case_number", ""),
                temporary=temporary,
                agreement=Agreement.objects.filter(slug=spec.get("agreement", "")).first(),
                follow_up=spec.get("follow_up", ""),
            )
            for number, (amount, comment) in enumerate(spec.get("lines", []), start=1):
                StateGrantLine.objects.create(
                    grant=grant, position=number, amount=parse_amount(amount), comment=comment
                )
            for number, area in enumerate(spec.get("areas", []), start=1):
                StateGrantArea.objects.create(
                    grant=grant,
                    position=number,
                    name=area["name"],
                    contents="\n".join(area.get("contents", [])),
                    amount_mnkr=Decimal(area["mnkr"]),
                )
            for number, (label, amount) in enumerate(spec.get("spending", []), start=1):
                StateGrantSpending.objects.create(
                    grant=grant, position=number, label=label, amount=parse_amount(amount)
                )
    return grant_year


@transaction.atomic
def load_report_details(data: dict) -> list[str]:
    """The region's details and each agreement's case numbers and payment reference (the
    form fields of seed 001, bilaga 1): blanks are filled, values already entered are kept;
    the organisation's numbers are checked like the form checks them. Returns what was
    filled, in Swedish."""
    done = []
    profile = OrganisationProfile.objects.first() or OrganisationProfile()
    new = profile.pk is None
    for name, value in data.get("organisation", {}).items():
        default = OrganisationProfile._meta.get_field(name).get_default()
        if new or getattr(profile, name) in ("", [], None, default):
            setattr(profile, name, value)
    try:
        profile.full_clean()
    except ValidationError as error:
        raise ValueError(f"Regionens uppgifter i demodatan: {error.messages}") from error
    profile.save()
    done.append("Regionens uppgifter")
    for slug, spec in data.get("agreements", {}).items():
        agreement = Agreement.objects.filter(slug=slug).first()
        if agreement is None:
            continue
        changed = [
            name
            for name, value in spec.get("agreement", {}).items()
            if not getattr(agreement, name) and value
        ]
        for name in changed:
            setattr(agreement, name, spec["agreement"][name])
        if changed:
            agreement.save()
        report = AgreementReport.objects.filter(agreement=agreement).first() or AgreementReport(
            agreement=agreement
        )
        for name, value in spec.get("report", {}).items():
            if getattr(report, name) in ("", [], None):
                setattr(report, name, value)
        report.save()
        done.append(str(agreement))
    return done


def load_agreement_texts(data: dict):
    """An agreement's distribution decision (who decided, when, §, Dnr, handler, conditions)
    and its reporting requirements, from fixtures/reporting/agreements/. Nothing when the
    agreement is not loaded or already has them. Narratives are left for the officers."""
    agreement = Agreement.objects.filter(slug=data["agreement"]).first()
    if agreement is None:
        return None
    spec = data.get("decision")
    if spec and not Decision.objects.filter(agreement=agreement).exists():
        conditions = spec.get("conditions", [])
        decision = Decision.objects.create(
            agreement=agreement, **{k: v for k, v in spec.items() if k != "conditions"}
        )
        for position, text in enumerate(conditions, start=1):
            DecisionCondition.objects.create(decision=decision, position=position, text=text)
    if not agreement.reporting_requirements.exists():
        for position, item in enumerate(data.get("requirements", []), start=1):
            ReportingRequirement.objects.create(agreement=agreement, position=position, **item)
    return agreement
