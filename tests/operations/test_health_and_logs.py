"""The health endpoint for monitoring, and the log line of every request."""

import json
import logging

import pytest
from django.db.migrations.recorder import MigrationRecorder

from operations.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def test_health_answers_without_login_and_without_data(client):
    response = client.get("/halsa/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "kontroller": {"databas": "ok", "migreringar": "ok", "cache": "ok", "fillagring": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/halsa/").status_code == 405


def test_health_reports_unapplied_migrations(client):
    MigrationRecorder.Migration.objects.filter(app="filestore").delete()
    response = client.get("/halsa/")
    assert response.status_code == 503
    assert response.json()["kontroller"]["migreringar"] == "1 migreringar är inte körda"


def test_health_reports_a_storage_that_cannot_be_written(client, settings, tmp_path):
    blocked = tmp_path / "en-fil"
    blocked.write_text("inte en mapp")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocked},
        },
    }
    response = client.get("/halsa/")
    assert response.status_code == 503
    assert response.json()["kontroller"]["fillagring"].startswith("fillagringen går inte")


def test_one_json_line_per_request_with_user_path_status_and_time(client_for, caplog):
    caplog.set_level(logging.INFO, logger="statsbidrag.request")
    client_for("manager").get("/overenskommelser/")
    client_for("manager").get("/finns-inte/")
    records = [r for r in caplog.records if r.name == "statsbidrag.request"]
    assert [(r.user, r.path, r.status) for r in records] == [
        ("chef", "/overenskommelser/", 200),
        ("chef", "/finns-inte/", 404),
    ]
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["event"] == "request" and line["method"] == "GET"
    assert line["user"] == "chef" and line["status"] == 200
    assert isinstance(line["ms"], float) and line["ms"] >= 0
    assert line["time"].endswith("+00:00")


def test_failed_logins_are_logged_without_the_password(client, users, caplog):
    caplog.set_level(logging.INFO, logger="statsbidrag")
    client.post("/logga-in/", {"username": "hospa", "password": "hemligt-fel-lösen"})
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "statsbidrag.auth"]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["event"] == "login_failed" and entry["user"] == "hospa"
    assert "hemligt-fel-lösen" not in lines[0]
