"""Keyboard only, in Chromium: on every main page the first Tab reaches the skip link, which
is visible and moves focus to the content; every focused element shows a visible focus mark;
every link, button and field on the page is reached by Tab. The accessibility statement is
linked from every page's footer and passes axe."""

import re

import pytest
from playwright.sync_api import expect

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 600

# Marks every element a keyboard user must reach (visible, enabled, not taken out of the tab
# order) with its index, and returns how many there are.
MARK_ACTIONS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]';
  const all = [...document.querySelectorAll(selector)].filter((el) =>
    el.checkVisibility({ visibilityProperty: true }) && !el.disabled
    && el.tabIndex >= 0 && !el.closest('[inert]'));
  // Radio buttons in one group are one tab stop: keep the first (or the checked) of each.
  const seen = new Set();
  const actions = all.filter((el) => {
    if (el.type !== 'radio') return true;
    const key = (el.form ? el.form.id || 'form' : '') + '|' + el.name;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  actions.forEach((el, i) => el.setAttribute('data-kbd', String(i)));
  return actions.length;
}"""

# What the focused element is, and whether its focus mark can be seen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const box = el.getBoundingClientRect();
  let mark = el.getAttribute('data-kbd');
  if (mark === null && el.type === 'radio') {
    const first = document.querySelector(`input[type=radio][name="${el.name}"][data-kbd]`);
    mark = first ? first.getAttribute('data-kbd') : null;
  }
  return {
    mark, tag: el.tagName, text: (el.innerText || el.value || el.name || '').slice(0, 60),
    visible: outline || shadow, focusVisible: el.matches(':focus-visible'),
    onScreen: box.width > 0 && box.height > 0,
  };
}"""


def from_the_top(page):
    """Put keyboard focus where a fresh page starts it (before the first element), also on a
    page whose field takes focus by itself (the login form)."""
    page.evaluate(
        """() => {
          document.activeElement && document.activeElement.blur();
          document.body.setAttribute('tabindex', '-1');
          document.body.focus();
          document.body.removeAttribute('tabindex');
        }"""
    )


def walk_by_keyboard(page, where):
    """Tab from the top of the page to its end; return the marks of what was focused."""
    expected = page.evaluate(MARK_ACTIONS)
    from_the_top(page)
    page.keyboard.press("Tab")
    first = page.locator(":focus")
    expect(first).to_have_class(re.compile(r"\bskip-link\b"))
    expect(first).to_have_text("Hoppa till innehållet")
    box = first.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, f"{where}: the skip link is off screen"
    reached = set()
    previous = None
    for _ in range(MAX_TABS):
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        # A date field takes a Tab per part (day, month, year): the same element again right
        # after itself is the next part, not the walk coming round again.
        if focused["mark"] is not None and focused["mark"] == previous:
            page.keyboard.press("Tab")  # the field's next part; its focus was checked on the first
            continue
        if focused["mark"] in reached:
            break  # round again
        previous = focused["mark"]
        assert focused["focusVisible"] and focused["visible"] and focused["onScreen"], (
            f"{where}: no visible focus on {focused}"
        )
        if focused["mark"] is not None:
            reached.add(focused["mark"])
        page.keyboard.press("Tab")
    missed = [
        page.locator(f"[data-kbd='{i}']").evaluate("el => el.outerHTML.slice(0, 160)")
        for i in range(expected)
        if str(i) not in reached
    ]
    assert not missed, f"{where}: not reached by Tab: {missed}"
    return expected


def check_skip_link_moves_focus(page, where):
    from_the_top(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main", where
    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!document.activeElement.closest('main, footer')")
    assert inside, f"{where}: Tab after the skip link left the content"


def test_the_main_pages_work_by_keyboard_alone(page, users, gnv2023):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/logga-in/")
    walk_by_keyboard(page, "/logga-in/")
    # Signing in by keyboard: type, Tab, Enter.
    page.get_by_label("Användarnamn").focus()
    page.keyboard.type("hospa")
    page.keyboard.press("Tab")
    page.keyboard.type("lösen-för-test")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/start/$"))

    pages = [
        "/start/",
        "/oversikt/",
        "/overenskommelser/",
        gnv2023.get_absolute_url(),
        "/nyckeldata/",
        "/uppfoljning/importer/",
        "/plan/",
        "/statsbidrag/",
        "/regioner/",
        "/tillganglighet/",
    ]
    counts = {}
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        counts[path] = walk_by_keyboard(page, path)
        check_skip_link_moves_focus(page, path)
    assert all(count >= 5 for count in counts.values()), counts


def test_the_accessibility_statement_is_linked_from_every_page(page, users, axe_check):
    page.goto("/logga-in/")
    footer_link = page.locator("footer").get_by_role("link", name="Tillgänglighetsredogörelse")
    expect(footer_link).to_be_visible()
    footer_link.click()
    expect(page).to_have_url(re.compile(r"/tillganglighet/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighet för Statsbidrag")
    body = page.locator("main")
    for words in (
        "WCAG 2.1",
        "delvis förenlig",
        "axe-core",
        "tangentbord",
        "Innehåll som inte är tillgängligt",
        "Myndigheten för digital förvaltning (Digg)",
        "Senaste bedömningen gjordes den",
    ):
        expect(body).to_contain_text(words)
    expect(body.get_by_role("link", name="kontakta Digg och påtala det")).to_have_attribute(
        "href", "https://www.digg.se/tdosanmalan"
    )
    axe_check(page)
    log_in(page, "chef")
    for path in ("/start/", "/overenskommelser/"):
        page.goto(path)
        expect(
            page.locator("footer").get_by_role("link", name="Tillgänglighetsredogörelse")
        ).to_be_visible()
