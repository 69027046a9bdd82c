"""Log lines: gunicorn's own lines are JSON through the app's formatter, and no line carries an
OpenID Connect code, state or token, whichever logger wrote it."""

import json
import logging
import runpy
import sys
from pathlib import Path

from django.conf import settings
from django.test import RequestFactory

from operations.logs import BLANKED, JsonFormatter, scrub

CALLBACK = "/sso/callback/?code=0.AQ-hemlig-kod&state=tillstand-123&session_state=s-9"


def formatted(record) -> dict:
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def record(name, msg, args=(), **extra):
    entry = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)
    entry.__dict__.update(extra)
    return entry


def test_scrub_blanks_codes_states_and_tokens_but_nothing_else():
    assert scrub(CALLBACK) == (
        f"/sso/callback/?code={BLANKED}&state={BLANKED}&session_state={BLANKED}"
    )
    assert scrub("x?access_token=abc&id_token=def#x") == (
        f"x?access_token={BLANKED}&id_token={BLANKED}#x"
    )
    assert scrub("/sok/?q=zipcode=123&sida=2") == "/sok/?q=zipcode=123&sida=2"


def test_an_error_record_with_the_callback_request_carries_no_code_or_state():
    """Django's request errors pass the request itself, whose text is the full URL."""
    request = RequestFactory().get(CALLBACK)
    line = formatted(
        record("django.request", "Bad Request: %s", ("/sso/callback/",), request=request)
    )
    text = json.dumps(line)
    assert "hemlig-kod" not in text and "tillstand-123" not in text and "s-9" not in text
    assert line["request"] == (
        f"<WSGIRequest: GET '/sso/callback/?code={BLANKED}&state={BLANKED}"
        f"&session_state={BLANKED}'>"
    )


def test_an_exception_text_with_the_callback_url_carries_no_code():
    try:
        raise ValueError(f"Token exchange failed for https://app.example.se{CALLBACK}")
    except ValueError:
        entry = record("mozilla_django_oidc", "Login failed", exc_info=sys.exc_info())
    line = formatted(entry)
    assert "hemlig-kod" not in line["exception"] and BLANKED in line["exception"]


def test_gunicorns_lines_are_json_with_fields_and_without_the_query_string():
    config = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    logging_config = config["logconfig_dict"]
    assert logging_config["formatters"]["json"]["()"] == "operations.logs.JsonFormatter"
    assert "%(q)s" not in config["access_log_format"] and "%(r)s" not in config["access_log_format"]
    atoms = {
        "m": "GET",
        "U": "/sso/callback/",
        "q": "code=0.AQ-hemlig-kod&state=tillstand-123",
        "r": "GET " + CALLBACK + " HTTP/1.0",
        "s": "302",
        "M": 12,
        "h": "127.0.0.1",
        "B": 0,
    }
    line = formatted(record("gunicorn.access", config["access_log_format"], (atoms,)))
    assert line["message"] == "GET /sso/callback/ 302 12ms"
    assert (line["event"], line["method"], line["path"], line["status"], line["ms"]) == (
        "access",
        "GET",
        "/sso/callback/",
        302,
        12,
    )
    assert "hemlig-kod" not in json.dumps(line)
    started = formatted(record("gunicorn.error", "Booting worker with pid: %s", (42,)))
    assert started["message"] == "Booting worker with pid: 42"
