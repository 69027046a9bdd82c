"""Single sign-on end to end: Chromium, the app, and a real OpenID provider (npm's certified
`oidc-provider`, run with node) in its own process. Sign-in, roles from the groups, a role
taken away at the next sign-in, refusal without any group, and logout at both ends."""

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from accounts.models import SsoIdentity
from grants.roles import Role, roles_of

from .conftest import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER_JS = Path(__file__).resolve().parent.parent / "accounts" / "oidc_provider.mjs"
CLIENT_ID = "statsbidrag-test"
CLIENT_SECRET = "hemlighet-bara-for-test"
PROVIDER_NAME = "Regionens testinloggning"
GROUPS = {
    "OIDC_GROUPS_OFFICER": ["sb-hospa"],
    "OIDC_GROUPS_FINANCE": ["sb-ekonomer"],
    "OIDC_GROUPS_MANAGER": ["sb-chefer", "ledningsgruppen"],
    "OIDC_GROUPS_ADMIN": ["sb-admin"],
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Provider:
    def __init__(self, issuer, accounts_file):
        self.issuer = issuer
        self.accounts_file = accounts_file

    def set_accounts(self, accounts):
        self.accounts_file.write_text(json.dumps(accounts, ensure_ascii=False), "utf-8")


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    node = shutil.which("node")
    installed = Path(django_settings.BASE_DIR) / "node_modules" / "oidc-provider"
    if node is None or not installed.is_dir():
        pytest.fail("node and oidc-provider are missing: run `make test-browser` (npm ci).")
    port = free_port()
    accounts_file = tmp_path_factory.mktemp("op") / "accounts.json"
    accounts_file.write_text("{}", "utf-8")
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": f"{live_server.url}/sso/callback/",
        "POST_LOGOUT_REDIRECT_URI": f"{live_server.url}/logga-in/",
        "ACCOUNTS_FILE": str(accounts_file),
    }
    process = subprocess.Popen(
        [node, str(PROVIDER_JS)],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the OpenID provider did not start:\n" + process.stdout.read())
                time.sleep(0.2)
        yield Provider(issuer, accounts_file)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(provider, settings):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid profile email groups"
    settings.OIDC_ROLE_GROUPS = {
        Role.OFFICER.value: GROUPS["OIDC_GROUPS_OFFICER"],
        Role.FINANCE.value: GROUPS["OIDC_GROUPS_FINANCE"],
        Role.MANAGER.value: GROUPS["OIDC_GROUPS_MANAGER"],
        Role.ADMIN.value: GROUPS["OIDC_GROUPS_ADMIN"],
    }
    # As config/settings.py does when OIDC_ISSUER is set at start: logging out posts a form
    # whose answer redirects to the provider, which the policy's form-action must allow.
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "form-action": ["'self'", provider.issuer]}
    }
    settings.LOCAL_LOGIN = False
    settings.BREAK_GLASS_USERS = ["admin"]
    return provider


@pytest.fixture
def page(context):
    """The page, with nothing fetched from outside this machine (the provider's development
    pages ask for a web font)."""
    context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort()
    )
    return watch_csp(context.new_page())


def sign_in_at_provider(page, login):
    """From the app's login page through the provider's development login and consent."""
    page.goto("/logga-in/")
    page.get_by_role("link", name=f"Logga in med {PROVIDER_NAME}").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("vad-som-helst")
    page.get_by_role("button", name="Sign-in").click()
    consent = page.get_by_role("button", name="Continue")
    if consent.count():
        consent.click()
    page.wait_for_load_state()


def sign_out_everywhere(page):
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(r"/logga-in/$"))


def anna(groups):
    return {
        "anna": {
            "name": "Anna Andersson",
            "given_name": "Anna",
            "family_name": "Andersson",
            "preferred_username": "anna.andersson",
            "email": "anna.andersson@region.example",
            "groups": groups,
        }
    }


def test_the_login_page_offers_the_provider_first(page, sso, axe_check):
    page.goto("/logga-in/")
    sso_link = page.get_by_role("link", name=f"Logga in med {PROVIDER_NAME}")
    expect(sso_link).to_be_visible()
    # With LOCAL_LOGIN=0 the password form is folded away as the break-glass login.
    expect(page.get_by_label("Användarnamn")).to_be_hidden()
    first_control = page.locator("main a.button, main button, main input:visible").first
    expect(first_control).to_have_text(f"Logga in med {PROVIDER_NAME}")
    axe_check(page)


def test_sign_in_roles_from_groups_removal_and_logout(page, sso, axe_check):
    sso.set_accounts(anna(["sb-ekonomer", "sb-chefer", "någon-annan-grupp"]))
    sign_in_at_provider(page, "anna")

    expect(page.locator(".user-box")).to_contain_text("Anna Andersson (Chef, Ekonom)")
    user = User.objects.get(sso_identity__subject="anna")
    assert user.username == "anna.andersson"
    assert user.email == "anna.andersson@region.example"
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.FINANCE, Role.MANAGER}
    assert SsoIdentity.objects.get(user=user).issuer == sso.issuer
    # SSO users change their password at the provider, not here.
    expect(page.get_by_role("link", name="Byt lösenord")).to_have_count(0)
    axe_check(page)

    # Logout ends the provider's session too: the next sign-in asks for the login again.
    sign_out_everywhere(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in/\?next=/$"))

    # Taken out of the finance group at the provider: no Ekonom role at the next sign-in.
    sso.set_accounts(anna(["sb-chefer"]))
    sign_in_at_provider(page, "anna")
    expect(page.locator(".user-box")).to_contain_text("Anna Andersson (Chef)")
    user = User.objects.get(pk=user.pk)
    assert roles_of(user) == {Role.MANAGER}

    # Out of every group: refused in Swedish, and no role left behind.
    sign_out_everywhere(page)
    sso.set_accounts(anna(["någon-annan-grupp"]))
    sign_in_at_provider(page, "anna")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    expect(page.get_by_role("alert").or_(page.locator(".messages"))).to_contain_text(
        "har ingen behörighet i Statsbidrag"
    )
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    user = User.objects.get(pk=user.pk)
    assert roles_of(user) == frozenset()
    assert list(user.groups.all()) == []


def test_a_person_with_none_of_the_groups_is_refused_and_not_created(page, sso):
    sso.set_accounts({"bertil": {"name": "Bertil B", "email": "b@region.example", "groups": []}})
    sign_in_at_provider(page, "bertil")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    expect(page.locator(".messages")).to_contain_text(
        f"Du är inloggad hos {PROVIDER_NAME} men har ingen behörighet i Statsbidrag"
    )
    assert not User.objects.filter(email="b@region.example").exists()
    assert not SsoIdentity.objects.filter(subject="bertil").exists()


def test_the_admin_group_gives_the_admin_role_and_the_django_admin(page, sso):
    sso.set_accounts({"cecilia": {"name": "Cecilia C", "groups": ["sb-admin"]}})
    sign_in_at_provider(page, "cecilia")
    user = User.objects.get(sso_identity__subject="cecilia")
    assert roles_of(user) == {Role.ADMIN}
    assert user.is_staff
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#filestore-storedfile")).to_be_visible()
