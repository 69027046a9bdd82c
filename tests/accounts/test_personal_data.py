"""Personal data: the list of what is kept (docs and admin), clearing old sessions and login
logs, pseudonymising a person without losing the documents' history, exporting one person."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import SsoIdentity
from accounts.personal_data import KEPT, RECORD_MODELS, user_fields
from comments.actions import do_add_comment
from comments.models import Comment

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "personuppgifter.md"


def test_every_table_with_a_user_is_listed_in_the_docs_and_the_admin(client_for):
    listed = {kept.where for kept in KEPT}
    for model, field in user_fields():
        label = model._meta.label
        if model.__name__.startswith("Historical"):
            assert "history" in listed
            continue
        assert label in listed or label in RECORD_MODELS, (
            f"{label}.{field} points to a user: add it to accounts/personal_data.py KEPT "
            "and docs/personuppgifter.md"
        )
    doc = DOC.read_text("utf-8")
    for kept in KEPT:
        assert f"`{kept.where}`" in doc and kept.how_long in doc, kept.where
    assert "docs/personuppgifter.md" in (Path(settings.BASE_DIR) / "README.md").read_text()

    page = client_for("admin").get("/admin/auth/user/personuppgifter/")
    assert page.status_code == 200
    for kept in KEPT:
        assert kept.where in page.content.decode()
    assert (
        "/admin/auth/user/personuppgifter/"
        in client_for("admin").get("/admin/auth/user/").content.decode()
    )


def attempt_at(model, days_ago, username="hospa", **extra):
    row = model.objects.create(
        username=username,
        ip_address="192.0.2.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/logga-in/",
        **extra,
    )
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - timedelta(days=days_ago))
    return row


def session_expired(days_ago):
    session = SessionStore()
    session["x"] = 1
    session.create()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() - timedelta(days=days_ago)
    )
    return session.session_key


def test_purge_clears_old_sessions_and_login_logs_by_setting(settings, db):
    settings.PURGE_SESSION_DAYS = 7
    settings.PURGE_LOGIN_LOG_DAYS = 30
    old_session, recent_session = session_expired(8), session_expired(2)
    live = SessionStore()
    live.create()
    old = [
        attempt_at(AccessAttempt, 31, get_data="", post_data="", failures_since_start=1),
        attempt_at(AccessLog, 40),
        attempt_at(AccessFailureLog, 31),
    ]
    recent = [
        attempt_at(AccessAttempt, 29, "ekonom", get_data="", post_data="", failures_since_start=1),
        attempt_at(AccessLog, 1),
        attempt_at(AccessFailureLog, 29),
    ]
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "1 sessioner" in out.getvalue()
    assert set(Session.objects.values_list("pk", flat=True)) == {recent_session, live.session_key}
    assert old_session not in set(Session.objects.values_list("pk", flat=True))
    for row in old:
        assert not type(row).objects.filter(pk=row.pk).exists()
    for row in recent:
        assert type(row).objects.filter(pk=row.pk).exists()


def test_pseudonymise_keeps_the_history_and_removes_the_name(client, users, gnv2023):
    hospa, chef = users["officer"], users["manager"]
    hospa.first_name, hospa.last_name, hospa.email = "Hanna", "Hospa", "hanna@region.example"
    hospa.save()
    SsoIdentity.objects.create(user=hospa, issuer="https://idp", subject="s", object_id="o")
    # A change in the history, a comment by the person and one naming them.
    gnv2023._history_user = hospa
    gnv2023.save()
    written = do_add_comment(gnv2023, "Klart från mig, @chef.", acting_user=hospa)
    naming = do_add_comment(gnv2023, "Fråga @hospa. Och @hospa.x finns inte.", acting_user=chef)
    client.force_login(hospa)
    attempt_at(AccessLog, 1)
    history = gnv2023.history.filter(history_user=hospa)
    assert history.exists()

    out = StringIO()
    call_command("pseudonymise_user", "hospa", stdout=out)
    user = User.objects.get(pk=hospa.pk)
    assert user.username == f"pseudonym-{hospa.pk}" and user.username in out.getvalue()
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists()
    assert not SsoIdentity.objects.filter(user=user).exists()
    assert not AccessLog.objects.filter(username="hospa").exists()
    # Signed out: the session is gone.
    assert client.get("/").status_code == 302
    # The records are whole, pointing to the pseudonym.
    assert gnv2023.history.filter(history_user=user).count() == history.count()
    assert Comment.objects.get(pk=written.pk).author_id == user.pk
    assert Comment.objects.get(pk=naming.pk).text == (
        f"Fråga @{user.username}. Och @hospa.x finns inte."
    )
    with pytest.raises(CommandError, match="ingen användare"):
        call_command("pseudonymise_user", "hospa")


def test_the_admin_pseudonymises_but_not_oneself(client_for, users):
    client = client_for("admin")
    response = client.post(
        "/admin/auth/user/",
        {
            "action": "pseudonymise_selected",
            "_selected_action": [users["finance"].pk, users["admin"].pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Du kan inte pseudonymisera dig själv" in response.content.decode()
    assert User.objects.get(pk=users["finance"].pk).username.startswith("pseudonym-")
    assert User.objects.get(pk=users["admin"].pk).username == "admin"


def test_export_gives_one_persons_data_as_json(users, gnv2023):
    hospa = users["officer"]
    hospa.email = "hanna@region.example"
    hospa.save()
    User.objects.filter(pk=users["manager"].pk).update(email="chef@region.example")
    gnv2023._history_user = hospa
    gnv2023.save()
    do_add_comment(gnv2023, "Hej @hospa", acting_user=users["manager"])
    attempt_at(AccessFailureLog, 1)
    out = StringIO()
    call_command("export_personal_data", "hospa", stdout=out)
    data = json.loads(out.getvalue())
    assert data["användare"]["användarnamn"] == "hospa"
    assert data["användare"]["e-post"] == "hanna@region.example"
    assert data["användare"]["roller"] == ["HOSPA-handläggare"]
    assert len(data["misslyckade inloggningar"]) == 1
    assert len(data["omnämnd i kommentarer"]) == 1
    made = data["poster som personen gjort"]
    assert any(key.startswith("grants.HistoricalAgreement") for key in made), made.keys()
    # Nobody else's account.
    assert "chef@region.example" not in out.getvalue()
    assert all(key != "chef" for key in data)
