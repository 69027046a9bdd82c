"""Every document, generated from the demo data, read back from the PDF as paper: nothing runs
off the page or into the margins, no two lines overlap (chart labels included), each total
comes once and after the rows it sums, no heading is left alone at the foot of a page, and the
signature and attestation blocks stay with what they sign. The pages are kept as pictures in
var/test-artefacts/layout/ for a person to look at."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.html import strip_tags

from allocations.demo import load_allocation_setup
from followup.demo import load_demo_ledger
from grants.models import DocumentKind
from reporting.actions import do_fill_state_grants_from_agreements
from reporting.demo import load_state_grants
from reporting.models import AgreementReport, AreaReport, OrganisationProfile
from reporting.pdf import css_string, render_document, render_html, render_pdf
from reporting.reads.documents import document_context
from tests.built_once import built_once
from tests.conftest import ALLOCATION_SETUP, load_demo_distribution

from .archival import archival_problems
from .conftest import load_agreement_texts_fixtures
from .layout import (
    MM,
    find,
    orphaned_headings,
    outside_margins,
    overlapping,
    read_layout,
    save_pictures,
    source_words,
    split_words,
)

ARTEFACTS = Path(settings.BASE_DIR) / "var" / "test-artefacts" / "layout"
BODY_SIZE = 9.5


@pytest.fixture
def demo_data(demo):
    """What `make demo` loads: every agreement, the 2023 allocation, the 2020 and 2023
    distribution, a year of 2023 ledger outcome, the 2021 state grants; and report texts
    as long as real ones (built once per worker, tests/built_once.py)."""
    built_once("layout_demo_data", lambda: _load_demo_data(demo))
    return demo


def _load_demo_data(demo):
    load_allocation_setup(json.loads(ALLOCATION_SETUP.read_text("utf-8")), ALLOCATION_SETUP.parent)
    load_demo_distribution("god-och-nara-vard-2023")
    load_demo_distribution("god-och-nara-vard-2020")
    load_demo_ledger(demo[2023])
    load_state_grants(
        json.loads(
            (Path(settings.BASE_DIR) / "fixtures/reporting/statsbidrag-2021.json").read_text(
                "utf-8"
            )
        )
    )
    profile = OrganisationProfile.objects.get()
    profile.finance_head_name = "Eva Ekonomichef"
    profile.signatory = "Regiondirektören"
    profile.save()
    AgreementReport.objects.create(
        agreement=demo[2023],
        attestation="1",
        deviations="Kostnaderna på objekt 9943 bokades delvis på fel objekt i maj; rättat i "
        "september. " * 3,
        summary="Regionen har genomfört insatserna enligt beslutet. " * 12,
        gender_equality="Utfallet har följts upp uppdelat på kvinnor och män. " * 8,
        vfu_weeks_previous=120,
        vfu_places_previous=40,
        vfu_weeks_estimate=150,
        vfu_places_estimate=48,
    )
    do_fill_state_grants_from_agreements(2023, acting_user=None)
    load_agreement_texts_fixtures()
    for requirement in demo[2023].reporting_requirements.all():
        requirement.narrative = f"Regionen har under året arbetat med {requirement.heading}. " * 6
        requirement.save()
    for area in demo[2023].areas.all():
        AreaReport.objects.create(
            area=area,
            activities="Insatserna har genomförts enligt planen. " * 10,
            results="Fler invånare har en fast läkarkontakt. " * 6,
            gender_equality="Analyserat per kön. " * 5,
        )


def _prefix(label: str) -> str:
    """The start of a row's label: short enough to sit on the row's first line."""
    words, prefix = label.split(), ""
    for word in words:
        if len(prefix) + len(word) > 14 and prefix:
            break
        prefix = f"{prefix} {word}".strip()
    return prefix


def totals(kind, context):
    """(caption, total label, labels of the rows it sums) for each total of the document."""
    if kind == DocumentKind.FINANCIAL_REPORT:
        return [
            (
                "Bidrag, kostnader och medel som inte har förbrukats",
                "Summa kostnader",
                [item.label for item in context["items"]],
            )
        ]
    if kind == DocumentKind.ACTIVITY_REPORT:
        return [
            (
                "Medlens användning per utvecklingsområde",
                "Summa",
                [a["area"].name for a in context["areas"]],
            )
        ] + [
            (
                f"Insatser: {a['area'].name}",
                "Summa",
                [activity.name for activity, _, _ in a["activities"]],
            )
            for a in context["areas"]
            if a["activities"]
        ]
    if kind == DocumentKind.DECISION:
        specs = [
            (
                "Regionens tilldelning per utvecklingsområde och delområde",
                "Totalt",
                [d.component.name for block in context["allocation"] for d, _ in block["rows"]],
            )
        ]
        for area in context["areas"]:
            if area["activities"]:
                specs.append(
                    (
                        f"Förslag till fördelning: {area['area'].name}",
                        "Fördelat",
                        [activity.name for activity in area["activities"]],
                    )
                )
        return specs
    if kind == DocumentKind.ANNUAL_SUMMARY:
        year = context["year"]
        return [
            (
                f"Nationella statsbidrag år {year}: erhållna medel",
                f"Totalt erhållna medel {year}",
                [g.name for g in context["regular"]],
            ),
            (
                f"Tillfälliga statsbidrag år {year}",
                "Totalt tillfälliga bidrag",
                [g.name for g in context["temporary"]],
            ),
        ][: 2 if context["temporary"] else 1]
    return []


# Blocks that must stay on one page: (first line, last line).
KEPT_TOGETHER = {
    DocumentKind.REQUISITION: [("4. Underskrift i original", "Namnförtydligande")],
    DocumentKind.FINANCIAL_REPORT: [
        ("4. Ekonomichefens (eller motsvarande)", "E-postadress"),
        ("5. Underskrift i original", "Namnförtydligande"),
    ],
}


def total_problems(pages, specs) -> list[str]:
    problems = []
    for caption, label, rows in specs:
        found = find(pages, caption)
        if not found:
            problems.append(f"tabellen ”{caption}” saknas")
            continue
        start = found[0].position
        # The total is the first line starting with its label after the caption; it comes
        # once before the next table's caption (no total repeated at every page's foot).
        after = [line for line in find(pages, label, start) if line.text.startswith(label)]
        if not after:
            problems.append(f"”{label}” saknas efter ”{caption}”")
            continue
        total = after[0]
        # The table ends at the next table's caption or the next heading.
        ends = [
            line.position
            for spec_caption, _, _ in specs
            if spec_caption != caption
            for line in find(pages, spec_caption, total.position)
        ] + [
            line.position for line in find(pages, "", total.position) if line.size > BODY_SIZE + 1.5
        ]
        next_caption = min(ends, default=(len(pages) + 1, 0.0))
        repeated = [line for line in after[1:] if line.position <= next_caption]
        if repeated:
            problems.append(f"”{label}” står {len(repeated) + 1} gånger i ”{caption}”")
        for row in rows:
            prefix = _prefix(row)
            hits = find(pages, prefix, start)
            if not hits:
                problems.append(f"raden ”{prefix}” saknas i ”{caption}”")
            elif hits[0].position > total.position:
                problems.append(
                    f"raden ”{prefix}” står efter ”{label}” (sida {hits[0].page}, "
                    f"summan på sida {total.page})"
                )
    return problems


def kept_together_problems(pages, blocks) -> list[str]:
    problems = []
    for first, last in blocks:
        start = find(pages, first)
        end = find(pages, last, start[0].position) if start else []
        if not start or not end:
            problems.append(f"”{first}” … ”{last}” saknas")
        elif start[0].page != end[0].page:
            problems.append(
                f"”{first}” (sida {start[0].page}) och ”{last}” (sida {end[0].page}) delas"
            )
    return problems


DOCUMENTS = [
    ("rekvisition-2023", DocumentKind.REQUISITION, 2023),
    ("ekonomisk-redovisning-2023", DocumentKind.FINANCIAL_REPORT, 2023),
    ("verksamhetsrapport-2023", DocumentKind.ACTIVITY_REPORT, 2023),
    ("vfu-redovisning-2023", DocumentKind.VFU_REPORT, 2023),
    ("beslutsunderlag-2023", DocumentKind.DECISION, 2023),
    ("beslutsunderlag-2020", DocumentKind.DECISION, 2020),
    ("statsbidrag-2021", DocumentKind.ANNUAL_SUMMARY, 2021),
    ("statsbidrag-2023", DocumentKind.ANNUAL_SUMMARY, 2023),  # filled from the agreements
]


@pytest.mark.parametrize(("name", "kind", "year"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_every_document_reads_right_on_paper(demo_data, name, kind, year):
    subject = (
        {"year": year} if kind == DocumentKind.ANNUAL_SUMMARY else {"agreement": demo_data[year]}
    )
    context = document_context(kind, **subject)
    content = render_pdf(kind, context)  # what render_document does, on the one context
    html = render_html(kind, context)
    pictures = save_pictures(content, ARTEFACTS, name)
    pages = read_layout(content)
    assert len(pictures) == len(pages) > 0
    text = " ".join(line.text for page in pages for line in page.lines)
    found = (
        outside_margins(pages)
        + overlapping(pages)
        + orphaned_headings(pages, BODY_SIZE)
        + total_problems(pages, totals(kind, context))
        + kept_together_problems(pages, KEPT_TOGETHER.get(kind, []))
        + split_words(pages, source_words(html))
        + captions_alone(pages, html)
        + archival_problems(content)
        + running_header_problems(pages, context["title"])
        + [f"JavaScript-escape i texten: {bad}" for bad in ("u0022", "u003C") if bad in text]
    )
    assert found == []


CAPTION = re.compile(r"<caption>(.*?)</caption>.*?<th scope=\"col\"[^>]*>(.*?)</th>", re.S)


def captions_alone(pages, html) -> list[str]:
    """Table captions apart from their table: the first column header is not on the
    caption's page, right below it."""
    problems, after = [], {}
    for caption, header in CAPTION.findall(html):
        caption = " ".join(unescape(strip_tags(caption)).split())[:28]
        header = " ".join(unescape(strip_tags(header)).split())[:12]
        found = find(pages, caption, after.get(caption, (0, -1.0)))
        if not found:
            continue
        after[caption] = found[0].position
        below = find(pages, header, found[0].position)
        if not below or below[0].page != found[0].page:
            problems.append(f"sida {found[0].page}: tabellrubriken ”{caption}” står ensam")
    return problems


