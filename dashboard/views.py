"""The managers' dashboard, each role's start page, and the lists behind the numbers."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django_tables2 import RequestConfig

from common import charts
from common.downloads import attachment, wants_xlsx, xlsx_link
from common.roles import Role, require, roles_of
from distribution.exports import activity_list_xlsx
from distribution.models import Activity
from followup.exports import ledger_rows_xlsx
from followup.models import LedgerTransaction
from grants.models import Agreement
from grants.permissions import can_view_grants
from grants.views import home_context
from operations.templatetags.inline_svg import with_style_nonce
from plan.reads import dashboard_section

from .figures import build_dashboard, data_version, default_year
from .filters import ActivityFilter, TransactionFilter
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


DEFAULT_THRESHOLD = 20
CACHE_SECONDS = 3600
# Where the cached page takes the joint plan's section, rendered fresh on every view.
PLAN_SECTION = "<!-- plan-section -->"


def _body_key(year, threshold, today, version):
    raw = repr((year, threshold, today, version))
    return "dashboard:body:" + hashlib.sha256(raw.encode()).hexdigest()


def _body(year, threshold, today, version):
    """The page's content as HTML, the same for everyone: built once per version of the data
    behind it (and day), kept in the shared cache, so a read costs a cache lookup."""
    key = _body_key(year, threshold, today, version)
    body = cache.get(key)
    if body is None:
        context = _overview_context(build_dashboard(year, today, threshold))
        body = render_to_string(
            "dashboard/overview.html", {**context, "layout": "dashboard/partials/bare.html"}
        )
        cache.set(key, body, CACHE_SECONDS)
    return body


def build_ahead(today, version=None):
    """Build every year's page for the current data, so that no manager waits for a year
    nobody has looked at since the data changed. Returns the years built."""
    version = data_version() if version is None else version
    built = []
    for year in Agreement.objects.order_by("-year").values_list("year", flat=True).distinct():
        if cache.get(_body_key(year, DEFAULT_THRESHOLD, today, version)) is None:
            _body(year, DEFAULT_THRESHOLD, today, version)
            built.append(year)
    return built


def _build_ahead_after(response, today, version):
    """Once per data version and day: after this response has been sent, build the other
    years' pages (Django runs a response's closers when the server closes it)."""
    if not settings.DASHBOARD_BUILD_AHEAD:
        return
    marker = "dashboard:ahead:" + hashlib.sha256(repr((today, version)).encode()).hexdigest()
    if cache.add(marker, True, CACHE_SECONDS):
        response._resource_closers.append(lambda: build_ahead(today, version))


@require(can_view_grants)
def overview(request):
    today = timezone.localdate()
    year = _int(request.GET.get("ar"), default_year(today), 2000, 2100)
    threshold = _int(request.GET.get("avvikelse"), DEFAULT_THRESHOLD, 1, 1000)
    version = data_version()
    # The joint plan's indicators: a few queries, outside the cached money figures.
    plan = render_to_string(
        "plan/partials/dashboard_section.html", {"plan_indicators": dashboard_section()}, request
    )
    # The cached body is made without a request; its charts' <style> blocks get this
    # response's nonce here (reading it puts it in the Content-Security-Policy header).
    nonce = getattr(request, "csp_nonce", None)
    body = _body(year, threshold, today, version)
    if nonce is not None:
        body = with_style_nonce(body, str(nonce))
    body = body.replace(PLAN_SECTION, plan, 1)
    response = render(request, "dashboard/overview_page.html", {"year": year, "body": body})
    _build_ahead_after(response, today, version)
    return response


def _overview_context(dashboard):
    areas_with_money = [a for a in dashboard.areas if a.decided or a.distributed or a.outcome]
    return {
        "d": dashboard,
        "summary_chart": charts.summary_chart(dashboard),
        "areas_chart": charts.areas_chart(areas_with_money) if areas_with_money else "",
        # Budget against outcome by month per cost object (each belongs to one area).
        "cumulative": [
            (cost_object, charts.cumulative_chart(cost_object, index))
            for index, cost_object in enumerate(dashboard.objects)
            if cost_object.outcome or cost_object.distributed
        ],
        "years_chart": (
            charts.years_chart(dashboard.years_by_area, dashboard.years)
            if dashboard.years_by_area
            else ""
        ),
        "areas": areas_with_money,
    }


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
