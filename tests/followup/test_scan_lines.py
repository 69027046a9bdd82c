"""The scan of a CSV file names the line of what it refuses, wherever in the file that is:
the scan counts no lines itself (followup.ledger_files._line_at counts them for a message),
so these check the line against the file's own lines, across chunk borders of every size."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup import ledger_files
from followup.ledger_files import LedgerFileError, scan_text

ROW = "V{n};2023-03-10;5410;1;9916;;Text {n};202303;100,00"


def refused_line(content: bytes, chunk: int) -> LedgerFileError:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_files, "SCAN_CHUNK", chunk)
        patch.setattr(ledger_files, "MAX_LINE_BYTES", max(chunk, 200))
        with pytest.raises(LedgerFileError) as caught:
            scan_text(io.BytesIO(content))
    return caught.value


def lines_with(bad: bytes, at: int, count: int, first: bytes = b"Huvudbok") -> bytes:
    rows = [first] + [ROW.format(n=n).encode("ascii") for n in range(2, count + 1)]
    rows[at - 1] = rows[at - 1][:5] + bad + rows[at - 1][5:]
    return b"\r\n".join(rows) + b"\r\n"


@settings(max_examples=60, deadline=None)
@given(data=st.data(), count=st.integers(2, 60), chunk=st.integers(7, 400))
def test_each_refusal_names_its_line(data, count, chunk):
    at = data.draw(st.integers(2, count))
    kind = data.draw(st.sampled_from(["nul", "undefined", "bad-utf8", "long"]))
    if kind == "nul":
        content, words = lines_with(b"\x00", at, count), "NUL-tecken"
    elif kind == "undefined":  # Windows-1252 (the title's ä), with a byte it does not define
        content = lines_with(b"\x81", at, count, first="Jämtland".encode("cp1252"))
        words = "byte 0x81 är varken giltig UTF-8"
    elif kind == "bad-utf8":  # UTF-8 letters first, then a Windows-1252 ä
        content = lines_with(b"\xe4", at, count, first="Jämtland".encode())
        words = "filen är skriven i UTF-8 men byte 0xE4"
    else:
        content, words = lines_with(b"x" * (max(chunk, 200) + 1), at, count), "raden är längre"
    error = refused_line(content, chunk)
    assert error.row == at, (error.messages, at)
    assert error.messages[0].startswith(f"Rad {at}: ")
    assert words in error.messages[0]


def test_a_file_whose_utf8_ends_inside_a_letter_names_its_last_line():
    content = "Jämtland\r\nrad två\r\nslut ".encode() + "ä".encode()[:1]
    error = refused_line(content, 5)
    assert error.row == 3 and error.messages[0].startswith("Rad 3: ")
