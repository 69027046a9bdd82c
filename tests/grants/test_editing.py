"""Officers create and change agreements, areas, components and deadlines in the app."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Agreement, Component, Deadline, DevelopmentArea


def agreement_form(**overrides):
    data = {
        "year": "2024",
        "short_name": "God och nära vård 2024",
        "name": "God och nära vård 2024 – en omställning",
        "slug": "",
        "skr_case_number": "SKR2023/01234",
        "government_case_number": "S2024/00001",
        "payment_decision_case_number": "",
        "region_case_number": "RS/1/2024",
        "decision_date": "2024-01-31",
        "national_total": "6\u202f394\u202f500\u202f000",
        "conditions": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_officer_creates_an_agreement_with_swedish_amount_and_iso_date(client_for, users):
    response = client_for("officer").post(reverse("grants:agreement_create"), agreement_form())
    agreement = Agreement.objects.get(year=2024)
    assert response.status_code == 302
    assert response["Location"] == agreement.get_absolute_url()
    assert agreement.national_total == Decimal("6394500000")
    assert agreement.decision_date == datetime.date(2024, 1, 31)
    assert agreement.slug == "god-och-nara-vard-2024"
    assert agreement.history.get().history_user == users["officer"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_total", "sex miljarder", "är inte ett belopp"),
        ("national_total", "12,345", "två decimaler"),
        ("national_total", "\u22125", "större än eller lika med 0"),
        ("decision_date", "01/11/2024", "giltigt datum"),
        ("decision_date", "31.01.2024", "giltigt datum"),
        ("year", "", "måste fyllas i"),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_saved(client_for, field, value, message):
    response = client_for("officer").post(
        reverse("grants:agreement_create"), agreement_form(**{field: value})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Agreement.objects.exists()


def test_what_the_user_typed_is_shown_again_after_an_error(client_for):
    response = client_for("officer").post(
        reverse("grants:agreement_create"),
        agreement_form(national_total="1 234 5x", name="Mitt långa namn"),
    )
    html = response.content.decode()
    assert 'value="1 234 5x"' in html
    assert "Mitt långa namn" in html


def test_editing_shows_the_amount_the_swedish_way(client_for, gnv2023):
    html = client_for("officer").get(reverse("grants:agreement_edit", args=[gnv2023.pk])).content
    assert 'value="6\u00a0394\u00a0500\u00a0000"' in html.decode()


def test_officer_adds_an_area_and_a_component_in_it(client_for, gnv2023):
    client = client_for("officer")
    client.post(
        reverse("grants:area_create", args=[gnv2023.pk]),
        {"position": "5", "name": "Psykisk hälsa", "description": ""},
    )
    area = gnv2023.areas.get(name="Psykisk hälsa")
    response = client.post(
        reverse("grants:component_create", args=[gnv2023.pk]),
        {
            "area": area.pk,
            "position": "1",
            "name": "Psykisk hälsa, regionerna",
            "recipient_group": "regioner",
            "national_amount": "12,5 mnkr",
            "ring_fenced": "on",
            "requirements": "Krav ett\nKrav två",
        },
    )
    assert response.status_code == 302
    component = area.components.get()
    assert component.national_amount == Decimal("12500000")
    assert component.ring_fenced
    page = client.get(gnv2023.get_absolute_url()).content.decode()
    assert "Psykisk hälsa, regionerna" in page
    assert "<li>Krav två</li>" in page


def test_parts_cannot_exceed_the_component_they_are_part_of(client_for, gnv2023):
    rural = gnv2023.components.get(name="Primärvård i landsbygd")
    response = client_for("officer").post(
        reverse("grants:component_create", args=[gnv2023.pk]),
        {
            "area": rural.area_id,
            "position": "2",
            "name": "Ännu en del",
            "recipient_group": "regioner",
            "national_amount": "2 100 mnkr",
            "included_in": rural.included_in_id,
        },
    )
    assert response.status_code == 400
    assert "högst 2\u00a0089\u00a0000\u00a0000\u00a0kr återstår" in response.content.decode()
    assert not Component.objects.filter(name="Ännu en del").exists()


def test_an_area_of_another_agreement_cannot_be_chosen(client_for, demo):
    other_area = demo[2020].areas.first()
    response = client_for("officer").post(
        reverse("grants:component_create", args=[demo[2023].pk]),
        {
            "area": other_area.pk,
            "position": "1",
            "name": "Fel",
            "recipient_group": "regioner",
            "national_amount": "1",
        },
    )
    assert response.status_code == 400
    assert not Component.objects.filter(name="Fel").exists()


def test_deadline_is_added_and_highlighted_when_near(client_for, gnv2023):
    client = client_for("officer")
    soon = datetime.date.today() + datetime.timedelta(days=5)
    response = client.post(
        reverse("grants:deadline_create", args=[gnv2023.pk]),
        {
            "kind": "rekvisition",
            "due_date": soon.isoformat(),
            "authority": "kammarkollegiet",
            "applies_to": "regioner",
            "description": "Ny rekvisition",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#frister")
    page = client.get(gnv2023.get_absolute_url()).content.decode()
    assert 'class="deadline-snart"' in page
    assert "Snart:" in page
    home = client.get(reverse("grants:home")).content.decode()
    assert "Ny rekvisition" in home


def test_us_style_dates_are_never_read_as_january(client_for, gnv2023):
    response = client_for("officer").post(
        reverse("grants:deadline_create", args=[gnv2023.pk]),
        {"kind": "rekvisition", "due_date": "01/11/2024", "authority": "kammarkollegiet"},
    )
    assert response.status_code == 400
    assert not Deadline.objects.filter(due_date__year=2024, due_date__month=1).exists()


def test_deleting_a_deadline_needs_a_post_and_is_recorded(client_for, gnv2023, users):
    client = client_for("officer")
    deadline = gnv2023.deadlines.first()
    url = reverse("grants:deadline_delete", args=[gnv2023.pk, deadline.pk])
    assert "Ta bort" in client.get(url).content.decode()
    assert Deadline.objects.filter(pk=deadline.pk).exists()
    client.post(url, {"version": deadline.version})
    assert not Deadline.objects.filter(pk=deadline.pk).exists()
    removal = Deadline.history.filter(id=deadline.pk, history_type="-").get()
    assert removal.history_user == users["officer"]


def test_an_area_with_components_is_not_deleted(client_for, gnv2023):
    area = gnv2023.areas.first()
    response = client_for("officer").post(
        reverse("grants:area_delete", args=[gnv2023.pk, area.pk]),
        {"version": area.version},
        follow=True,
    )
    assert DevelopmentArea.objects.filter(pk=area.pk).exists()
    assert "kan inte tas bort" in response.content.decode()


def test_rows_of_one_agreement_cannot_be_reached_through_another(client_for, demo):
    deadline = demo[2020].deadlines.first()
    url = reverse("grants:deadline_edit", args=[demo[2023].pk, deadline.pk])
    assert client_for("officer").get(url).status_code == 404


def test_change_records_old_and_new_value_with_user(client_for, gnv2023, users):
    data = agreement_form(
        year="2023",
        short_name=gnv2023.short_name,
        slug=gnv2023.slug,
        national_total="6 400 mnkr",
        version=gnv2023.version,
    )
    client_for("admin").post(reverse("grants:agreement_edit", args=[gnv2023.pk]), data)
    latest, previous = gnv2023.history.all()[:2]
    assert latest.history_user == users["admin"]
    delta = latest.diff_against(previous)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes["national_total"] == (Decimal("6394500000.00"), Decimal("6400000000.00"))


def test_an_area_name_the_agreement_already_has_is_refused_on_the_field(client_for, gnv2023):
    """Creating or renaming to a taken name answered 500 (IntegrityError); now the field says
    so in Swedish and nothing is saved."""
    client = client_for("officer")
    first, second = list(gnv2023.areas.order_by("position"))[:2]
    count = gnv2023.areas.count()
    response = client.post(
        reverse("grants:area_create", args=[gnv2023.pk]),
        {"position": "9", "name": first.name, "description": ""},
    )
    assert response.status_code == 400
    assert "finns redan" in response.content.decode()
    assert gnv2023.areas.count() == count
    response = client.post(
        reverse("grants:area_edit", args=[gnv2023.pk, second.pk]),
        {
            "position": second.position,
            "name": first.name,
            "description": "",
            "version": second.version,
        },
    )
    assert response.status_code == 400
    assert "finns redan" in response.content.decode()
    second.refresh_from_db()
    assert second.name != first.name
