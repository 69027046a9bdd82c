"""Money changes carry a reason, kept and shown; every history reads as people write: field
labels, related objects by name, old → new, who, when and why."""

from decimal import Decimal

import pytest
from django.urls import reverse

from allocations.models import AllocationRule, DecidedAmount, KeyDataSet, KeyDataValue
from common.history import timeline
from distribution.models import Activity, ActivityStatus
from grants.models import Component, Region

from .formdata import form_data

NBSP = "\u00a0"


def kr(amount: int) -> str:
    return f"{amount:,}".replace(",", NBSP) + f"{NBSP}kr"


@pytest.fixture
def near(distribution2023, area_named):
    return area_named(distribution2023, "Utvecklingen")


def test_decided_activity_amount_needs_a_reason_shown_in_history(client_for, near):
    activity = near.activities.filter(status=ActivityStatus.DECIDED).first()
    client = client_for("officer")
    url = reverse("distribution:activity_edit", args=[activity.pk])
    data = form_data(client.get(url).content.decode(), "name")
    response = client.post(url, {**data, "amount": "1 000"})
    assert response.status_code == 400
    assert "Ange skälet till att beloppet ändras" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).amount == activity.amount

    response = client.post(url, {**data, "amount": "1 000", "reason": "Beslut RS 2023-05-12 §45"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Beslut RS 2023-05-12 §45" in html
    assert f"Belopp: {kr(int(activity.amount))} → {kr(1000)}" in html


def test_planned_activity_amount_needs_no_reason(client_for, near, users):
    activity = near.activities.first()
    Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.PLANNED)
    client = client_for("officer")
    url = reverse("distribution:activity_edit", args=[activity.pk])
    data = form_data(client.get(url).content.decode(), "name")
    assert client.post(url, {**data, "amount": "1 000"}).status_code == 302


def test_decided_amounts_need_a_reason_when_they_change(client_for, allocations2023):
    component = allocations2023.components.get(name="VFU-satsning för sjuksköterskestudenter")
    client = client_for("officer")
    url = reverse("allocations:decided_edit", args=[allocations2023.pk, component.pk])
    amounts = {f"r{r.county_code}": "1 000" for r in Region.objects.all()}
    first = form_data(client.get(url).content.decode(), "r23")
    assert client.post(url, {**first, **amounts}).status_code == 302  # first entry: no reason
    again = form_data(client.get(url).content.decode(), "r23")
    response = client.post(url, {**again, "r23": "2 000"})
    assert response.status_code == 400
    assert "Ange skälet till ändringen av beslutade belopp" in response.content.decode()
    assert DecidedAmount.objects.get(component=component, region__county_code="23").amount == 1000
    response = client.post(url, {**again, "r23": "2 000", "reason": "Rättat beslut"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Rättat beslut" in html
    assert f"Beslutat belopp: {kr(1000)} → {kr(2000)}" in html
    assert "Region Jämtland Härjedalen" in html  # the region by name, not its id


def test_rule_change_needs_a_reason_and_shows_the_key_before_and_after(client_for, allocations2023):
    rule = AllocationRule.objects.filter(
        component__agreement=allocations2023, method="nyckel", base_amount=0
    ).first()
    before = rule.describe()
    client = client_for("officer")
    url = reverse("allocations:rule_edit", args=[allocations2023.pk, rule.component_id])
    data = form_data(client.get(url).content.decode(), "method")
    response = client.post(url, {**data, "base_amount": "1 000"})
    assert response.status_code == 400
    assert "Ange skälet till ändringen av fördelningsregeln" in response.content.decode()
    response = client.post(url, {**data, "base_amount": "1 000", "reason": "Grundbelopp införs"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Grundbelopp införs" in html
    after = AllocationRule.objects.get(pk=rule.pk).describe()
    assert after.startswith(f"{kr(1000)} per mottagare")
    assert f"Nyckel: {before} → {after}".replace(" ", "") in html.replace(" ", "").replace(
        "&times;", "×"
    )


def test_key_data_change_needs_a_reason(client_for, allocations2023):
    dataset = KeyDataSet.objects.get(name="HSL-individer 2022")
    column = dataset.columns.get()
    client = client_for("officer")
    url = reverse("allocations:dataset_edit", args=[dataset.pk])
    field = f"v{column.pk}_23"
    data = form_data(client.get(url).content.decode(), field)
    response = client.post(url, {**data, field: "6 000"})
    assert response.status_code == 400
    assert "Ange skälet" in response.content.decode()
    assert KeyDataValue.objects.get(column=column, region__county_code="23").value == 5837
    assert client.post(url, {**data, field: "6 000", "reason": "SCB rättade"}).status_code == 302
    html = client.get(reverse("allocations:dataset_detail", args=[dataset.pk])).content.decode()
    assert "SCB rättade" in html and "Jämtland" in html


def test_history_names_related_objects_and_labels(near, users):
    activity = near.activities.filter(cost_object__number="9916").first()
    activity.cost_object = None
    activity.notes = "Objekt byts"
    activity._history_user = users["officer"]
    activity.save()
    entry = timeline(activity.history.all())[0]
    assert ("Objekt", "9916 Nära vård", "Ej angivet") in entry.fields
    assert ("Anmärkningar", "Ej angivet", "Objekt byts") in entry.fields
    assert entry.who == "hospa" and entry.kind == "Ändrad"


def test_ring_fenced_money_is_named_not_numbered(distribution2023, area_named):
    activity = (
        Activity.objects.filter(
            area__agreement=distribution2023, ring_fenced_component__isnull=False
        )
        .select_related("ring_fenced_component")
        .first()
    )
    created = timeline(activity.history.all())[-1]
    label = "Öronmärkta medel för"
    assert (label, "", activity.ring_fenced_component.name) in created.fields


def test_agreement_history_page_shows_children_even_deleted(client_for, gnv2023):
    client = client_for("officer")
    component = Component.objects.create(
        agreement=gnv2023,
        area=gnv2023.areas.first(),
        name="Borttaget delområde",
        recipient_group="regioner",
        national_amount=Decimal(5_000_000),
    )
    url = reverse("grants:component_delete", args=[gnv2023.pk, component.pk])
    client.post(url, {"version": component.version})
    html = client.get(reverse("grants:agreement_history", args=[gnv2023.pk])).content.decode()
    assert "Borttaget delområde" in html
    assert "Borttagen" in html
    assert f"Nationellt belopp: {kr(5_000_000)}" in html
    assert f"Utvecklingsområde: {gnv2023.areas.first().name}" in html
    assert "hospa" in html


@pytest.mark.parametrize("kind", ["area", "component", "deadline"])
def test_each_object_has_a_history_page_linked_from_the_agreement(client_for, gnv2023, kind):
    client = client_for("officer")
    obj = {
        "area": gnv2023.areas.first(),
        "component": gnv2023.components.first(),
        "deadline": gnv2023.deadlines.first(),
    }[kind]
    url = reverse(f"grants:{kind}_history", args=[gnv2023.pk, obj.pk])
    assert url in client.get(gnv2023.get_absolute_url()).content.decode()
    html = client_for("manager").get(url).content.decode()
    assert "Skapad" in html and str(obj) in html
