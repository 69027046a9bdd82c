"""Backslashes, group references, template syntax, format codes and HTML in every free-text
field: every page still answers, shows the text as text, and every document is generated."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from distribution.models import Activity, AreaPlan, CostObject
from followup.demo import load_demo_ledger
from followup.models import ActivityLink, LedgerSource
from plan.demo import load_plan_setup
from reminders.models import SentReminder
from reporting.demo import load_state_grants
from reporting.models import (
    ActivityReport,
    AgreementReport,
    AreaReport,
    DocumentKind,
    OrganisationProfile,
)

# The nastiest first: short fields keep only the start.
HOSTILE = (
    r"\g<0>$1\1{{x}}%s<b>(C:\data\2023)</b> {% now 'Y' %} %(x)s ${x} "
    "<script>alert('x')</script> =HYPERLINK(\"http://evil.example\")"
)
RAW_HTML = "<script>alert('x')</script>"
OUR_APPS = {
    "grants",
    "allocations",
    "distribution",
    "followup",
    "plan",
    "reporting",
    "reminders",
}
# Codes the app parses or puts into URLs and headers; not free text.
NOT_FREE_TEXT = {
    "grants.region.county_code",
    "grants.agreement.slug",
    "distribution.costobject.number",
    "reminders.sentreminder.step",
    "reporting.generateddocument.file_format",
    "reporting.generateddocument.file_name",
    "reporting.generateddocument.checksum",
    "followup.ledgerimport.file_format",
    "followup.ledgerimport.checksum",
}


def _free_text_fields(model):
    for field in model._meta.concrete_fields:
        label = f"{model._meta.label_lower}.{field.name}"
        if (
            isinstance(field, models.CharField | models.TextField)
            and not isinstance(field, models.EmailField | models.SlugField)
            and not field.choices
            and label not in NOT_FREE_TEXT
        ):
            yield field


def _hostile(field, pk):
    text = f"{HOSTILE} {pk}"
    if field.max_length and len(text) > field.max_length:
        text = text[: field.max_length - len(str(pk)) - 1] + f" {pk}"
    return text


@pytest.fixture
def everywhere(distribution2023, users):
    """The 2023 agreement with ledger, texts, links, reminders and state grants, and then
    every free-text field of every row made hostile."""
    load_demo_ledger(distribution2023)
    load_state_grants(
        json.loads(
            (Path(settings.BASE_DIR) / "fixtures/reporting/statsbidrag-2021.json").read_text(
                "utf-8"
            )
        )
    )
    OrganisationProfile.objects.create(name="Region Jämtland Härjedalen")
    AgreementReport.objects.get_or_create(agreement=distribution2023)
    area = distribution2023.areas.first()
    AreaReport.objects.get_or_create(area=area)
    AreaPlan.objects.get_or_create(area=area)
    activity = Activity.objects.filter(area=area).first()
    ActivityReport.objects.get_or_create(activity=activity)
    ActivityLink.objects.create(
        cost_object=CostObject.objects.filter(area=area).first(),
        responsibility="1",
        activity=activity,
    )
    LedgerSource.objects.get_or_create(name="Källa", defaults={"mapping": {}})
    SentReminder.objects.create(deadline=distribution2023.deadlines.first(), step="30")
    load_plan_setup(
        json.loads(
            (Path(settings.BASE_DIR) / "fixtures/plan/gemensam-plan-primarvard.json").read_text(
                "utf-8"
            )
        )
    )
    changed = 0
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        fields = list(_free_text_fields(model))
        for pk in model._default_manager.values_list("pk", flat=True):
            model._default_manager.filter(pk=pk).update(
                **{field.name: _hostile(field, pk) for field in fields}
            )
            changed += 1
    assert changed > 100
    return distribution2023


def _pages(agreement):
    from allocations.models import AllocationRule, KeyDataSet
    from reporting.models import StateGrantYear

    pk = agreement.pk
    area = agreement.areas.first()
    component = agreement.components.first()
    deadline = agreement.deadlines.first()
    activity = Activity.objects.filter(area__agreement=agreement).first()
    dataset = KeyDataSet.objects.first()
    rule = AllocationRule.objects.filter(component__agreement=agreement).first()
    yield reverse("grants:home")
    yield reverse("grants:agreement_list")
    yield reverse("grants:agreement_create")
    yield reverse("grants:region_list")
    for name in ("agreement_detail", "agreement_edit", "agreement_history"):
        yield reverse(f"grants:{name}", args=[pk])
    for kind, obj in (("area", area), ("component", component), ("deadline", deadline)):
        yield reverse(f"grants:{kind}_create", args=[pk])
        for action in ("edit", "delete", "history"):
            yield reverse(f"grants:{kind}_{action}", args=[pk, obj.pk])
    yield reverse("allocations:dataset_list")
    yield reverse("allocations:dataset_import")
    yield reverse("allocations:dataset_detail", args=[dataset.pk])
    yield reverse("allocations:dataset_edit", args=[dataset.pk])
    for group in ("regioner", "kommuner"):
        table = reverse("allocations:table", args=[pk, group])
        yield table
        yield table + "?format=csv"
        yield table + "?format=xlsx"
    yield reverse("allocations:rule_edit", args=[pk, rule.component_id])
    yield reverse("allocations:decided_edit", args=[pk, rule.component_id])
    yield reverse("distribution:agreement", args=[pk])
    yield reverse("distribution:area", args=[area.pk])
    yield reverse("distribution:area_history", args=[area.pk])
    yield reverse("distribution:activity_edit", args=[activity.pk])
    yield reverse("distribution:activity_delete", args=[activity.pk])
    yield reverse("followup:overview", args=[pk])
    yield reverse("followup:workbook", args=[pk])
    yield reverse("followup:links", args=[pk])
    yield reverse("followup:imports")
    yield reverse("followup:source_new")
    yield reverse("followup:periods", args=[agreement.year])
    yield reverse("followup:forecast", args=[activity.pk])
    yield reverse("reporting:agreement", args=[pk])
    yield reverse("reporting:texts", args=[pk])
    for kind in (
        DocumentKind.REQUISITION,
        DocumentKind.FINANCIAL_REPORT,
        DocumentKind.ACTIVITY_REPORT,
        DocumentKind.DECISION,
    ):
        yield reverse("reporting:document", args=[pk, kind])
    for year in StateGrantYear.objects.values_list("year", flat=True):
        yield reverse("reporting:annual_summary", args=[year])
    yield reverse("reporting:organisation")
    yield reverse("dashboard:start")
    yield reverse("dashboard:overview")
    yield reverse("dashboard:overview") + f"?ar={agreement.year}"
    yield reverse("dashboard:activities")
    yield reverse("dashboard:activities") + "?format=xlsx"
    yield reverse("dashboard:transactions")
    yield reverse("dashboard:transactions") + "?format=xlsx"
    yield from _plan_pages()


def _plan_pages():
    from plan.models import (
        Indicator,
        MeasureQuestion,
        Party,
        Plan,
        PlanActivity,
        Strategy,
        SubActivity,
    )

    plan = Plan.objects.first()
    indicator = Indicator.objects.filter(strategy__isnull=False).first()
    activity = PlanActivity.objects.first()
    sub = SubActivity.objects.first()
    yield reverse("plan:list")
    for name in ("detail", "edit", "followup", "followup_pdf", "party_add"):
        yield reverse(f"plan:{name}", args=[plan.pk])
    yield reverse("plan:party_edit", args=[Party.objects.first().pk])
    strategy = Strategy.objects.first()
    yield reverse("plan:strategy_edit", args=[strategy.pk])
    yield reverse("plan:indicator_add", args=[strategy.pk])
    yield reverse("plan:activity_add", args=[strategy.pk])
    for name in ("indicator", "indicator_edit", "indicator_export", "measurement_add"):
        yield reverse(f"plan:{name}", args=[indicator.pk])
    for name in ("activity", "activity_edit", "sub_add", "link_add"):
        yield reverse(f"plan:{name}", args=[activity.pk])
    for name in ("sub_edit", "sub_status", "question_add"):
        yield reverse(f"plan:{name}", args=[sub.pk])
    question = MeasureQuestion.objects.first()
    if question is not None:
        yield reverse("plan:question_edit", args=[question.pk])
        yield reverse("plan:question_answer", args=[question.pk])


def test_every_page_answers_and_shows_hostile_text_as_text(client_for, everywhere):
    client = client_for("admin")
    pages = list(_pages(everywhere))
    for url in pages:
        response = client.get(url, follow=True)
        if response.status_code == 405:
            continue  # a form target that only takes POST; its page is among the others
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert RAW_HTML not in html, url
            assert "<b>(C:" not in html, url
    # The hostile text itself reaches the pages, escaped, not lost.
    html = client.get(reverse("grants:agreement_detail", args=[everywhere.pk])).content.decode()
    assert r"\g&lt;0&gt;$1\1{{x}}%s&lt;b&gt;(C:\data\2023)" in html
    assert len(pages) > 50


def test_every_document_is_generated_with_hostile_text(client_for, everywhere):
    from pypdf import PdfReader

    from reporting.models import GeneratedDocument, StateGrantYear

    client = client_for("officer")
    posts = [
        (reverse("reporting:generate", args=[everywhere.pk, kind]), file_format)
        for kind, file_format in (
            (DocumentKind.REQUISITION, "pdf"),
            (DocumentKind.FINANCIAL_REPORT, "pdf"),
            (DocumentKind.FINANCIAL_REPORT, "xlsx"),
            (DocumentKind.ACTIVITY_REPORT, "pdf"),
            (DocumentKind.DECISION, "pdf"),
        )
    ] + [
        (reverse("reporting:generate_summary", args=[year]), "pdf")
        for year in StateGrantYear.objects.values_list("year", flat=True)
    ]
    for url, file_format in posts:
        response = client.post(url, {"format": file_format})
        assert response.status_code == 200, url
        if file_format == "pdf":
            assert response.content.startswith(b"%PDF"), url
    texts = "".join(
        page.extract_text()
        for document in GeneratedDocument.objects.filter(file_format="pdf")
        for page in PdfReader(__import__("io").BytesIO(bytes(document.content))).pages
    )
    assert "{{x}}" in texts and "\\g<0>" in texts
    stored = client.get(reverse("reporting:stored", args=[GeneratedDocument.objects.first().pk]))
    assert stored.status_code == 200