def running_header_problems(pages, title) -> list[str]:
    """Every page carries the document's title (naming its agreement) at the top and
    "Sida x av y" at the foot."""
    problems = []
    for page in pages:
        top = " ".join(line.text for line in page.lines if line.top < 20 * MM)
        foot = " ".join(line.text for line in page.lines if line.bottom > page.height - 18 * MM)
        if title not in top:
            problems.append(f"sida {page.number}: sidhuvudet saknar ”{title}”")
        if f"Sida {page.number} av {len(pages)}" not in foot:
            problems.append(f"sida {page.number}: sidfoten saknar ”Sida {page.number} av …”")
    return problems


def test_css_string_escapes_the_css_way():
    assert css_string("Region \"JH\" <b>\\ 'x'\n") == ("Region \\\"JH\\\" \\3C b>\\\\ \\'x\\'\\A ")


def test_page_headers_print_quotes_and_less_than_as_written(gnv2023):
    OrganisationProfile.objects.create(name='Region "Test" <JH> \\ 1')
    content = render_document(DocumentKind.REQUISITION, "pdf", agreement=gnv2023)
    first = read_layout(content)[0]
    header = [line.text for line in first.lines if line.top < 20 * MM]
    assert 'Region "Test" <JH> \\ 1' in header
    assert "Rekvisition – God och nära vård 2023" in header


def test_a_word_broken_without_a_hyphen_is_found():
    """The check itself: a narrow column without hyphenation breaks a long word mid-word
    (caught); with Swedish hyphenation it breaks at a syllable with a hyphen (not caught)."""
    from common.pdf import html_to_pdf

    word = "kompetensutvecklingsinsatserna"

    def pdf(hyphens):
        return html_to_pdf(
            f'<html lang="sv"><head><title>t</title></head><body>'
            f'<p style="width: 18mm; overflow-wrap: break-word; hyphens: {hyphens}">'
            f"Om {word} i {word}.</p></body></html>"
        )

    words = {"om", "i", word}
    assert split_words(read_layout(pdf("manual")), words)
    assert split_words(read_layout(pdf("auto")), words) == []
