"""The one way a view hands over a file it made, and the one way a list offers itself as XLSX.

A list page links to its own URL with `format=xlsx` added to the user's filters; the view
asks `wants_xlsx(request)` and answers with `attachment(...)` of the same rows.
"""

import mimetypes

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CSV = "text/csv; charset=utf-8"


def attachment(content: bytes, file_name: str, content_type: str | None = None) -> HttpResponse:
    """`content` as a download named `file_name` (non-ASCII names encoded as RFC 6266 says);
    the content type follows the name's extension unless given."""
    if content_type is None:
        guessed = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        content_type = CSV if guessed == "text/csv" else guessed
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def xlsx_link(request) -> str:
    """This page as XLSX, with the filters the user chose."""
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    return f"{request.path}?{query.urlencode()}"
