"""Browser fixtures: Debian's Chromium driven by Playwright, and axe-core accessibility checks.

Run with `make test-browser`, which installs Chromium (apt) and axe-core (npm ci) first.
One browser per test session, a fresh context (cookies, storage) per test.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an asyncio event loop in this thread; without this, Django
# refuses ORM calls from the test code (the fixtures that create users and agreements).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class OneRequestAtATime(WSGIServer):
    """The live server, serving one request after another (and closing each connection).

    On SQLite the test database is in memory, and the live server shares its one connection
    between threads: two requests at once (a page and the chart images it loads when scrolled
    to) would both use it, "cannot start a transaction within a transaction". PostgreSQL has
    a connection per thread and keeps Django's threaded server."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = OneRequestAtATime

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1 at levels A and AA, plus axe's best practices. Serious and critical
# violations fail the test; milder ones are only printed (shown with `pytest -rP`).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000


def _fail_missing(what):
    pytest.fail(
        f"{what} is missing: run `make test-browser` (it installs Chromium and axe-core).",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        _fail_missing(f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _same_ids_each_test(django_db_reset_sequences):
    """The sequences start again in each test, so the fixtures built once are written back
    (tests/built_once.py) instead of built again. (The regions and roles a flush removes are put
    back by tests/conftest.py.)"""


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", timezone_id="Europe/Stockholm"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


def watch_csp(page):
    """Record the browser's Content-Security-Policy complaints on the page (axe_check fails on
    those from the app)."""
    page.csp_violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            # Where the complaint came from: its script's URL, else the document's.
            url = message.location.get("url") or page.url
            page.csp_violations.append((url, message.text))

    page.on("console", on_console)
    return page


@pytest.fixture
def page(context):
    return watch_csp(context.new_page())


def _describe(violation):
    lines = [
        f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
    ]
    for node in violation["nodes"]:
        lines.append(f"    at {json.dumps(node['target'], ensure_ascii=False)}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_check():
    """`axe_check(page)`: run axe-core on the page as it is now; fail on serious or critical
    violations, listing each rule, its help text and the selectors of the offending nodes."""
    if not AXE_JS.is_file():
        _fail_missing(f"axe-core ({AXE_JS})")

    def check(page):
        page.wait_for_load_state()
        origin = re.match(r"https?://[^/]+", page.url).group(0)
        blocked = [
            text for url, text in getattr(page, "csp_violations", []) if url.startswith(origin)
        ]
        assert not blocked, f"{page.url}: the Content-Security-Policy blocked: {blocked}"
        styled = page.evaluate(
            """() => [...document.styleSheets].some(
                s => (s.href || "").includes("/static/css/app") && s.cssRules.length > 0)"""
        )
        assert styled, f"{page.url}: app.css did not load, so colour contrast cannot be checked"
        # Evaluated through the browser's DevTools channel: the app's Content-Security-Policy
        # (script-src 'none') rightly blocks a script tag added to the page.
        page.evaluate(f"() => {{ {AXE_JS.read_text('utf-8')}\n; window.axe = axe; }}")
        violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)[
            "violations"
        ]
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        milder = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
        if milder:
            print(f"axe-core, {page.url}, not failing:\n" + "\n".join(map(_describe, milder)))
        if failing:
            pytest.fail(
                f"axe-core: {len(failing)} serious or critical violation(s) on {page.url}:\n"
                + "\n".join(map(_describe, failing)),
                pytrace=False,
            )
        return violations

    return check
