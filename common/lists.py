"""A filtered list page's filters and table (django-filter, django-tables2), rendered once per
address and version of the data and kept in the shared cache: the same page of the same data
is the same HTML for everyone, and a manager's second look costs a cache lookup."""

from django.template.loader import render_to_string
from django_tables2 import RequestConfig

from .cache import kept
from .downloads import xlsx_link

PER_PAGE = 50
# A kept list; a change to its data makes a new version (and so a new key) at once.
LIST_SECONDS = 3600


def list_body(request, version, filtered, table_class, template: str, **context) -> str:
    """The list's body as HTML: `filtered(request.GET)` is its filter set, `template` shows
    `filter`, `table` and `export` (the same list as XLSX). `version` must change whenever
    anything the list shows does; nothing in `template` may depend on who asks."""

    def body():
        filters = filtered(request.GET)
        table = table_class(filters.qs)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        return render_to_string(
            template,
            {"filter": filters, "table": table, "export": xlsx_link(request), **context},
            request,
        )

    return kept(("list", template, request.get_full_path(), version), body, LIST_SECONDS)
