"""Behind the region's proxy under a path (FORCE_SCRIPT_NAME=/statsbidrag): every page, link,
static file, redirect, cookie, the admin's CSP exception and the SSO callback carry the prefix.

The pages are fetched from a real server thread (Django's WSGI handler, which sets the script
prefix per request as gunicorn's does), the way the proxy passes them on: the prefix taken off
the path."""

import os
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

from accounts import oidc

pytestmark = pytest.mark.django_db(transaction=True)

PREFIX = "/statsbidrag"
LINK = re.compile(r'(?:href|src|action)="([^"#?][^"]*)"')


@pytest.fixture
def mounted(settings):
    settings.FORCE_SCRIPT_NAME = PREFIX
    settings.STATIC_URL = f"{PREFIX}/static/"
    settings.SESSION_COOKIE_PATH = settings.CSRF_COOKIE_PATH = f"{PREFIX}/"
    return settings


class Proxy:
    """What the region's proxy does: /statsbidrag/x on the outside is /x for the app."""

    def __init__(self, live_server, cookie=""):
        self.base = live_server.url
        self.cookie = cookie

    def get(self, outside_path, **kwargs):
        assert outside_path.startswith(f"{PREFIX}/"), outside_path
        inside = outside_path[len(PREFIX) :]
        headers = {"Cookie": self.cookie} if self.cookie else {}
        return requests.get(
            self.base + inside, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )


def signed_in_cookie(user):
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies['sessionid'].value}"


def links_of(html):
    return [link for link in LINK.findall(html) if link.startswith("/")]


def test_the_settings_derive_the_static_url_and_cookie_paths_from_the_prefix():
    env = {**os.environ, "FORCE_SCRIPT_NAME": "/statsbidrag/", "DEBUG": "1"}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.FORCE_SCRIPT_NAME, s.STATIC_URL, s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["/statsbidrag", "/statsbidrag/static/", "/statsbidrag/", "/statsbidrag/"]


def test_every_main_page_link_static_file_and_redirect_carries_the_prefix(
    mounted, live_server, users, gnv2023
):
    anonymous = Proxy(live_server)
    # Not signed in: the redirect to the login page, and the login page itself.
    away = anonymous.get(f"{PREFIX}/start/")
    assert away.status_code == 302
    assert away.headers["Location"] == f"{PREFIX}/logga-in/?next={PREFIX}/start/"
    login = anonymous.get(f"{PREFIX}/logga-in/")
    assert login.status_code == 200
    assert all(link.startswith(f"{PREFIX}/") for link in links_of(login.text)), login.text
    cookie = login.headers["Set-Cookie"]
    assert f"Path={PREFIX}/" in cookie

    proxy = Proxy(live_server, signed_in_cookie(users["admin"]))
    start = proxy.get(f"{PREFIX}/start/")
    assert start.status_code == 200
    nav = re.search(r'<nav class="main-nav".*?</nav>', start.text, re.S).group(0)
    pages = links_of(nav)
    assert len(pages) >= 8
    seen_static = set()
    for page in pages:
        response = proxy.get(page)
        assert response.status_code == 200, page
        for link in links_of(response.text):
            assert link.startswith(f"{PREFIX}/"), (page, link)
            if "/static/" in link:
                seen_static.add(link)
        # The CSP's exception for the admin's scripts holds under the prefix too.
        policy = response.headers["Content-Security-Policy"]
        if page.startswith(f"{PREFIX}/admin/"):
            assert "script-src 'self'" in policy, page
        else:
            assert "script-src 'none'" in policy, page
    assert f"{PREFIX}/static/css/app.css" in seen_static
    # WhiteNoise, as gunicorn runs it, serves each of them from the path the proxy passes on.
    # (Not through the test server: its own static handler reads the prefixed path.)
    whitenoise = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
    for link in seen_static:
        inside = urlsplit(link).path[len(PREFIX) :]
        static = whitenoise(RequestFactory().get(inside))
        assert static.status_code == 200, link


def test_a_post_redirects_under_the_prefix(mounted, live_server, users):
    proxy = Proxy(live_server, signed_in_cookie(users["officer"]))
    page = proxy.get(f"{PREFIX}/start/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    csrf = page.headers.get("Set-Cookie", "")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", csrf).group(1)
    response = requests.post(
        f"{live_server.url}/logga-ut/",
        data={"csrfmiddlewaretoken": token},
        headers={"Cookie": f"{proxy.cookie}; csrftoken={csrf_cookie}", "Referer": live_server.url},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{PREFIX}/logga-in/"


def test_the_sso_callback_carries_the_prefix(mounted, live_server):
    issuer = "https://idp.region.example/tenant/v2.0"
    mounted.OIDC_ISSUER = issuer
    mounted.OIDC_RP_CLIENT_ID = "statsbidrag"
    mounted.OIDC_RP_CLIENT_SECRET = "hemligt"
    # The provider's discovery document as fetched (no provider is reached in this test).
    oidc._discovery[issuer] = (
        time.monotonic(),
        {"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize"},
    )
    try:
        response = Proxy(live_server).get(f"{PREFIX}/sso/logga-in/")
    finally:
        oidc._discovery.pop(issuer, None)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["redirect_uri"] == [f"{live_server.url}{PREFIX}/sso/callback/"]
