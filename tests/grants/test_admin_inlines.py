"""The admin's inline rows are checked against their unique constraints with their parent: a
name the agreement already has is a message on the row, never an IntegrityError (a 500)."""

import pytest
from django.urls import reverse

from grants.models import DevelopmentArea
from tests.fuzzforms import forms


def change_form(client, agreement):
    url = reverse("admin:grants_agreement_change", args=[agreement.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = next(f for f in forms(page.content.decode()) if "areas-TOTAL_FORMS" in f.fields())
    return url, form.data()


def area_field(data, area, name):
    prefix = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(area.pk)
    )
    return f"{prefix}-{name}"


def test_an_area_renamed_to_a_taken_name_is_refused_on_the_row(client_for, gnv2023):
    client = client_for("admin")
    first, second = DevelopmentArea.objects.filter(agreement=gnv2023).order_by("position")[:2]
    url, data = change_form(client, gnv2023)
    data[area_field(data, second, "name")] = first.name
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the message
    assert "Korrigera duplikat" in response.content.decode()
    second.refresh_from_db()
    assert second.name != first.name


def test_two_new_areas_with_one_name_are_refused(client_for, gnv2023):
    client = client_for("admin")
    url, data = change_form(client, gnv2023)
    total = int(data["areas-TOTAL_FORMS"])
    for n in (total, total + 1):
        data[f"areas-{n}-position"] = "9"
        data[f"areas-{n}-name"] = "Samma namn"
    data["areas-TOTAL_FORMS"] = str(total + 2)
    before = DevelopmentArea.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Korrigera duplikat" in response.content.decode()
    assert DevelopmentArea.objects.count() == before


def test_existing_rows_sent_back_as_new_ones_are_refused(client_for, gnv2023):
    """A tampered management form (no initial forms) makes every shown area a new one with a
    name the agreement has: refused with a message, nothing saved."""
    client = client_for("admin")
    url, data = change_form(client, gnv2023)
    data["areas-INITIAL_FORMS"] = "0"
    before = list(DevelopmentArea.objects.values_list("pk", "name"))
    response = client.post(url, data)
    assert response.status_code == 200
    assert "finns redan" in response.content.decode()
    assert list(DevelopmentArea.objects.values_list("pk", "name")) == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_a_json_field_in_the_admin_refuses_what_postgresql_cannot_store(client_for, constant):
    from followup.models import LedgerSource

    source = LedgerSource.objects.create(name="Raindance", mapping={"amount": "Belopp"})
    client = client_for("admin")
    url = reverse("admin:followup_ledgersource_change", args=[source.pk])
    form = next(f for f in forms(client.get(url).content.decode()) if "mapping" in f.fields())
    data = form.data()
    data["mapping"] = f'{{"amount": {constant}}}'
    response = client.post(url, data)
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.mapping == {"amount": "Belopp"}
