"""The admin is no back door: a superuser walks every admin page and every change it offers,
and each change either is refused or leaves a history record naming the superuser."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db.models import DecimalField
from django.urls import reverse

from distribution.actions import do_reallocate
from followup.actions import do_close_period
from followup.models import (
    ActivityLink,
    LedgerImport,
    LedgerSource,
    LedgerTransaction,
    ReplacedLedgerTransaction,
)
from plan.actions import do_set_status
from plan.demo import load_plan_setup
from plan.models import SubActivity
from reminders.models import SentReminder
from reporting.models import GeneratedDocument
from tests.reporting.conftest import load_agreement_texts_fixtures

OUR_APPS = {
    "grants",
    "allocations",
    "distribution",
    "followup",
    "plan",
    "reporting",
    "reminders",
}
# Tables whose rows carry money or its rules, the imports and the documents: never changed
# in the admin (the list, and the rules and key values that decide money).
READ_ONLY = {
    "distribution.activity",
    "distribution.reallocation",
    "allocations.decidedamount",
    "allocations.allocationrule",
    "allocations.ruletermcolumn",
    "allocations.keydatavalue",
    "followup.ledgerimport",
    "followup.ledgertransaction",
    "followup.replacedledgertransaction",
    "followup.activitylink",
    "followup.closedperiod",
    "reporting.generateddocument",
    "plan.statuschange",
}
PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "plan" / "gemensam-plan-primarvard.json"


@pytest.fixture
def everything(distribution2023, area_named, users):
    """At least one row in every table the admin shows."""
    load_plan_setup(json.loads(PLAN_FILE.read_text("utf-8")))
    load_agreement_texts_fixtures()  # the decision, its conditions, the reporting requirements
    area = area_named(distribution2023, "Utvecklingen")
    source, target = list(area.activities.order_by("position"))[:2]
    do_reallocate(source, target, Decimal(1000), reason="Test", acting_user=users["officer"])
    do_close_period(2023, 1, acting_user=users["finance"])
    cost_object = area.cost_objects.first()
    ledger_source = LedgerSource.objects.create(name="Raindance", mapping={"amount": "Belopp"})
    ledger = LedgerImport.objects.create(
        source=ledger_source, file_name="hb.csv", file_format="csv", checksum="0" * 64
    )
    LedgerTransaction.objects.create(
        ledger_import=ledger,
        cost_object=cost_object,
        year=2023,
        month=1,
        amount=Decimal("100.00"),
        line=2,
    )
    correction = LedgerImport.objects.create(
        source=ledger_source, file_name="rattelse.csv", file_format="csv", checksum="2" * 64
    )
    ReplacedLedgerTransaction.objects.create(
        replaced_by=correction,
        ledger_import=ledger,
        cost_object=cost_object,
        year=2022,
        month=12,
        amount=Decimal("50.00"),
        line=3,
    )
    ActivityLink.objects.create(cost_object=cost_object, responsibility="1234", activity=target)
    GeneratedDocument.objects.create(
        kind="rekvisition",
        agreement=distribution2023,
        year=2023,
        file_format="pdf",
        file_name="rekvisition.pdf",
        content=b"%PDF-1.7",
        checksum="1" * 64,
    )
    SentReminder.objects.create(deadline=distribution2023.deadlines.first(), step="30")
    sub = SubActivity.objects.first()
    do_set_status(sub, "pagar", comment="Startad", acting_user=users["officer"])
    return distribution2023


def _rows():
    """Row counts of every table of ours that keeps no history."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        and not model.__name__.startswith("Historical")
        and not hasattr(model, "history")
    }


def _history_count(model):
    return model.history.count() if hasattr(model, "history") else 0


def _post_data(response):
    """The change form as the browser would send it back, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool) or getattr(field.widget, "input_type", "") == "checkbox":
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is not None:
                data[key] = str(value)
    return data


def test_every_admin_change_is_refused_or_in_the_history(client, users, everything):
    client.force_login(users["admin"])
    walked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        label = model._meta.label_lower
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").last()
        assert obj is not None, f"no row of {label} to walk"
        walked += 1
        assert client.get(reverse(f"{prefix}_changelist")).status_code == 200, label
        change_url = reverse(f"{prefix}_change", args=[obj.pk])
        page = client.get(change_url)
        assert page.status_code == 200, label
        request = page.wsgi_request
        can_change = model_admin.has_change_permission(request, obj)
        can_delete = model_admin.has_delete_permission(request, obj)
        can_add = model_admin.has_add_permission(request)
        if label in READ_ONLY:
            assert not (can_change or can_delete or can_add), f"{label} is editable in the admin"
        if can_change or can_delete or can_add:
            assert hasattr(model, "history"), f"{label} is editable in the admin without history"
            for inline in model_admin.get_inline_instances(request, obj):
                if inline.has_change_permission(request, obj) or inline.has_delete_permission(
                    request, obj
                ):
                    assert hasattr(inline.model, "history"), f"{label} inline without history"

        # A change: saved with a history record by the superuser, or refused untouched.
        before_rows, before_history = _rows(), _history_count(model)
        response = client.post(change_url, _post_data(page) if can_change else {})
        if can_change:
            assert response.status_code == 302, label
            latest = model.history.filter(id=obj.pk).first()
            assert _history_count(model) == before_history + 1, label
            assert latest.history_user == users["admin"], label
        else:
            assert response.status_code == 403, label
            assert _history_count(model) == before_history, label
        assert _rows() == before_rows, f"{label}: a table without history changed"

        # A delete: gone with a history record by the superuser, or refused and still there.
        before_rows = _rows()
        delete_url = reverse(f"{prefix}_delete", args=[obj.pk])
        response = client.post(delete_url, {"post": "yes"})
        if can_delete and not model._default_manager.filter(pk=obj.pk).exists():
            removal = model.history.filter(id=obj.pk, history_type="-").get()
            assert removal.history_user == users["admin"], label
        else:
            assert model._default_manager.filter(pk=obj.pk).exists(), label
            if not can_delete:
                assert response.status_code == 403, label
        assert _rows() == before_rows, f"{label}: a delete reached a table without history"
    assert walked >= 15


# Written once by their action and never changed: a reallocation, an import and its rows,
# and the rows a later import replaced (kept as they were).
IMMUTABLE = {
    "distribution.reallocation",
    "followup.ledgerimport",
    "followup.ledgertransaction",
    "followup.replacedledgertransaction",
    # The amount to repay as the generated (or attested) document printed it: written by the
    # trail's actions only, each step recorded as a DocumentEvent with the file's checksum.
    "reporting.generateddocument",
    # A key data set's values per municipality as SCB gave them (fetch_scb --per-kommun):
    # written once with the set, no view or admin changes them.
    "allocations.municipalityvalue",
    # The ledger's monthly totals: a sum of the rows kept by the rows' own writes
    # (followup.month_totals), never entered; `manage.py ledger_totals` checks them.
    "followup.ledgermonthtotal",
}


def test_every_model_that_holds_money_or_its_rules_has_history():
    from allocations.models import KeyDataColumn, RuleTerm, RuleTermColumn
    from reporting.models import OrganisationProfile

    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        holds_money = any(isinstance(f, DecimalField) for f in model._meta.concrete_fields)
        if holds_money and model._meta.label_lower not in IMMUTABLE:
            assert hasattr(model, "history"), model._meta.label
    for model in (RuleTerm, RuleTermColumn, OrganisationProfile):
        assert hasattr(model, "history"), model._meta.label
    assert not hasattr(KeyDataColumn, "history")  # only names a column; admin shows it read-only
