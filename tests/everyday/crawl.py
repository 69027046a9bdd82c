"""Walk the app's pages as a user would by following links, for checks that must hold on
every page (years never grouped, one minus sign, actions within a laptop's width)."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

# Links that do something rather than show a page, or leave the app.
SKIP = re.compile(r"format=|/admin/|/logga-ut/|/ladda-ner|/pdf|\.xlsx|\.csv|sort=|page=")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(href):
            continue
        found.append(href)
    return found


def one_per_pattern(urls):
    """Pages that differ only in an id are one page for these checks: keep the first."""
    seen, kept = set(), []
    for url in urls:
        pattern = re.sub(r"\d+", "N", url)
        if pattern not in seen:
            seen.add(pattern)
            kept.append(url)
    return kept


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            # Values a user sees or a control sends: option values, input values.
            if name == "value" and value:
                self.parts.append(f" {value} ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


# A year written as an amount: "2 023", with any space a formatter might put in it.
_SPACE = "[ \u00a0\u202f\u2009]"
GROUPED_YEAR = re.compile(
    rf"(?<![\d,])(?<!\d{_SPACE})(1{_SPACE}9|2{_SPACE}0)\d\d(?![\d,]|{_SPACE}?(\d|kr|mnkr|%))"
)
# A number with a hyphen-minus in front (not a date's or a range's hyphen, not a word's).
HYPHEN_MINUS_NUMBER = re.compile(r"(?<![\w\-–/.:,])-\s?\d")
