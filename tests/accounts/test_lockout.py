"""Lockout that cannot be turned on the region: break-glass accounts only from their
networks and never lockable from outside, SSO refusals never counted as failed passwords, and
every refused password costs the same work whatever the name."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import RequestFactory

from tests.accounts.hashers import CountingHasher

PASSWORD = "lösen-för-test"
LOGIN = "/logga-in/"
INSIDE = "10.20.3.4"
OUTSIDE = "198.51.100.7"


def attempt(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def break_glass(settings, users):
    settings.LOCAL_LOGIN = False
    settings.BREAK_GLASS_USERS = ["admin"]
    settings.BREAK_GLASS_NETWORKS = ["10.20.0.0/16", "192.0.2.7"]
    return users["admin"]


def test_break_glass_cannot_be_locked_from_outside_its_networks(client, break_glass):
    for _ in range(20):
        refused = attempt(client, "admin", "gissat-lösenord", OUTSIDE)
        assert refused.status_code == 200
    assert not AccessAttempt.objects.exists()
    # Even the right password is refused out there, in the same words as any refusal.
    right_outside = attempt(client, "admin", PASSWORD, OUTSIDE)
    assert right_outside.status_code == 200
    assert "Lokala konton är avstängda" in right_outside.content.decode()
    assert "_auth_user_id" not in client.session
    # From the allowed network the administrator gets in.
    assert attempt(client, "admin", PASSWORD, INSIDE).status_code == 302
    assert client.session["_auth_user_id"] == str(break_glass.pk)


def test_break_glass_guessing_inside_the_network_locks_only_that_address(client, break_glass):
    for _ in range(5):
        attempt(client, "admin", "gissat-lösenord", INSIDE)
    assert attempt(client, "admin", PASSWORD, INSIDE).status_code == 429
    assert attempt(client, "admin", PASSWORD, "192.0.2.7").status_code == 302


def test_refused_single_sign_on_is_never_a_failed_password(client, users, settings):
    """What Django sends for a refused SSO callback (no password in the credentials) is not
    counted: many refused SSO users behind one address lock nobody there."""
    request = RequestFactory().get("/sso/callback/", REMOTE_ADDR="192.0.2.40")
    for _ in range(10):
        assert authenticate(request, nonce="n", code_verifier="v") is None
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "hospa", PASSWORD, "192.0.2.40").status_code == 302


def test_a_refused_password_costs_one_hash_whatever_the_name(client, break_glass, settings):
    """With LOCAL_LOGIN=0 a wrong password for the break-glass name and any other name (a
    known user, an unknown one, the break-glass name from outside) each run the hasher once,
    so the answer's time does not tell which name is the one to keep locked."""
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    costs = {}
    words = set()
    for name, address in (
        ("admin", INSIDE),
        ("hospa", INSIDE),
        ("ingen-sadan", INSIDE),
        ("admin", OUTSIDE),
    ):
        CountingHasher.calls = 0
        response = attempt(client, name, "fel-lösenord-här", address)
        costs[(name, address)] = CountingHasher.calls
        words.add(response.context["form"].non_field_errors()[0])
    assert set(costs.values()) == {1}, costs
    assert len(words) == 1, words
