"""The Content-Security-Policy as Chromium applies it: the app's pages break none of it (every
axe_check also fails on a complaint), and it does block inline style and script."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_blocks_inline_style_and_script_and_the_pages_need_neither(
    page, axe_check, client, users
):
    page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill("chef")
    page.get_by_label("Lösenord").fill("lösen-för-test")
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/start/"))  # every role lands on Att göra
    page.goto("/oversikt/")
    axe_check(page)  # no complaint so far
    assert page.csp_violations == []

    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
            '<p id="injected" style="color: rgb(255, 0, 0)">x</p>'
            + '<img src="x" onerror="document.title = \\'hacked\\'">')"""
    )
    page.wait_for_timeout(300)
    assert page.locator("#injected").evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert page.title() != "hacked"
    assert page.csp_violations, "Chromium reported nothing"
    with pytest.raises(AssertionError, match="Content-Security-Policy blocked"):
        axe_check(page)
