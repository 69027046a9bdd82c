"""Password sign-in: lockout after guessing, local accounts switched off with break-glass
users, 12-character passwords, changing one's own password, idle sessions, the log."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import may_use_password, roles_from_groups

PASSWORD = "lösen-för-test"
LOGIN = "/logga-in/"


def attempt(client, username, password, address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_user_with_a_swedish_message(client, users, caplog):
    caplog.set_level(logging.INFO, logger="statsbidrag")
    for _ in range(5):
        response = attempt(client, "hospa", "fel-lösenord-igen")
        assert response.status_code in (200, 429)
    locked = attempt(client, "hospa", PASSWORD)  # even the right password now
    assert locked.status_code == 429
    assert "För många misslyckade inloggningsförsök" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    failures = [r for r in caplog.records if getattr(r, "event", "") == "login_failed"]
    assert len(failures) >= 5 and all(r.user == "hospa" for r in failures)
    assert any(getattr(r, "event", "") == "lockout" for r in caplog.records)

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, "hospa", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["officer"].pk)


def test_the_lock_is_on_the_name_at_the_address_not_on_either_alone(client, users):
    """Behind a region's NAT or Citrix address many people share one address: one person's
    wrong passwords lock that name there, nobody else there, and not the name elsewhere."""
    for _ in range(5):
        attempt(client, "hospa", "fel-lösenord", address="192.0.2.20")
    for n in range(5):
        attempt(client, f"gissning-{n}", "fel", address="192.0.2.20")
    assert attempt(client, "hospa", PASSWORD, address="192.0.2.20").status_code == 429
    assert attempt(client, "ekonom", PASSWORD, address="192.0.2.20").status_code == 302
    client.logout()
    assert attempt(client, "hospa", PASSWORD, address="192.0.2.21").status_code == 302


def test_the_client_address_behind_the_proxy_is_the_one_the_proxy_saw(client, users, settings):
    settings.PROXY_COUNT = 1
    for n in range(5):
        client.post(
            LOGIN,
            {"username": "chef", "password": "fel"},
            REMOTE_ADDR="127.0.0.1",
            headers={"X-Forwarded-For": f"10.9.9.{n}, 192.0.2.30"},
        )
    # The spoofed first entries differ; the proxy's entry (the last) is the same: locked.
    behind = client.post(
        LOGIN,
        {"username": "chef", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        headers={"X-Forwarded-For": "192.0.2.30"},
    )
    assert behind.status_code == 429
    assert AccessAttempt.objects.filter(ip_address="192.0.2.30").exists()


def test_local_login_off_refuses_passwords_except_break_glass(client, users, settings):
    settings.LOCAL_LOGIN = False
    settings.BREAK_GLASS_USERS = ["admin"]
    response = attempt(client, "hospa", PASSWORD)
    assert response.status_code == 200
    assert "Lokala konton är avstängda" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert attempt(client, "admin", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(users["admin"].pk)


def test_the_admin_login_page_obeys_local_login_too(client, users, settings):
    settings.LOCAL_LOGIN = False
    settings.BREAK_GLASS_USERS = []
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_passwords_need_twelve_characters_and_pass_djangos_validators(users):
    user = users["officer"]
    user.email = "hanna.hospa@region.example"
    for weak, why in (
        ("kort-ord1", "minst 12 tecken"),
        ("123456789012345", "enbart numeriskt"),
        ("qwertyuiop123", "för vanligt"),
        ("hanna.hospa@region", "likt e-postadress"),
    ):
        with pytest.raises(ValidationError, match=why):
            validate_password(weak, user)
    validate_password("Fjällsippa-i-juni", user)


def test_users_change_their_own_password(client, users, settings):
    client.force_login(users["officer"])
    page = client.get("/konto/losenord/")
    assert page.status_code == 200
    short = client.post(
        "/konto/losenord/",
        {"old_password": PASSWORD, "new_password1": "Kort-1", "new_password2": "Kort-1"},
    )
    assert short.status_code == 200
    assert "minst 12 tecken" in short.content.decode()
    done = client.post(
        "/konto/losenord/",
        {
            "old_password": PASSWORD,
            "new_password1": "Fjällsippa-i-juni",
            "new_password2": "Fjällsippa-i-juni",
        },
    )
    assert done.status_code == 302
    assert User.objects.get(pk=users["officer"].pk).check_password("Fjällsippa-i-juni")
    assert "Byt lösenord" in client.get("/").content.decode()


def test_no_password_change_where_passwords_are_not_used(client, users, settings):
    settings.LOCAL_LOGIN = False
    settings.BREAK_GLASS_USERS = ["admin"]
    client.force_login(users["officer"])
    assert client.get("/konto/losenord/").status_code == 404
    assert "Byt lösenord" not in client.get("/").content.decode()
    sso_user = users["manager"]
    sso_user.set_unusable_password()
    sso_user.save()
    settings.LOCAL_LOGIN = True
    client.force_login(sso_user)
    assert client.get("/konto/losenord/").status_code == 404


def test_sessions_end_after_the_idle_time_and_each_request_moves_the_end(client, users, settings):
    settings.SESSION_REFRESH_SECONDS = 0  # (by default at most one session write in 5 minutes)
    assert attempt(client, "chef", PASSWORD).status_code == 302
    assert client.session.get_expiry_age() == 8 * 3600
    session = Session.objects.get(session_key=client.session.session_key)
    # Idle for 7 hours: a request moves the end 8 hours on.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(hours=1))
    assert client.get("/").status_code == 200
    moved = Session.objects.get(pk=session.pk).expire_date
    assert moved > timezone.now() + timedelta(hours=7, minutes=59)
    # Idle past the end: signed out.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_sessions_can_end_when_the_browser_closes(client, users, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = attempt(client, "chef", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_roles_from_groups():
    mapping = {"Ekonom": ["g-ek"], "Chef": ["g-chef", "g-led"], "Administratör": []}
    assert roles_from_groups(["g-led", "annan"], mapping) == {"Chef"}
    assert roles_from_groups("g-ek", mapping) == {"Ekonom"}
    assert roles_from_groups(None, mapping) == set()
    assert roles_from_groups([], mapping) == set()
    assert roles_from_groups(["G-EK"], mapping) == set()  # exact names only
    assert may_use_password("x", local_login=True, break_glass=[])
    assert not may_use_password("x", local_login=False, break_glass=["admin"])
    assert may_use_password("admin", local_login=False, break_glass=["admin"])


def test_a_short_idle_time_does_not_sign_out_an_active_user(client, users, settings):
    """With a 2-minute idle time, a request every minute keeps the session: its end is moved
    at least every tenth of the idle time, not only every SESSION_REFRESH_SECONDS (300 s)."""
    settings.SESSION_COOKIE_AGE = 120
    assert attempt(client, "chef", PASSWORD).status_code == 302
    session = client.session
    # The last save was 60 s ago: the session ends in 60 s.
    session["_idle_seen"] -= 60
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=60)
    )
    assert client.get("/").status_code == 200
    moved = Session.objects.get(session_key=session.session_key).expire_date
    assert moved > timezone.now() + timedelta(seconds=110)
