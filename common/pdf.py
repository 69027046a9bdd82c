"""HTML to archival, tagged, accessible PDF: PDF/A-2a (WeasyPrint's variant that is both
archival and tagged: every font embedded, an sRGB output intent, XMP metadata, no JavaScript,
no encryption), also identified as PDF/UA-1 in the same XMP packet.

WeasyPrint fetches what a document refers to (images, style sheets, fonts). Documents hold
text that users wrote, so the fetcher serves only our own static files and inline data:
anything else (another local file, any http or ftp address) is refused and logged, and the
document is made without it.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.safestring import mark_safe

log = logging.getLogger("statsbidrag.pdf")


def css_string(value) -> str:
    r"""`value` as the inside of a CSS string in a `<style>` element: backslash, quotes and
    line breaks escaped the CSS way (not JavaScript's `\u0022`, which CSS prints as
    `u0022`), and `<` as `\3C ` so that no `</style>` can end the element."""
    out = []
    for char in str(value):
        if char in "\\\"'":
            out.append("\\" + char)
        elif char in "\n\r\f":
            out.append("\\A ")
        elif char == "<":
            out.append("\\3C ")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):X} ")
        else:
            out.append(char)
    return mark_safe("".join(out))


def static_roots() -> list[Path]:
    roots = [Path(root).resolve() for root in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def allowed_static_file(url: str) -> Path | None:
    """The file behind a file: URL if it lies inside one of our static folders, else None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()  # resolves ../ and symlinks
    for root in static_roots():
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = allowed_static_file(url)
            if path is None:
                log.warning("dokumentet hänvisar till en otillåten resurs", extra={"url": url})
                raise ValueError(f"Otillåten resurs i dokumentet: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
            )

    return StaticFilesOnly


PDF_VARIANT = "pdf/a-2a"
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"


def _also_pdfua(metadata):
    """Add the PDF/UA-1 identification (pdfuaid:part 1) beside WeasyPrint's PDF/A one, in
    the one rdf:RDF element of the XMP packet: the documents are tagged for both."""
    from xml.etree.ElementTree import fromstring, register_namespace, tostring

    generate = metadata.generate_rdf_metadata

    def generate_with_ua(variant, version, conformance):
        rdf = fromstring(generate(variant, version, conformance))
        register_namespace("pdfuaid", PDFUA_NS)
        description = rdf[0]
        description.attrib[f"{{{PDFUA_NS}}}part"] = "1"
        return tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = generate_with_ua


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    fetcher = _fetcher_class()(allowed_protocols={"file", "data"}, allow_redirects=False)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render(
        pdf_variant=PDF_VARIANT
    )
    _also_pdfua(document.metadata)
    # The file identifier (required by PDF/A) is a checksum of the content: the same
    # document gives the same bytes.
    return document.write_pdf(pdf_variant=PDF_VARIANT)
