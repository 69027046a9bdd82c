"""Entra ID as regions run it, against the real OpenID provider of the SSO tests (npm's
`oidc-provider`) sending Entra's shapes: app roles, `oid`/`tid` with a `sub` that changes with
the app registration, `upn` without `email`, the groups overage read from a Graph stand-in,
an expired token, and roles checked again during the session by a silent sign-in."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from accounts import oidc
from accounts.models import SsoIdentity
from common.roles import Role, roles_of

from . import test_sso_browser as sso_tests
from .test_sso_browser import PROVIDER_NAME, sign_in_at_provider, sign_out_everywhere

# The SSO tests' fixtures: the provider process, the app's settings for it, the page.
provider = sso_tests.provider
sso = sso_tests.sso
page = sso_tests.page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entra(sso, settings):
    settings.OIDC_RP_SCOPES = "openid profile email groups entra"
    settings.OIDC_ROLE_APP_ROLES = {
        Role.OFFICER.value: ["Statsbidrag.Handlaggare"],
        Role.FINANCE.value: ["Statsbidrag.Ekonom"],
        Role.MANAGER.value: ["Statsbidrag.Chef"],
        Role.ADMIN.value: ["Statsbidrag.Admin"],
    }
    settings.OIDC_GRAPH_MEMBER_OF_URL = f"{sso.issuer}/graph/me/memberOf"
    return sso


def test_app_roles_upn_as_email_and_one_user_across_app_registrations(page, entra):
    dora = {
        "name": "Dora Dahl",
        "preferred_username": "dora.dahl@region.example",
        "upn": "dora.dahl@region.example",
        "oid": "7f1c-dora",
        "tid": "tenant-jh",
        "roles": ["Statsbidrag.Chef", "Något.Annat"],
    }
    entra.set_accounts({"dora": dora})
    sign_in_at_provider(page, "dora")
    expect(page.locator(".user-box")).to_contain_text("Dora Dahl (Chef)")
    user = User.objects.get(sso_identity__object_id="7f1c-dora")
    assert user.email == "dora.dahl@region.example"  # from upn: no email claim
    assert roles_of(user) == {Role.MANAGER}
    identity = SsoIdentity.objects.get(user=user)
    assert (identity.tenant, identity.subject) == ("tenant-jh", "dora")

    # The app is registered anew: Entra sends another `sub` (here: the provider's subject for
    # another login name), the same oid in the same tenant. The same user, not a second one.
    sign_out_everywhere(page)
    entra.set_accounts({"dora-ny-registrering": dora})
    sign_in_at_provider(page, "dora-ny-registrering")
    expect(page.locator(".user-box")).to_contain_text("Dora Dahl (Chef)")
    assert User.objects.filter(first_name="Dora Dahl").count() == 1
    assert SsoIdentity.objects.get(user=user).subject == "dora-ny-registrering"
    # Another tenant's person with the same oid is someone else.
    sign_out_everywhere(page)
    entra.set_accounts({"annan": {**dora, "tid": "annan-tenant", "upn": "d@annan.example"}})
    sign_in_at_provider(page, "annan")
    assert User.objects.filter(first_name="Dora Dahl").count() == 2


def overage(graph_groups):
    return {
        "erik": {
            "name": "Erik Ek",
            "email": "erik@region.example",
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {
                "src1": {"endpoint": "https://graph.windows.net/tenant/users/erik/getMemberObjects"}
            },
            "graph_groups": graph_groups,
        }
    }


def test_a_groups_overage_is_read_from_graph(page, entra):
    entra.set_accounts(overage(["g-1", "g-2", "g-3", "sb-ekonomer", "g-5"]))
    sign_in_at_provider(page, "erik")
    expect(page.locator(".user-box")).to_contain_text("Erik Ek (Ekonom)")
    assert roles_of(User.objects.get(email="erik@region.example")) == {Role.FINANCE}


def test_a_groups_overage_without_graph_is_refused_telling_to_use_app_roles(page, entra, settings):
    settings.OIDC_GRAPH_MEMBER_OF_URL = ""
    entra.set_accounts(overage(["sb-ekonomer"]))
    sign_in_at_provider(page, "erik")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    expect(page.locator(".messages")).to_contain_text("approller")
    assert not User.objects.filter(email="erik@region.example").exists()


def test_an_expired_id_token_gives_a_swedish_message_not_an_error(page, entra, monkeypatch):
    entra.set_accounts({"frida": {"name": "Frida F", "roles": ["Statsbidrag.Chef"]}})
    real_now = oidc.now
    monkeypatch.setattr(oidc, "now", lambda: real_now() + 2 * 3600)  # two hours later
    sign_in_at_provider(page, "frida")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    expect(page.locator(".messages")).to_contain_text(
        f"Inloggningen med {PROVIDER_NAME} kunde inte godtas"
    )
    assert not User.objects.filter(sso_identity__subject="frida").exists()


def expire_role_check():
    for row in Session.objects.all():
        session = SessionStore(session_key=row.session_key)
        if "oidc_id_token_expiration" in session:
            session["oidc_id_token_expiration"] = 0
            session.save()


def test_roles_are_checked_again_during_the_session(page, entra):
    gustav = {"name": "Gustav G", "roles": ["Statsbidrag.Chef", "Statsbidrag.Ekonom"]}
    entra.set_accounts({"gustav": gustav})
    sign_in_at_provider(page, "gustav")
    expect(page.locator(".user-box")).to_contain_text("Gustav G (Chef, Ekonom)")

    # Taken out of a role at the provider: within the check interval, without signing out.
    entra.set_accounts({"gustav": {**gustav, "roles": ["Statsbidrag.Chef"]}})
    page.goto("/overenskommelser/")
    expect(page.locator(".user-box")).to_contain_text("Gustav G (Chef, Ekonom)")
    expire_role_check()
    page.goto("/overenskommelser/")
    expect(page).to_have_url(re.compile(r"/overenskommelser/$"))
    expect(page.locator(".user-box")).to_contain_text("Gustav G (Chef)")
    assert roles_of(User.objects.get(sso_identity__subject="gustav")) == {Role.MANAGER}

    # Out of every role: signed out at the next check.
    entra.set_accounts({"gustav": {**gustav, "roles": []}})
    expire_role_check()
    page.goto("/overenskommelser/")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    page.goto("/overenskommelser/")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
