"""The managers' dashboard, each role's start page, and the lists behind the numbers."""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django_tables2 import RequestConfig

from common import charts
from common.xlsx import KRONOR, KRONOR_ORE, Workbook
from distribution.models import Activity
from followup.models import LedgerTransaction
from grants.permissions import can_view_grants
from grants.roles import Role, require, roles_of
from plan.reads import dashboard_section

from .figures import build_dashboard, data_version, default_year
from .filters import ActivityFilter, TransactionFilter
from .tables import ActivityTable, TransactionTable


@require(can_view_grants)
def start(request):
    """Each role's own start page: managers the dashboard, finance the ledger, officers home."""
    roles = roles_of(request.user)
    if Role.OFFICER in roles or Role.ADMIN in roles:
        return redirect("grants:home")
    if Role.FINANCE in roles:
        return redirect("followup:imports")
    return redirect("dashboard:overview")


def _int(value, default, low, high):
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return default


@require(can_view_grants)
def overview(request):
    today = timezone.localdate()
    year = _int(request.GET.get("ar"), default_year(today), 2000, 2100)
    threshold = _int(request.GET.get("avvikelse"), 20, 1, 1000)
    # The page is the same for everyone; it is rebuilt whenever the data behind it changes.
    key = (
        "dashboard:"
        + hashlib.sha256(repr((year, threshold, today, data_version())).encode()).hexdigest()
    )
    context = cache.get(key)
    if context is None:
        context = _overview_context(build_dashboard(year, today, threshold))
        cache.set(key, context, 3600)
    # The joint plan's indicators: a few queries, outside the cached money figures.
    context = {**context, "plan_indicators": dashboard_section()}
    return render(request, "dashboard/overview.html", context)


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


def _export(rows, header, formats, name):
    book = Workbook()
    sheet = book.sheet(name)
    sheet.header(header, [30] * len(header))
    for row in rows:
        sheet.write_row(row, formats)
    sheet.autofilter(max(sheet.row, 2))
    response = HttpResponse(
        book.close(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name.lower()}.xlsx"'
    return response


@require(can_view_grants)
def activities(request):
    queryset = Activity.objects.select_related("area__agreement").order_by("pk")
    filters = ActivityFilter(request.GET or None, queryset=queryset)
    rows = filters.qs
    if request.GET.get("format") == "xlsx":
        return _export(
            (
                [
                    a.area.agreement.short_name,
                    a.area.name,
                    a.name,
                    a.amount,
                    a.get_status_display(),
                    a.responsible,
                    "; ".join(a.missing_conditions()) or "Uppfyllda",
                ]
                for a in rows
            ),
            [
                "Överenskommelse",
                "Utvecklingsområde",
                "Insats",
                "Belopp",
                "Status",
                "Ansvarig",
                "Villkor",
            ],
            [None, None, None, KRONOR, None, None, None],
            "Aktiviteter",
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
            "export": _with_format(request),
        },
    )


@require(can_view_grants)
def transactions(request):
    queryset = LedgerTransaction.objects.filter(is_budget=False).select_related(
        "cost_object", "activity"
    )
    filters = TransactionFilter(request.GET or None, queryset=queryset)
    rows = filters.qs.order_by("year", "month", "id")
    if request.GET.get("format") == "xlsx":
        return _export(
            (
                [
                    f"{t.year}-{t.month:02d}",
                    t.cost_object.number,
                    t.activity.name if t.activity else "Ej kopplat",
                    t.account,
                    t.responsibility,
                    t.voucher,
                    t.text,
                    t.amount,
                ]
                for t in rows.iterator(chunk_size=2000)
            ),
            ["Period", "Objekt", "Aktivitet", "Konto", "Ansvar", "Verifikation", "Text", "Belopp"],
            [None] * 7 + [KRONOR_ORE],
            "Transaktioner",
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
            "export": _with_format(request),
        },
    )


def _with_format(request):
    query = request.GET.copy()
    query["format"] = "xlsx"
    return f"{request.path}?{query.urlencode()}"
