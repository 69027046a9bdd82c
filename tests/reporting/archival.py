"""Reading a PDF back as an archive (e-arkiv) would take it, with pypdf: PDF/A-2a or 3a named
in the XMP metadata, an sRGB output intent, every font embedded, tagged, no JavaScript, not
encrypted. Returns what is wrong, in Swedish, so that a test can assert an empty list."""

import io
import re

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _fonts(resources, seen):
    """Every font dictionary reachable from a resources dictionary (XObjects and Type3 too)."""
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject):
        return
    for font in _resolve(resources.get("/Font", DictionaryObject())).values():
        font = _resolve(font)
        if id(font) in seen:
            continue
        seen.add(id(font))
        yield font
        if "/Resources" in font:
            yield from _fonts(font["/Resources"], seen)
    for xobject in _resolve(resources.get("/XObject", DictionaryObject())).values():
        xobject = _resolve(xobject)
        if id(xobject) not in seen and "/Resources" in xobject:
            seen.add(id(xobject))
            yield from _fonts(xobject["/Resources"], seen)


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # drawn by the content stream itself
    if font.get("/Subtype") == "/Type0":
        return all(_embedded(_resolve(d)) for d in font["/DescendantFonts"])
    descriptor = _resolve(font.get("/FontDescriptor"))
    return descriptor is not None and any(key in descriptor for key in FONT_FILES)


def _has_javascript(obj, seen) -> bool:
    obj = _resolve(obj)
    if id(obj) in seen:
        return False
    seen.add(id(obj))
    if isinstance(obj, DictionaryObject):
        if obj.get("/S") == "/JavaScript" or "/JS" in obj or "/JavaScript" in obj:
            return True
        return any(
            _has_javascript(value, seen)
            for key, value in obj.items()
            if key not in ("/Parent", "/P", "/Pg", "/StructTreeRoot", "/K", "/ParentTree")
        )
    if isinstance(obj, list):
        return any(_has_javascript(value, seen) for value in obj)
    return False


def archival_problems(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        return ["filen är krypterad"]
    problems = []
    root = reader.trailer["/Root"]
    xmp = _resolve(root.get("/Metadata"))
    xml = xmp.get_data().decode("utf-8") if xmp is not None else ""
    part = re.search(r'pdfaid:part="(\d)"', xml)
    conformance = re.search(r'pdfaid:conformance="(\w)"', xml)
    if not part or part.group(1) not in ("2", "3") or not conformance:
        problems.append("ingen PDF/A-2- eller PDF/A-3-identifiering i XMP")
    elif conformance.group(1) != "A":
        problems.append(f"PDF/A-{part.group(1)}{conformance.group(1).lower()}, inte nivå a")
    if "/ID" not in reader.trailer:
        problems.append("filidentifierare (/ID) saknas")
    intents = [_resolve(i) for i in _resolve(root.get("/OutputIntents", []))]
    if not any(
        i.get("/S") == "/GTS_PDFA1"
        and "/DestOutputProfile" in i
        and "sRGB" in str(i.get("/OutputConditionIdentifier", ""))
        for i in intents
    ):
        problems.append("ingen sRGB-utdataavsikt (OutputIntent) för PDF/A")
    if "/StructTreeRoot" not in root or not _resolve(root.get("/MarkInfo", {})).get("/Marked"):
        problems.append("filen är inte taggad")
    if not str(root.get("/Lang", "")).startswith("sv"):
        problems.append("dokumentets språk är inte svenska")
    seen = set()
    for number, page in enumerate(reader.pages, 1):
        for font in _fonts(page.get("/Resources"), seen):
            if not _embedded(font):
                problems.append(
                    f"sida {number}: typsnittet {font.get('/BaseFont')} är inte inbäddat"
                )
    names = _resolve(root.get("/Names", DictionaryObject()))
    if "/JavaScript" in names or "/OpenAction" in root or "/AA" in root:
        problems.append("filen innehåller JavaScript eller automatiska åtgärder")
    if any(_has_javascript(page, set()) for page in reader.pages):
        problems.append("en sida innehåller JavaScript")
    return problems
