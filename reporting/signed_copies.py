"""A signed copy is kept only when it is a plain PDF: it starts as one and parses, has pages,
is not encrypted, carries nothing that runs or launches (JavaScript, OpenAction, additional
actions, Launch) nor embedded files, and its streams inflate to a bounded size (read with a
cap, so a flate bomb costs no more than the cap). Anything else is refused in Swedish."""

import io
import logging
import re
import zlib

from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from common.refusals import Refused

# Keys and names that make a PDF do something when opened, or carry other files.
FORBIDDEN = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/OpenAction": "en åtgärd som körs när filen öppnas (OpenAction)",
    "/AA": "åtgärder som körs automatiskt (AA)",
    "/Launch": "en åtgärd som startar program (Launch)",
    "/EmbeddedFiles": "inbäddade filer",
    "/EmbeddedFile": "inbäddade filer",
    "/RichMedia": "inbäddad media",
    "/XFA": "ett XFA-formulär",
}
# Filters whose decoded size is measured (Flate) or bounded by what they are (images, text
# encodings that only shrink or keep the size).
MEASURED = {"/FlateDecode", "/Fl"}
BOUNDED = {
    "/DCTDecode",
    "/DCT",
    "/JPXDecode",
    "/CCITTFaxDecode",
    "/CCF",
    "/JBIG2Decode",
    "/ASCII85Decode",
    "/A85",
    "/ASCIIHexDecode",
    "/AHx",
}
# Markup that a PDF has no reason to carry in plain bytes: an HTML/PDF polyglot.
MARKUP = re.compile(rb"<\s*(script|html|!doctype|body|iframe)\b", re.IGNORECASE)
MAX_OBJECTS = 200_000
CHUNK = 1024 * 1024

logger = logging.getLogger(__name__)


class SignedCopyRefused(Refused):
    """The file is not a plain PDF."""


def max_inflated() -> int:
    return settings.SIGNED_COPY_MAX_INFLATED_BYTES


def _inflated_size(stream: StreamObject, budget: int) -> int:
    """The stream's size after its filters, counting at most `budget` + 1 bytes."""
    filters = stream.get("/Filter")
    if filters is None:
        return len(stream._data)
    names = [str(f) for f in filters] if isinstance(filters, ArrayObject) else [str(filters)]
    first = names[0]
    if first in MEASURED:
        # Inflated a chunk at a time and only counted: memory stays at one chunk however
        # large the stream claims to be.
        inflater, data, size = zlib.decompressobj(), stream._data, 0
        try:
            while data and size <= budget:
                size += len(inflater.decompress(data, CHUNK))
                data = inflater.unconsumed_tail
        except zlib.error:
            raise SignedCopyRefused(
                "Filen är skadad (en komprimerad del går inte att läsa). Spara den som PDF på "
                "nytt och ladda upp igen."
            ) from None
        return size
    if all(name in MEASURED | BOUNDED for name in names):
        return len(stream._data)
    raise SignedCopyRefused(
        f"Filen använder komprimeringen {first.lstrip('/')}, som inte tas emot. Spara den som "
        "PDF på nytt (t.ex. ”Skriv ut som PDF”) och ladda upp igen."
    )


def _walk(reader: PdfReader):
    """Every object reachable from the trailer, once; refused on a forbidden key or name."""
    seen, todo, inflated, count = set(), [reader.trailer], 0, 0
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        count += 1
        if count > MAX_OBJECTS:
            raise SignedCopyRefused("Filen har för många delar för att vara ett skannat dokument.")
        if isinstance(item, NameObject) and item in ("/JavaScript", "/Launch"):
            raise SignedCopyRefused(f"Filen innehåller {FORBIDDEN[item]} och tas inte emot.")
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in FORBIDDEN:
                    raise SignedCopyRefused(
                        f"Filen innehåller {FORBIDDEN[name]} och tas inte emot. Spara den som "
                        "en vanlig PDF (t.ex. ”Skriv ut som PDF”) och ladda upp igen."
                    )
                todo.append(value)
            if isinstance(item, StreamObject):
                inflated += _inflated_size(item, max_inflated() - inflated)
                if inflated > max_inflated():
                    raise SignedCopyRefused(
                        f"Filen blir större än {max_inflated() // (1024 * 1024)} MB när den "
                        "packas upp och tas inte emot."
                    )
        elif isinstance(item, ArrayObject):
            todo.extend(item)


def check_signed_copy(content: bytes):
    """Refuse (SignedCopyRefused) anything but a plain PDF."""
    if not content.startswith(b"%PDF-"):
        raise SignedCopyRefused("Det undertecknade exemplaret ska vara en PDF-fil.")
    if b"%%EOF" not in content[-2048:]:
        raise SignedCopyRefused(
            "Filen slutar inte som en PDF (data efter filens slut); den tas inte emot."
        )
    if MARKUP.search(content):
        raise SignedCopyRefused("Filen innehåller HTML och är ingen ren PDF; den tas inte emot.")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise SignedCopyRefused("Filen är krypterad eller lösenordsskyddad; den tas inte emot.")
        if len(reader.pages) < 1:
            raise SignedCopyRefused("Filen har inga sidor.")
        _walk(reader)
    except SignedCopyRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        logger.info("signed copy refused: %s", error)
        raise SignedCopyRefused(
            "Filen går inte att läsa som PDF. Spara den som PDF på nytt och ladda upp igen."
        ) from None
