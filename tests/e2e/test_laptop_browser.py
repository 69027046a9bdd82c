"""A laptop at 1366 × 768: every page the officer and the manager reach shows its actions
without sideways scrolling, and axe-core finds nothing serious; the dashboard's year
selector changes the year; years are never grouped."""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from common.roles import Role
from followup.demo import load_demo_ledger
from plan.demo import load_plan_setup
from tests.built_once import built_once
from tests.conftest import load_demo_agreement, make_user
from tests.everyday.crawl import GROUPED_YEAR, HYPHEN_MINUS_NUMBER, SKIP

from .test_browser import log_in
from .test_plan_browser import PLAN_FILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}

# Every link, button and submit control that is rendered, and where it lies.
OUTSIDE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, input[type=submit]')) {
    if (el.closest('.skip-link, .visually-hidden')) continue;
    const rects = el.getClientRects();
    if (!rects.length) continue;  // not rendered (e.g. in a closed <details>)
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      const name = (el.innerText || el.value || '').trim().slice(0, 40);
      const where = `${Math.round(r.left)}–${Math.round(r.right)} px`;
      out.push(`${el.tagName.toLowerCase()} "${name}" at ${where}`);
    }
  }
  return {out, scroll: document.documentElement.scrollWidth, width};
}"""

# Sticky blocks no taller than a fifth of the window; every column of each table (each cell
# of its header rows, and each cell of its first body row) inside the table's scroll box and
# the window, so nothing of a table needs sideways scrolling, except the wide allocation
# tables, which keep their sticky first column; and the header's height.
LAYOUT = """() => {
  const vh = window.innerHeight, vw = document.documentElement.clientWidth;
  const problems = [];
  for (const el of document.querySelectorAll('body *')) {
    const position = getComputedStyle(el).position;
    if ((position !== 'sticky' && position !== 'fixed') || el.closest('table')) continue;
    const h = el.getBoundingClientRect().height;
    if (h > vh / 5) {
      const name = `${el.tagName.toLowerCase()}.${el.className}`;
      problems.push(`sticky ${name} is ${Math.round(h)} px tall`);
    }
  }
  for (const table of document.querySelectorAll('main table')) {
    if (table.matches('.allocation-table')) continue;
    if (!table.getClientRects().length) continue;
    const box = table.closest('.table-scroll');
    const right = box ? Math.min(box.getBoundingClientRect().right, vw) : vw;
    const caption = (table.caption ? table.caption.innerText : '').trim().slice(0, 50);
    const rows = [...table.querySelectorAll('thead tr')];
    const first = table.querySelector('tbody tr');
    if (first) rows.push(first);
    for (const row of rows) {
      for (const cell of row.children) {
        const r = cell.getBoundingClientRect();
        if (!r.width || r.right <= right + 0.5) continue;
        const name = cell.innerText.trim().replace(/\\s+/g, ' ').slice(0, 30);
        const where = `${Math.round(r.right)} px, beyond ${Math.round(right)} px`;
        problems.push(`table "${caption}": column "${name}" ends at ${where}`);
      }
    }
    // A column so narrow that a word of its heading breaks ("St|at|us") is as bad as one
    // behind sideways scrolling.
    for (const cell of table.querySelectorAll('thead th, thead td')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest('.visually-hidden')) continue;
        for (const m of node.data.matchAll(/\\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          if (range.getClientRects().length > 1) {
            problems.push(`table "${caption}": the heading's word "${m[0]}" breaks`);
          }
        }
      }
    }
    // A column folded away (.col-low) loses nothing: its value is in the row's details.
    for (const row of table.querySelectorAll('tbody tr')) {
      const details = [...row.querySelectorAll('.row-details')]
        .filter(d => d.getClientRects().length)
        .map(d => d.innerText.replace(/\\s+/g, '')).join('|');
      for (const cell of row.querySelectorAll('.col-low')) {
        if (cell.getClientRects().length) continue;
        const value = cell.textContent.replace(/\\s+/g, '');
        if (value && !details.includes(value)) {
          const what = `the folded value "${value.slice(0, 30)}"`;
          problems.push(`table "${caption}": ${what} is not shown`);
        }
      }
    }
    if (box && box.scrollWidth > box.clientWidth + 1) {
      const widths = `${box.scrollWidth} > ${box.clientWidth} px`;
      problems.push(`table "${caption}" scrolls sideways (${widths})`);
    }
  }
  const header = document.querySelector('body > header, header.site-header, header');
  return {problems, header: header ? Math.round(header.getBoundingClientRect().height) : 0};
}"""

# Links that answer with a file, not a page.
DOWNLOAD = re.compile(r"/export/")

# Set LAPTOP_SCREENSHOTS to a folder to keep a screenshot of every page the crawl visits.
SCREENSHOTS = os.environ.get("LAPTOP_SCREENSHOTS", "")

LINKS = """() => [...document.querySelectorAll('main a[href], nav a[href]')]
  .map(a => a.getAttribute('href'))"""


@pytest.fixture
def laptop_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport=LAPTOP,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def data(distribution2023):
    def build():
        load_demo_ledger(distribution2023)
        load_demo_agreement("god-och-nara-vard-2020")
        load_plan_setup(json.loads(PLAN_FILE.read_text("utf-8")))

    built_once("laptop_data", build)
    return distribution2023


def _crawl(page, axe_check, starts, limit, label=""):
    queue, seen_patterns, visited, problems = list(starts), set(), [], []
    header_heights = {}
    while queue and len(visited) < limit:
        url = queue.pop(0)
        pattern = re.sub(r"\d+", "N", url.split("#")[0])
        if pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(url)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        visited.append(url)
        if SCREENSHOTS:
            name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "root"
            folder = Path(SCREENSHOTS) / label
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{len(visited):02d}-{name}.png"), full_page=True)
        found = page.evaluate(OUTSIDE)
        if found["scroll"] > found["width"]:
            problems.append(
                f"{url}: the page scrolls sideways ({found['scroll']} > {found['width']} px)"
            )
        problems.extend(f"{url}: {what} lies outside the window" for what in found["out"])
        layout = page.evaluate(LAYOUT)
        problems.extend(f"{url}: {what}" for what in layout["problems"])
        header_heights.setdefault(layout["header"], url)
        text = page.locator("body").inner_text()
        problems.extend(f"{url}: grouped year {m.group()!r}" for m in GROUPED_YEAR.finditer(text))
        problems.extend(
            f"{url}: hyphen-minus {text[max(0, m.start() - 20) : m.end() + 5]!r}"
            for m in HYPHEN_MINUS_NUMBER.finditer(text)
        )
        axe_check(page)
        for href in page.evaluate(LINKS):
            href = href.split("#")[0]
            if (
                href.startswith("/")
                and not SKIP.search(href)
                and not DOWNLOAD.search(href)
                and href not in queue
            ):
                queue.append(href)
    if len(header_heights) > 1:
        problems.append(f"the header's height changes: {header_heights}")
    return visited, problems


@pytest.mark.parametrize("username", ["admin", "chef"])
def test_every_page_fits_a_laptop(laptop_page, axe_check, users, data, username):
    log_in(laptop_page, username)
    visited, problems = _crawl(
        laptop_page,
        axe_check,
        [
            "/start/",
            "/oversikt/?ar=2023&avvikelse=1",
            "/overenskommelser/",
            f"/overenskommelser/{data.pk}/fordelning/regioner/",
            "/sok/?q=9916",
            "/plan/",
        ],
        limit=80,
        label=username,
    )
    assert len(visited) >= 20, visited
    assert not problems, "\n".join(problems)


def test_picking_another_year_in_the_dashboard(laptop_page, axe_check, users, data):
    log_in(laptop_page, "chef")
    laptop_page.goto("/oversikt/?ar=2023")
    expect(laptop_page.get_by_role("heading", level=1)).to_have_text("Översikt: statsbidragen 2023")
    laptop_page.get_by_label("År", exact=True).select_option("2020")
    laptop_page.get_by_role("button", name="Visa").click()
    expect(laptop_page).to_have_url(re.compile(r"ar=2020"))
    expect(laptop_page.get_by_role("heading", level=1)).to_have_text("Översikt: statsbidragen 2020")
    expect(laptop_page.get_by_label("År", exact=True)).to_have_value("2020")
    axe_check(laptop_page)


def test_the_header_has_one_height_whatever_the_name(laptop_page, users, data):
    """A long name must not wrap the header onto another line at 1366 px."""
    heights = {}
    for username, first, last in [
        ("kort", "Bo", "Ek"),
        (
            "lang",
            "Anna-Karin Margareta Elisabeth Charlotta",
            "Johansson-Lindqvist von Rosenberg af Ekeblad",
        ),
    ]:
        user = make_user(username, Role.OFFICER, first_name=first, last_name=last)
        assert user.get_full_name()
        log_in(laptop_page, username)
        laptop_page.goto("/start/")
        heights[username] = laptop_page.evaluate(
            "() => document.querySelector('header.site-header').getBoundingClientRect().height"
        )
        laptop_page.context.clear_cookies()
    assert heights["kort"] == heights["lang"], heights
