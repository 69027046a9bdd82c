"""HTML to tagged, accessible PDF (WeasyPrint, PDF/UA-1).

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

log = logging.getLogger("statsbidrag.pdf")


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


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    fetcher = _fetcher_class()(allowed_protocols={"file", "data"}, allow_redirects=False)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=False
    )
