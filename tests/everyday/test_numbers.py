"""Years are never grouped and negative numbers carry U+2212, on every page the app shows."""

from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from common.money import format_percent, parse_decimal
from tests.conftest import load_demo_agreement

from .crawl import GROUPED_YEAR, HYPHEN_MINUS_NUMBER, links, one_per_pattern, visible_text


def test_percent_uses_the_minus_sign_and_a_decimal_comma():
    assert format_percent(Decimal("-28.64")) == "\u221228,6\u00a0%"
    assert format_percent(Decimal("12345.05")) == "12\u00a0345,1\u00a0%"
    assert format_percent(Decimal("-0.04")) == "0,0\u00a0%"
    assert format_percent(100, decimals=0) == "100\u00a0%"
    assert format_percent(None) == ""


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=1, allow_nan=False))
def test_percent_reads_back_as_the_value(value):
    text = format_percent(value)
    assert "-" not in text
    assert parse_decimal(text.removesuffix("\u00a0%")) == value


def crawl(client, start_urls, limit=80):
    """Every page reachable from the start pages by links, one per URL pattern."""
    queue, seen, pages = list(start_urls), set(), {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        queue.extend(u for u in one_per_pattern(links(html)) if u not in seen)
    return pages


@pytest.mark.django_db
@override_settings(DEADLINE_WARNING_DAYS=400)
def test_no_page_groups_a_year_or_writes_a_hyphen_minus(client_for, ledger2023):
    load_demo_agreement("god-och-nara-vard-2020")
    client = client_for("admin")
    pages = crawl(
        client,
        [
            "/",
            "/start/",
            "/oversikt/?ar=2023&avvikelse=1",
            "/oversikt/?ar=2020",
            "/overenskommelser/",
            "/huvudbok/",
        ],
    )
    assert len(pages) >= 20, sorted(pages)
    problems = []
    for url, html in pages.items():
        text = visible_text(html)
        for pattern, what in ((GROUPED_YEAR, "grouped year"), (HYPHEN_MINUS_NUMBER, "hyphen")):
            for match in pattern.finditer(text):
                problems.append(
                    f"{url}: {what} {text[max(0, match.start() - 30) : match.end() + 10]!r}"
                )
    assert not problems, "\n".join(problems)
    # The deviation table has underspent activities: their percent is negative.
    assert "\u2212" in visible_text(pages["/oversikt/?ar=2023&avvikelse=1"])


@pytest.mark.django_db
def test_year_selector_sends_plain_years(client_for, ledger2023):
    load_demo_agreement("god-och-nara-vard-2020")
    html = client_for("manager").get("/oversikt/?ar=2023").content.decode()
    assert '<option value="2020">2020</option>' in html
    assert '<option value="2023" selected>2023</option>' in html
    # And the server reads what it sends.
    assert (
        "<h1>Översikt: statsbidragen 2020</h1>"
        in client_for("manager").get("/oversikt/?ar=2020").content.decode()
    )
