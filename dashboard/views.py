"""The managers' dashboard, each role's start page, and the lists behind the numbers."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django_tables2 import RequestConfig

from common.downloads import attachment, wants_xlsx, xlsx_link
from common.roles import Role, require, roles_of
from distribution.exports import activity_list_xlsx
from distribution.models import Activity
from followup.exports import ledger_rows_xlsx
from followup.models import LedgerTransaction
from grants.permissions import can_view_grants
from grants.views import home_context
from operations.templatetags.inline_svg import with_style_nonce
from plan.reads import dashboard_section

from .figures import data_version, default_year
from .filters import ActivityFilter, TransactionFilter
from .pages import DEFAULT_THRESHOLD, build_ahead_after, chart_svg, page_body
from .tables import ActivityTable, TransactionTable
from .todo import todo_for


@require(can_view_grants)
def start(request):
    """Each user's start page: what waits for them (Att göra), then the officers' agreements
    and deadlines, or the way to the dashboard and the ledger."""
    roles = roles_of(request.user)
    context = {
        "todo": todo_for(request.user, timezone.localdate(), settings.DEADLINE_WARNING_DAYS),
        "warning_days": settings.DEADLINE_WARNING_DAYS,
        "is_officer": Role.OFFICER in roles or Role.ADMIN in roles,
    }
    if context["is_officer"]:
        context.update(home_context())
    return render(request, "dashboard/start.html", context)


def _int(value, default, low, high):
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return default


# Where the cached page takes the joint plan's section, rendered fresh on every view.
PLAN_SECTION = "<!-- plan-section -->"


@require(can_view_grants)
def overview(request):
    today = timezone.localdate()
    year = _int(request.GET.get("ar"), default_year(today), 2000, 2100)
    threshold = _int(request.GET.get("avvikelse"), DEFAULT_THRESHOLD, 1, 1000)
    version = data_version(year)
    # The joint plan's indicators: a few queries, outside the cached money figures.
    plan = render_to_string(
        "plan/partials/dashboard_section.html",
        {"plan_indicators": dashboard_section(year)},
        request,
    )
    # The cached body is made without a request; its charts' <style> blocks get this
    # response's nonce here (reading it puts it in the Content-Security-Policy header).
    nonce = getattr(request, "csp_nonce", None)
    body = page_body(year, threshold, today, version)
    if nonce is not None:
        body = with_style_nonce(body, str(nonce))
    body = body.replace(PLAN_SECTION, plan, 1)
    response = render(request, "dashboard/overview_page.html", {"year": year, "body": body})
    build_ahead_after(response)
    return response


@require(can_view_grants)
def chart(request, year, name):
    """A chart of the overview, fetched by the page's <img loading="lazy"> when scrolled to.
    The name is a hash of the chart: the same URL is the same picture, kept by the browser."""
    threshold = _int(request.GET.get("avvikelse"), DEFAULT_THRESHOLD, 1, 1000)
    svg = chart_svg(year, threshold, timezone.localdate(), data_version(year), name)
    if svg is None:
        raise Http404("Diagrammet finns inte för uppgifterna som de är nu.")
    nonce = getattr(request, "csp_nonce", None)
    response = HttpResponse(
        with_style_nonce(svg, str(nonce)) if nonce is not None else svg,
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require(can_view_grants)
def activities(request):
    queryset = Activity.objects.select_related("area__agreement").order_by("pk")
    filters = _areas_of_year(ActivityFilter(request.GET or None, queryset=queryset))
    rows = filters.qs
    if wants_xlsx(request):
        return attachment(
            activity_list_xlsx(rows.select_related("cost_object", "ring_fenced_component")),
            "aktiviteter.xlsx",
        )
    table = ActivityTable(rows)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "dashboard/list.html",
        {
            "title": "Aktiviteter",
            "filter": filters,
            "table": table,
            "export": xlsx_link(request),
        },
    )


@require(can_view_grants)
def transactions(request):
    queryset = LedgerTransaction.objects.filter(is_budget=False).select_related(
        "cost_object", "activity"
    )
    filters = _areas_of_year(TransactionFilter(request.GET or None, queryset=queryset))
    rows = filters.qs.order_by("year", "month", "id")
    if wants_xlsx(request):
        return attachment(
            ledger_rows_xlsx(
                "Transaktioner",
                rows.select_related("ledger_import").iterator(chunk_size=2000),
            ),
            "transaktioner.xlsx",
        )
    table = TransactionTable(rows)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "dashboard/list.html",
        {
            "title": "Transaktioner",
            "filter": filters,
            "table": table,
            "export": xlsx_link(request),
        },
    )


def _areas_of_year(filters):
    """With a year chosen, offer only that year's areas: ten years of agreements have
    hundreds, and a select of all of them is slow to render and to use."""
    year = _int(filters.data.get("year"), None, 2000, 2100) if filters.data else None
    if year is not None:
        field = filters.form.fields["area"]
        field.queryset = field.queryset.filter(agreement__year=year)
    return filters
