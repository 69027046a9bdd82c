"""Every page, every role: who may see it, who may change through it."""

import pytest
from django.urls import reverse

VIEWERS = ["officer", "finance", "manager", "admin"]
EDITORS = ["officer", "admin"]
READ_ONLY = ["finance", "manager"]


@pytest.fixture
def urls(gnv2023):
    area = gnv2023.areas.first()
    component = gnv2023.components.first()
    deadline = gnv2023.deadlines.first()
    pk = gnv2023.pk
    view = [
        reverse("grants:home"),
        reverse("grants:agreement_list"),
        reverse("grants:agreement_detail", args=[pk]),
        reverse("grants:region_list"),
    ]
    edit = [
        reverse("grants:agreement_create"),
        reverse("grants:agreement_edit", args=[pk]),
        reverse("grants:area_create", args=[pk]),
        reverse("grants:area_edit", args=[pk, area.pk]),
        reverse("grants:area_delete", args=[pk, area.pk]),
        reverse("grants:component_create", args=[pk]),
        reverse("grants:component_edit", args=[pk, component.pk]),
        reverse("grants:component_delete", args=[pk, component.pk]),
        reverse("grants:deadline_create", args=[pk]),
        reverse("grants:deadline_edit", args=[pk, deadline.pk]),
        reverse("grants:deadline_delete", args=[pk, deadline.pk]),
    ]
    return {"view": view, "edit": edit}


def test_anonymous_users_are_sent_to_login_from_every_page(client, urls):
    for url in urls["view"] + urls["edit"]:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("who", VIEWERS)
def test_every_role_sees_the_pages(client_for, urls, who):
    client = client_for(who)
    for url in urls["view"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", EDITORS)
def test_officers_and_admins_open_the_edit_pages(client_for, urls, who):
    client = client_for(who)
    for url in urls["edit"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", READ_ONLY)
def test_finance_and_managers_are_refused_every_change(client_for, urls, who, gnv2023):
    client = client_for(who)
    before = (gnv2023.areas.count(), gnv2023.components.count(), gnv2023.deadlines.count())
    for url in urls["edit"]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    after = (gnv2023.areas.count(), gnv2023.components.count(), gnv2023.deadlines.count())
    assert after == before


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_see_no_edit_controls(client_for, gnv2023, who):
    html = client_for(who).get(gnv2023.get_absolute_url()).content.decode()
    assert "Ändra uppgifter" not in html
    assert "Ny frist" not in html
    assert reverse("grants:component_create", args=[gnv2023.pk]) not in html


def test_officers_see_edit_controls(client_for, gnv2023):
    html = client_for("officer").get(gnv2023.get_absolute_url()).content.decode()
    assert "Ändra uppgifter" in html
    assert reverse("grants:deadline_create", args=[gnv2023.pk]) in html


def test_a_user_without_a_role_is_refused_everywhere(client_for, urls):
    client = client_for("norole")
    for url in urls["view"] + urls["edit"]:
        assert client.get(url).status_code == 403, url


def test_only_administrators_reach_the_django_admin(client_for, gnv2023):
    admin = client_for("admin")
    for name in ["agreement", "developmentarea", "component", "deadline", "region"]:
        assert admin.get(reverse(f"admin:grants_{name}_changelist")).status_code == 200, name
    assert admin.get(reverse("admin:grants_agreement_change", args=[gnv2023.pk])).status_code == 200
    for who in ["officer", "finance", "manager"]:
        response = client_for(who).get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_login_page_is_swedish_and_logs_in(client, users):
    page = client.get(reverse("login")).content.decode()
    assert "Användarnamn" in page and "Lösenord" in page
    response = client.post(reverse("login"), {"username": "hospa", "password": "lösen-för-test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:start")
    wrong = client.post(reverse("login"), {"username": "hospa", "password": "fel"})
    assert "korrekt användarnamn" in wrong.content.decode()
