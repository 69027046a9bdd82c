"""Security settings: the deployment check, HTTPS defaults, the secret key rule, the headers."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.checks.security.base import _check_secret_key

ENV_EXAMPLE = Path(settings.BASE_DIR) / ".env.example"


def run_django(code: str, env_overrides: dict, env_file=os.devnull):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "DEBUG", "SECURE_", "DATABASE_URL", "OIDC_"))
        # The browser tests' conftest sets this for Playwright; production never has it.
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update({"STATSBIDRAG_ENV_FILE": str(env_file), "DJANGO_SETTINGS_MODULE": "config.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_the_documented_production_environment_has_no_warnings():
    """`.env.example` is the documented production environment; only the secret is ours."""
    result = run_django(
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
        {"SECRET_KEY": secrets.token_urlsafe(50)},
        env_file=ENV_EXAMPLE,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_https_is_on_by_default_when_debug_is_off():
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_AGE)",
        {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
        "True",
        "28800",
    ]


def test_https_settings_come_from_the_environment():
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, "
        "s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)",
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "600",
            "SECURE_PROXY_SSL_HEADER": "0",
            "SESSION_IDLE_HOURS": "0.5",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE": "1",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "600", "None", "1800", "True"]


@pytest.mark.parametrize(
    "key",
    [
        secrets.token_urlsafe(50),  # fine
        "a1b2c" * 10,  # 50 characters, 5 distinct: fine
        secrets.token_urlsafe(36)[:49],  # one short
        "abcd" * 13,  # long enough, only 4 distinct
        "django-insecure-" + secrets.token_urlsafe(50),  # Django's development key
    ],
    # Named, not by the random keys: pytest-xdist's workers must collect the same test ids.
    ids=["fine", "five-distinct", "one-short", "four-distinct", "development-key"],
)
def test_the_secret_key_rule_agrees_with_djangos_own_check(key):
    result = run_django("print('ok')", {"DEBUG": "0", "SECRET_KEY": key})
    django_accepts = _check_secret_key(key)
    assert (result.returncode == 0) is django_accepts, result.stderr
    if not django_accepts:
        assert "SECRET_KEY saknas eller är för svag" in result.stderr


CSP = {
    "default-src": "'self'",
    "script-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def parse_csp(header: str) -> dict:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy_and_the_other_headers(client, users):
    client.force_login(users["officer"])
    for url in ("/logga-in/", "/", "/halsa/"):
        response = client.get(url, follow=url == "/logga-in/")
        csp = parse_csp(response["Content-Security-Policy"])
        assert csp == CSP, url
        assert "unsafe" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_https_redirect_and_hsts_behind_the_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/logga-in/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/logga-in/"
    behind_proxy = client.get("/logga-in/", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_template_has_inline_script_or_style():
    """The policy forbids them; a template that used one would break in the browser."""
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        if "pdf" in path.relative_to(templates).parts:
            continue  # WeasyPrint layouts, never served to a browser
        text = path.read_text("utf-8").lower()
        if re.search(r"<script|<style|<[^>]*\s(style|on[a-z]+)\s*=", text):
            offenders.append(str(path.relative_to(templates)))
    assert offenders == []


@pytest.mark.django_db
def test_the_admin_may_run_its_own_script_files_but_nothing_inline(client, users):
    client.force_login(users["admin"])
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp == {**CSP, "script-src": "'self'"}


TWO_REQUESTS = """
from django.core.signals import request_finished, request_started
from django.db import connection
pids = []
for _ in range(2):
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pids.append(cursor.fetchone()[0])
    request_finished.send(sender=None)
print(connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"],
      len(set(pids)))
"""


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", "600 True 1"),  # the app's default: the worker keeps its connection
        ("?conn_max_age=0", "0 True 2"),  # a connection per request
        ("?conn_max_age=60&conn_health_checks=false", "60 False 1"),
    ],
)
def test_a_worker_keeps_its_postgresql_connection_between_requests(db, query, expected):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    # The test database itself (the one DATABASE_URL names may not exist).
    url = (
        urlsplit(os.environ["DATABASE_URL"])
        ._replace(path="/" + connection.settings_dict["NAME"], query=query.lstrip("?"))
        .geturl()
    )
    result = run_django(TWO_REQUESTS, {"DATABASE_URL": url, "DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected.split()
