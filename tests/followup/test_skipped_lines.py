"""A CSV ledger's lines that can hold no kept row are counted, not parsed (SkippedLines):
the import must read every file exactly as a reading that parses every line does. Checked
against that reading over generated files: kept rows and their line numbers, counts, sums,
problems and refusals, with the grant numbers in other columns, blank and short lines,
quotes that are literal, quoted, unclosed or span lines, and each kind of line ending."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup import ledger_files
from followup.ledger_files import GrantObjects, KeptRows, Problems, read_rows

from .conftest import HEADER, MAPPING

LINES = [
    "V{n};2023-03-10;5410;1;9916;;Mobilt team;202303;1 234,50",  # kept
    "V{n};2023-04-02;5410;2;9917;A7;Hyra;202304;-99,00",  # kept
    "V{n};2023-03-10;5410;1;9916.0;;Med decimal;202303;10,00",  # kept, as 9916
    "V{n};2023-03-10;5410;1; 9942 ;;Med mellanslag;202303;5,00",  # kept, as 9942
    "V{n};2023-03-10;5410;1;9916;;Fel period;2023-13;1,00",  # refused
    "V{n};2023-03-10;5410;1;9917;;Fel belopp;202303;tolv",  # refused
    "V{n};2023-03-10;5410;1;9916;;Annat år;202203;1,00",  # a grant number, another year
    "V{n};2023-03-10;5410;1;1234;;Annat objekt;202303;7,00",  # skipped
    "V9916;2023-03-10;9942;1;1234;;Faktura 9917;202303;9916,00",  # the numbers elsewhere
    "",  # blank
    ";;;;;;;;",  # blank
    " ;\xa0;\t; ",  # blank: spaces only
    "Summa",  # short, not blank
    "9916",  # short, with a grant number
    'V{n};2023-03-10;5410;1;1234;;AB "Kalle";202303;1,00',  # a literal quote
    'V{n};2023-03-10;5410;1;1234;;"Text; med semikolon";202303;1,00',  # quoted
    'V{n};2023-03-10;5410;1;9916;;"Kvitto ""A""";202303;3,00',  # quoted, kept
    'V{n};2023-03-10;5410;1;1234;;"Två\r\nrader";202303;1,00',  # a record over two lines
    'V{n};2023-03-10;5410;1;1234;;"Tre\r\nrader\r\nhär";202303;1,00',  # over three lines
    'V{n};2023-03-10;5410;1;1234;;"aldrig stängd;202303;1,00',  # a quote never closed
    'V{n};2023-03-10;5410;1;1234;;"stängd"och mer;202303;1,00',  # text after a quote
]


def read(content: bytes, *, skipping: bool):
    """What read_rows makes of the file: its batches' rows, counts, sums and problems."""
    objects = GrantObjects([("9916", 2023, 1), ("9917", 2023, 2), ("9942", 2023, 3)])
    kept = KeptRows(99, objects, {(2, "A7"): 7}, {})
    problems = Problems()

    class Source:
        mapping = MAPPING

    with pytest.MonkeyPatch.context() as patch:
        if not skipping:
            patch.setattr(ledger_files.SkippedLines, "keep_only", lambda self, words: None)
        rows = [
            row
            for batch in read_rows(io.BytesIO(content), "h.csv", "csv", Source, kept, problems)
            for row in batch
        ]
    return (
        rows,
        kept.kept,
        kept.total,
        kept.rows_total,
        kept.ignored,
        sorted(kept.combos),
        problems.messages(),
    )


@settings(max_examples=300, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(LINES) - 1), max_size=40),
    ending=st.sampled_from(["\r\n", "\n", "\r"]),
    encoding=st.sampled_from(["cp1252", "utf-8"]),
)
def test_a_file_reads_the_same_with_its_other_lines_skipped(picks, ending, encoding):
    lines = ["Huvudbok Region Jämtland Härjedalen", HEADER]
    lines += [LINES[pick].format(n=n).replace("\r\n", ending) for n, pick in enumerate(picks)]
    content = (ending.join(lines) + ending).encode(encoding)
    assert read(content, skipping=True) == read(content, skipping=False)


def test_the_lines_skipped_are_counted_as_rows_on_other_objects():
    rows = [LINES[0].format(n=1), LINES[7].format(n=2), "", ";;;", LINES[12], LINES[7]]
    content = ("\r\n".join(["Titel", HEADER, *rows]) + "\r\n").encode("cp1252")
    kept_rows, kept, _total, rows_total, ignored, _combos, problems = read(content, skipping=True)
    assert (kept, rows_total, ignored, problems) == (1, 4, 3, [])
    assert kept_rows[0][-1] == 3  # its line in the file


@pytest.mark.parametrize("ending", ["\r\n", "\n"])
@pytest.mark.parametrize("later", [17, 18, 19, 20])
def test_a_refused_row_then_a_quote_left_open_reads_the_same(later, ending):
    """A quote left open (a record over two lines, one never closed, text after a closing
    quote) is named as a reading of every line names it, and a record over two lines replaces
    the problems found before it (their line numbers cannot be trusted): skipped lines or
    not."""
    rows = [LINES[4].format(n=1), LINES[7].format(n=2), LINES[later].format(n=3)]
    rows += [LINES[7].format(n=4), LINES[0].format(n=5), LINES[7].format(n=6)]
    text = ending.join(["Titel", HEADER, *rows]).replace("\r\n", ending) + ending
    skipped, parsed = (
        read(text.encode("cp1252"), skipping=True),
        read(text.encode("cp1252"), skipping=False),
    )
    assert skipped == parsed
    assert "citattecken" in skipped[-1][-1]
