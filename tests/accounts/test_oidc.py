"""Single sign-on when the provider cannot be reached: a Swedish message on the login page,
never an error page; and which claim gives the e-mail."""

import socket

import pytest

from accounts import oidc

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable(settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{closed_port()}"
    settings.OIDC_RP_CLIENT_ID = "statsbidrag"
    settings.OIDC_RP_CLIENT_SECRET = "hemligt"
    settings.OIDC_PROVIDER_NAME = "Regionens inloggning"
    settings.OIDC_TIMEOUT = 2
    oidc._discovery.clear()
    return settings


def test_the_sso_button_with_the_provider_down_says_so_in_swedish(client, unreachable):
    response = client.get("/sso/logga-in/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/logga-in/")
    assert "Regionens inloggning går inte att nå just nu" in response.content.decode()


def test_the_callback_with_the_provider_down_says_so_in_swedish(client, unreachable):
    session = client.session
    session["oidc_states"] = {"s1": {"nonce": "n1", "code_verifier": "v" * 64}}
    session.save()
    response = client.get("/sso/callback/", {"code": "c1", "state": "s1"}, follow=True)
    assert response.status_code == 200
    assert "Regionens inloggning går inte att nå just nu" in response.content.decode()


def test_an_unknown_state_at_the_callback_is_a_swedish_refusal(client, unreachable):
    session = client.session
    session["oidc_states"] = {"s1": {"nonce": "n1", "code_verifier": None}}
    session.save()
    response = client.get("/sso/callback/", {"code": "c1", "state": "annat"}, follow=True)
    assert response.status_code == 200
    assert "kunde inte godtas" in response.content.decode()


def test_logout_with_the_provider_down_still_signs_out(client, unreachable, users):
    client.force_login(users["officer"])
    session = client.session
    session["oidc_id_token"] = "token"
    session.save()
    response = client.post("/logga-ut/")
    assert response.status_code == 302 and response["Location"] == "/logga-in/"
    assert "_auth_user_id" not in client.session


def test_a_signed_in_sso_user_keeps_working_while_the_provider_is_down(client, unreachable, users):
    """The role check falls due while the provider is away: the page still answers."""
    user = users["manager"]
    client.force_login(user, backend="accounts.oidc.RoleMappingOIDCBackend")
    session = client.session
    session["oidc_id_token_expiration"] = 0
    session.save()
    assert client.get("/overenskommelser/").status_code == 200


def test_email_from_email_else_upn_else_preferred_username():
    assert oidc.email_of({"email": "a@x.se", "upn": "b@x.se"}) == "a@x.se"
    assert oidc.email_of({"upn": "b@x.se", "preferred_username": "c@x.se"}) == "b@x.se"
    assert oidc.email_of({"preferred_username": "c@x.se"}) == "c@x.se"
    assert oidc.email_of({"preferred_username": "bara-namn"}) == ""


@pytest.mark.django_db
def test_an_sso_identity_is_never_added_in_the_admin(client, users):
    """Its every field is the provider's: made by a sign-on only (an empty add form was a 500)."""
    from accounts.models import SsoIdentity

    client.force_login(users["admin"])
    url = "/admin/accounts/ssoidentity/add/"
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert not SsoIdentity.objects.exists()
