"""Reading a PDF's layout back (pdfminer.six): where each line of text is on which page, so a
test can say that nothing runs off the page, that nothing overlaps and what comes after what."""

import io
import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from django.utils.html import strip_tags
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine

MM = 72 / 25.4


@dataclass(frozen=True)
class Line:
    page: int  # from 1
    x0: float
    x1: float
    top: float  # from the top of the page, growing downwards
    bottom: float
    text: str
    size: float  # the largest font size on the line
    runs_over: bool = False  # a character drawn over the one before it: two texts collide

    @property
    def position(self) -> tuple[int, float]:
        return (self.page, self.top)


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]


# Punctuation a font kerns under the letter before it.
KERNED = {".", ","}


def _lines(container, number, height):
    for element in container:
        if isinstance(element, LTTextLine):
            text = element.get_text().strip()
            if text:
                chars = [c for c in element if isinstance(c, LTChar)]
                sizes = [c.size for c in chars]
                # pdfminer joins texts drawn into each other into one line: a character that
                # starts well before the previous one ends shows it. A full stop or comma
                # kerned under a letter's overhang ("F." in DejaVu Sans) is not a collision.
                runs_over = any(
                    b.x0 < a.x1 - 0.5 * min(a.width, b.width)
                    and b.get_text().strip()
                    and b.get_text() not in KERNED
                    for a, b in zip(chars, chars[1:], strict=False)
                )
                yield Line(
                    number,
                    element.x0,
                    element.x1,
                    height - element.y1,
                    height - element.y0,
                    " ".join(text.split()),
                    max(sizes, default=0),
                    runs_over,
                )
        elif isinstance(element, LTTextContainer) or hasattr(element, "__iter__"):
            yield from _lines(element, number, height)


def read_layout(content: bytes) -> list[Page]:
    pages = []
    # all_texts: the text inside figures too (charts are SVG, drawn as form XObjects).
    # boxes_flow=None: no grouping of text boxes into a reading order (pdfminer's slowest
    # step, 20 s on a decision document); the same lines, put in order by their position.
    params = LAParams(line_margin=0.2, char_margin=1.5, all_texts=True, boxes_flow=None)
    for number, layout in enumerate(extract_pages(io.BytesIO(content), laparams=params), 1):
        lines = sorted(_lines(layout, number, layout.height), key=lambda line: (line.top, line.x0))
        pages.append(Page(number, layout.width, layout.height, tuple(lines)))
    return pages


def outside_margins(pages: list[Page], margin_mm: float = 18, slack_mm: float = 1) -> list[str]:
    """Lines that reach into the left or right margin or off the page."""
    problems = []
    for page in pages:
        left, right = (margin_mm - slack_mm) * MM, page.width - (margin_mm - slack_mm) * MM
        for line in page.lines:
            if line.x0 < left or line.x1 > right or line.top < 0 or line.bottom > page.height:
                problems.append(
                    f"sida {page.number}: ”{line.text[:60]}” x {line.x0:.0f}–{line.x1:.0f} "
                    f"av {page.width:.0f}"
                )
    return problems


def overlapping(pages: list[Page], slack: float = 1.0) -> list[str]:
    """Texts drawn into each other: lines on a page whose boxes overlap by more than `slack`
    points across and a third of the lower line's height down (chart labels included)."""
    problems = [
        f"sida {page.number}: texter skrivs över varandra i ”{line.text[:50]}”"
        for page in pages
        for line in page.lines
        if line.runs_over
    ]
    for page in pages:
        lines = sorted(page.lines, key=lambda line: line.top)
        for i, a in enumerate(lines):
            for b in lines[i + 1 :]:
                if b.top >= a.bottom:
                    break
                across = min(a.x1, b.x1) - max(a.x0, b.x0)
                down = min(a.bottom, b.bottom) - max(a.top, b.top)
                low = min(a.bottom - a.top, b.bottom - b.top)
                if across > slack and down > low / 3:
                    problems.append(f"sida {page.number}: ”{a.text[:40]}” över ”{b.text[:40]}”")
    return problems


def all_lines(pages: list[Page]) -> list[Line]:
    return [line for page in pages for line in page.lines]


def find(pages: list[Page], text: str, after=(0, -1.0)) -> list[Line]:
    """Lines containing `text` (whitespace-normalised), in reading order, after a position."""
    wanted = " ".join(text.split())
    return [
        line
        for line in sorted(all_lines(pages), key=lambda line: line.position)
        if wanted in line.text and line.position > after
    ]


def orphaned_headings(pages: list[Page], body_size: float) -> list[str]:
    """Headings (text larger than the body) with no body text below them on their page."""
    problems = []
    for page in pages:
        # The running header and the footer ("Sida X av Y") are not body text.
        body = [
            line
            for line in page.lines
            if 20 * MM < line.top and line.bottom < page.height - 15 * MM
        ]
        for line in body:
            if line.size > body_size + 1.5:
                below = [other for other in body if other.top > line.bottom]
                if not below:
                    problems.append(f"sida {page.number}: rubriken ”{line.text}” står sist")
    return problems


HYPHEN = "\u2010"  # what WeasyPrint prints where it hyphenates a word (hyphens: auto)


def pdf_text(content: bytes) -> str:
    """A PDF's text as one line (pypdf), words hyphenated at a line end joined again."""
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(re.sub(HYPHEN + r"\s+", "", text).split())


WORD = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü]+")


def source_words(html: str) -> set[str]:
    """The words of a document as written (its HTML without tags), lower case."""
    return {word.lower() for word in WORD.findall(unescape(strip_tags(html)))}


def split_words(pages: list[Page], words: set[str]) -> list[str]:
    """Words broken across two lines without a hyphen: a line ending in a fragment and the
    line right below it (same column) starting with the rest, where the joined text is (the
    start of) a word of the document and the fragment is not a word of its own."""
    prefixes = {word[:i] for word in words for i in range(2, len(word) + 1)}
    problems = []
    for page in pages:
        for line in page.lines:
            tail = re.search(r"([A-Za-zÅÄÖåäöÉéÜü]+)$", line.text)
            if not tail:
                continue
            height = line.bottom - line.top
            below = [
                other
                for other in page.lines
                if abs(other.x0 - line.x0) < 3 and 0 <= other.top - line.bottom < height * 0.8
            ]
            for other in below:
                head = re.match(r"([A-Za-zÅÄÖåäöÉéÜü]+)", other.text)
                if not head:
                    continue
                first, rest = tail.group(1).lower(), head.group(1).lower()
                joined = first + rest
                if joined in prefixes and first not in words:
                    problems.append(
                        f"sida {page.number}: ”{tail.group(1)}/{head.group(1)}” delat utan "
                        "bindestreck"
                    )
    return problems


def save_pictures(content: bytes, directory: Path, name: str) -> list[Path]:
    """The pages as PNG (pdftoppm), kept for a person to look at."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(f"{name}-*.png"):
        old.unlink()
    pdf = directory / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(directory / name)], check=True)
    return sorted(directory.glob(f"{name}-*.png"))
