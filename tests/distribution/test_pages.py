"""The distribution pages as HOSPA officers, finance and managers use them."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from distribution.models import Activity, CostObject, Reallocation

READ_ONLY = ["finance", "manager"]


def unallocated(html):
    return re.search(r'id="unallocated">([^<]*)<', html).group(1)


def activity_data(**overrides):
    data = {
        "goal": "Fler i primärvården",
        "name": "Mobilt team",
        "covers": "Sjuksköterska 50 %",
        "amount": "1 000 000",
        "responsible": "Primärvårdschef",
        "cost_object": "",
        "ring_fenced_component": "",
        "status": "planerad",
        "private_providers": "true",
        "exit_plan": "",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def near(distribution2023, area_named):
    return area_named(distribution2023, "Utvecklingen")


@pytest.fixture
def urls(near):
    activity = near.activities.first()
    return {
        "view": [
            reverse("distribution:agreement", args=[near.agreement_id]),
            reverse("distribution:area", args=[near.pk]),
            reverse("distribution:area_history", args=[near.pk]),
        ],
        "edit": [
            reverse("distribution:activity_edit", args=[activity.pk]),
            reverse("distribution:activity_delete", args=[activity.pk]),
        ],
        "post": [
            reverse("distribution:copy_previous", args=[near.pk]),
            reverse("distribution:activity_add", args=[near.pk]),
            reverse("distribution:reallocate", args=[near.pk]),
            reverse("distribution:area_plan", args=[near.pk]),
            reverse("distribution:cost_object_add", args=[near.agreement_id]),
        ],
    }


def test_anonymous_users_go_to_login(client, urls):
    for url in urls["view"] + urls["edit"] + urls["post"]:
        response = client.get(url)
        assert response.status_code == 302 and "/logga-in/" in response["Location"], url


@pytest.mark.parametrize("who", ["officer", "finance", "manager", "admin"])
def test_every_role_reads_the_distribution(client_for, urls, who):
    for url in urls["view"]:
        assert client_for(who).get(url).status_code == 200, url


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_change_nothing(client_for, urls, near, who):
    client = client_for(who)
    before = list(Activity.objects.values_list("pk", "amount"))
    for url in urls["edit"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"] + urls["edit"]:
        assert (
            client.post(url, activity_data(number="1234", name="x", area=near.pk)).status_code
            == 403
        ), url
    assert list(Activity.objects.values_list("pk", "amount")) == before
    html = client.get(reverse("distribution:area", args=[near.pk])).content.decode()
    assert "Lägg till aktivitet" not in html


def test_no_role_no_access(client_for, urls):
    for url in urls["view"] + urls["edit"]:
        assert client_for("norole").get(url).status_code == 403, url


def test_adding_an_activity_shrinks_unallocated(client_for, near):
    client = client_for("officer")
    url = reverse("distribution:area", args=[near.pk])
    assert unallocated(client.get(url).content.decode()) == "17\u00a0247\u00a0254\u00a0kr"
    response = client.post(reverse("distribution:activity_add", args=[near.pk]), activity_data())
    assert response.status_code == 302
    assert unallocated(client.get(url).content.decode()) == "16\u00a0247\u00a0254\u00a0kr"


def test_too_much_is_refused_with_the_amount_and_kept_in_the_form(client_for, near):
    client = client_for("officer")
    url = reverse("distribution:activity_add", args=[near.pk])
    response = client.post(url, activity_data(amount="17 247 255", name="För stor"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "överskridet med 1\u00a0kr" in html
    assert 'value="För stor"' in html  # nothing the user typed is lost
    assert not Activity.objects.filter(name="För stor").exists()


def test_cost_object_of_another_area_is_refused(client_for, near):
    other = CostObject.objects.get(number="9917")
    response = client_for("officer").post(
        reverse("distribution:activity_add", args=[near.pk]), activity_data(cost_object=other.pk)
    )
    assert response.status_code == 400
    assert not Activity.objects.filter(name="Mobilt team").exists()


def test_the_second_of_two_edits_is_refused_with_reload_message(client_for, near, users):
    activity = near.activities.get(amount=24_000_000)
    url = reverse("distribution:activity_edit", args=[activity.pk])
    officer = client_for("officer")
    form = officer.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["private_providers"] = "true"
    first = dict(data, amount="23 000 000", reason="Nytt beslut i RS")
    second = dict(data, amount="22 000 000", reason="Annat beslut")
    assert officer.post(url, first).status_code == 302
    admin = Client()
    admin.force_login(users["admin"])
    response = admin.post(url, second)
    assert response.status_code == 400
    assert "Ladda om sidan" in response.content.decode()
    activity.refresh_from_db()
    assert activity.amount == Decimal(23_000_000)


def test_reallocation_in_the_page_and_the_history(client_for, distribution2020, area_named):
    area = area_named(distribution2020, "Utvecklingen")
    source = area.activities.get(name="Hemmonitorering")
    target = area.activities.get(name__startswith="Samordnare")
    client = client_for("officer")
    response = client.post(
        reverse("distribution:reallocate", args=[area.pk]),
        {
            "source": source.pk,
            "target": target.pk,
            "amount": "100 000",
            "reason": "Behov av mer samordning",
        },
    )
    assert response.status_code == 302
    assert Reallocation.objects.get().amount == 100_000
    html = client.get(reverse("distribution:area_history", args=[area.pk])).content.decode()
    assert "Behov av mer samordning" in html
    assert "5\u00a0000\u00a0000\u00a0kr → 4\u00a0900\u00a0000\u00a0kr" in html
    assert "hospa" in html


def test_history_of_an_activity_shows_who_when_and_values(client_for, near):
    activity = near.activities.get(amount=24_000_000)
    client = client_for("officer")
    url = reverse("distribution:activity_edit", args=[activity.pk])
    form = client.get(url).context["form"]
    data = {
        name: ("" if form[name].value() is None else form[name].value()) for name in form.fields
    }
    data.update(private_providers="true", status="pagar")
    client.post(url, data)
    html = client.get(url).content.decode()
    assert "Status: Beslutad → Pågår" in html
    assert "hospa" in html


def test_area_page_queries_do_not_grow_with_activities(
    client_for, near, django_assert_max_num_queries
):
    client = client_for("officer")
    url = reverse("distribution:area", args=[near.pk])
    with django_assert_max_num_queries(40) as captured:
        client.get(url)
    baseline = len(captured)
    for n in range(25):
        Activity.objects.create(area=near, name=f"Extra {n}", amount=0, private_providers=True)
    with django_assert_max_num_queries(baseline):
        client.get(url)
    overview = reverse("distribution:agreement", args=[near.agreement_id])
    with django_assert_max_num_queries(40) as captured:
        client.get(overview)
    baseline = len(captured)
    for n in range(25):
        Activity.objects.create(area=near, name=f"Fler {n}", amount=0, private_providers=True)
    with django_assert_max_num_queries(baseline):
        client.get(overview)


def test_officer_adds_a_cost_object(client_for, near):
    response = client_for("officer").post(
        reverse("distribution:cost_object_add", args=[near.agreement_id]),
        {"number": "9918", "name": "Landsbygd", "area": near.pk},
    )
    assert response.status_code == 302
    assert CostObject.objects.get(number="9918").year == 2023


def test_copy_previous_in_the_page(client_for, distribution2020, demo, area_named):
    target = area_named(demo[2021], "Goda")
    response = client_for("officer").post(
        reverse("distribution:copy_previous", args=[target.pk]), follow=True
    )
    assert "8 aktiviteter kopierades från God och nära vård 2020" in response.content.decode()


def test_two_activities_of_one_name_in_an_area_are_refused_in_swedish(client_for, near):
    client = client_for("officer")
    url = reverse("distribution:activity_add", args=[near.pk])
    taken = near.activities.first().name
    response = client.post(url, activity_data(name=taken, amount="1"))
    assert response.status_code == 400
    assert "Det finns redan en aktivitet med det namnet i utvecklingsområdet" in (
        response.content.decode()
    )
    assert near.activities.filter(name=taken).count() == 1
    # An edit to a taken name is refused too.
    second = near.activities.exclude(name=taken).first()
    edit = reverse("distribution:activity_edit", args=[second.pk])
    from tests.formdata import form_data

    data = form_data(client.get(edit).content.decode(), "name")
    response = client.post(edit, {**data, "name": taken})
    assert response.status_code == 400
    assert "Det finns redan en aktivitet med det namnet" in response.content.decode()
