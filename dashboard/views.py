"""The managers' dashboard, each role's start page, and the lists behind the numbers."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from common.downloads import attachment, wants_xlsx
from common.lists import list_body
from common.roles import Role, require, roles_of
from distribution.exports import activity_list_xlsx
from followup.exports import ledger_rows_xlsx
from followup.versions import data_version
from grants.permissions import can_view_grants
from grants.reads import home_context
from operations.templatetags.inline_svg import with_style_nonce
from plan.reads import dashboard_section

from .filters import number_in
from .pages import DEFAULT_THRESHOLD, build_ahead_after, chart_svg, page_body
from .reads import lists
from .reads.figures import default_year
from .reads.todo import todo_for
from .tables import ActivityTable, TransactionTable


@require(can_view_grants)
def start(request):
    """Each user's start page: what waits for them (Att göra), then the officers' agreements
    and deadlines, or the way to the dashboard and the ledger."""
    roles = roles_of(request.user)
    is_officer = Role.OFFICER in roles or Role.ADMIN in roles
    context = {
        "todo": todo_for(request.user, timezone.localdate(), settings.DEADLINE_WARNING_DAYS),
        "warning_days": settings.DEADLINE_WARNING_DAYS,
        "is_officer": is_officer,
        **(home_context() if is_officer else {}),
    }
    return render(request, "dashboard/start.html", context)


# Where the cached page takes the joint plan's section, rendered fresh on every view.
PLAN_SECTION = "<!-- plan-section -->"


@require(can_view_grants)
def overview(request):
    today = timezone.localdate()
    year = number_in(request.GET.get("ar"), default_year(today), 2000, 2100)
    threshold = number_in(request.GET.get("avvikelse"), DEFAULT_THRESHOLD, 1, 1000)
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
    threshold = number_in(request.GET.get("avvikelse"), DEFAULT_THRESHOLD, 1, 1000)
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
    if wants_xlsx(request):
        rows = lists.activities_for_export(lists.activities(request.GET).qs)
        return attachment(activity_list_xlsx(rows), "aktiviteter.xlsx")
    return _list_page(request, "Aktiviteter", lists.activities, ActivityTable)


@require(can_view_grants)
def transactions(request):
    if wants_xlsx(request):
        rows = lists.transactions_for_export(lists.transactions(request.GET).qs)
        return attachment(ledger_rows_xlsx("Transaktioner", rows), "transaktioner.xlsx")
    return _list_page(request, "Transaktioner", lists.transactions, TransactionTable)


def _list_page(request, title, filtered, table_class):
    """A drill-down list: the filters, fifty rows a page, and the spreadsheet link; kept per
    version of everything the dashboard reads (followup.versions.data_version)."""
    body = list_body(
        request,
        data_version(),
        filtered,
        table_class,
        "dashboard/partials/list_body.html",
        title=title,
    )
    return render(request, "dashboard/list.html", {"title": title, "body": body})
