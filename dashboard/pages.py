"""The dashboard page's content, built once per version of the data behind it and kept in the
shared cache, so that a manager's view costs a cache lookup.

- One build at a time: a process that finds a page being built by another waits for it
  instead of building it again beside it (with twenty managers, a cold page would otherwise
  be built by everyone who asks for it in the same second).
- Each year's page has its own version of the data (followup.versions.data_version): a change to one
  year's activities makes only that year's page new.
- Built ahead: after a write (any POST that succeeded) and after the first view of new data,
  the pages the change made old are built once the response has been sent, the default year
  first, so that no manager waits for a year nobody has looked at since the data changed.

The shared cache is Redis in production (CACHE_URL); cache.add is then atomic, so exactly one
process builds. With a per-process cache each process builds its own pages.
"""

import hashlib
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from common import charts
from common.cache import CACHE_DOWN
from followup.versions import data_version
from grants.models import Agreement

from .reads.figures import build_dashboard, default_year

logger = logging.getLogger("statsbidrag.dashboard")

DEFAULT_THRESHOLD = 20
CACHE_SECONDS = 3600
# A build holds its claim this long at most (a build takes well under a second on ten years of
# data); a process waiting for another's build gives up and builds itself after BUILD_WAIT.
BUILD_CLAIM_SECONDS = 30
BUILD_WAIT = 10.0
POLL = 0.05


def body_key(year, threshold, today, version) -> str:
    raw = repr((year, threshold, today, version))
    return "dashboard:body:" + hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class LazyChart:
    """A chart the page shows as an <img loading="lazy">: fetched when scrolled to, drawn
    then from what the page's own kept entry holds for it (chart_svg). `name` is a hash of
    what it plots, so a URL never shows another chart than the one the page was built with."""

    name: str
    title: str
    description: str
    width: int = charts.WIDTH
    height: int = charts.CUMULATIVE_HEIGHT


@dataclass
class PageEntry:
    """What is kept per year's page: its HTML and what each chart it loads later plots
    (charts.cumulative_data): a chart is drawn when it is fetched, not when the page is
    built, so a year's first view does not wait for twenty charts nobody has scrolled to."""

    body: str
    charts: dict[str, tuple] = field(default_factory=dict)


def _context(dashboard, lazy: dict | None):
    """The template's context. With `lazy` (a dict to fill), the charts per cost object are
    kept there and shown as images loaded when scrolled to: twenty inline charts would make
    the page ten times its size."""
    areas_with_money = [a for a in dashboard.areas if a.decided or a.distributed or a.outcome]
    cumulative = []
    for index, cost_object in enumerate(dashboard.objects):
        if not (cost_object.outcome or cost_object.distributed):
            continue
        if lazy is not None:
            data = charts.cumulative_data(cost_object, index)
            name = hashlib.sha256(repr(data).encode()).hexdigest()[:32]
            lazy[name] = data
            svg = LazyChart(name, *charts.cumulative_text(cost_object))
        else:
            svg = charts.cumulative_chart(cost_object, index)
        cumulative.append((cost_object, svg))
    return {
        "d": dashboard,
        "summary_chart": charts.summary_chart(dashboard),
        "areas_chart": charts.areas_chart(areas_with_money) if areas_with_money else "",
        # Budget against outcome by month per cost object (each belongs to one area).
        "cumulative": cumulative,
        "years_chart": (
            charts.years_chart(dashboard.years_by_area, dashboard.years)
            if dashboard.years_by_area
            else ""
        ),
        "areas": areas_with_money,
    }


def _build(year, threshold, today, *, lazy=True) -> PageEntry:
    """The page for a year. Without the shared cache (lazy=False) every chart is inline: an
    image fetched later would have to build the whole page again."""
    entry = PageEntry(body="")
    context = _context(build_dashboard(year, today, threshold), entry.charts if lazy else None)
    entry.body = render_to_string(
        "dashboard/overview.html",
        {**context, "layout": "dashboard/partials/bare.html"},
    )
    return entry


def page_body(year, threshold, today, version) -> str:
    """The page's content as HTML, the same for everyone; built here when the shared cache
    does not answer."""
    return _page_entry(year, threshold, today, version).body


def chart_svg(year, threshold, today, version, name) -> str | None:
    """The SVG of a chart the page for these figures loads when scrolled to, drawn now (and
    kept by the charts' own cache); None when the page as it is now has no such chart (its
    data changed since the page was shown)."""
    data = _page_entry(year, threshold, today, version).charts.get(name)
    if data is None or isinstance(data, str):  # a str: the SVG, kept before this version
        return data
    return charts.cumulative_svg(data)


def _page_entry(year, threshold, today, version) -> PageEntry:
    try:
        return _shared_page_entry(year, threshold, today, version)
    except CACHE_DOWN as error:
        logger.warning("Cachen svarar inte (%s); översikten byggs utan den.", type(error).__name__)
        return _build(year, threshold, today, lazy=False)


def _kept(key):
    entry = cache.get(key)
    return entry if isinstance(entry, PageEntry) else None


def _shared_page_entry(year, threshold, today, version) -> PageEntry:
    key = body_key(year, threshold, today, version)
    entry = _kept(key)
    if entry is not None:
        return entry
    claim = key + ":building"
    waited_until = time.monotonic() + BUILD_WAIT
    while not (owned := cache.add(claim, True, BUILD_CLAIM_SECONDS)):
        # Another process is building this page: wait for its result (or, if it failed and
        # gave up its claim, build it here).
        time.sleep(POLL)
        entry = _kept(key)
        if entry is not None:
            return entry
        if time.monotonic() > waited_until:
            logger.warning("Översikten för %s byggdes inte klart i tid; byggs här.", year)
            break
    try:
        # Built by another process between our first look and our claim?
        entry = _kept(key) if owned else None
        if entry is None:
            entry = _build(year, threshold, today)
            cache.set(key, entry, CACHE_SECONDS)
    finally:
        if owned:
            cache.delete(claim)
    return entry


def build_ahead(today) -> list[int]:
    """Build every year's page that is not built for its data as it is, the default year
    first. Returns the years built here."""
    years = list(Agreement.objects.order_by("-year").values_list("year", flat=True).distinct())
    first = default_year(today, years)
    built = []
    for year in sorted(years, key=lambda y: (y != first, -y)):
        version = data_version(year)
        if cache.get(body_key(year, DEFAULT_THRESHOLD, today, version)) is None:
            page_body(year, DEFAULT_THRESHOLD, today, version)
            built.append(year)
    return built


def build_ahead_after(response) -> None:
    """Once per change of the data and day: after this response has been sent, build the
    pages the change made old (Django runs a response's closers when the server closes it).
    The data is read then, so that it includes what the request wrote."""
    if not settings.DASHBOARD_BUILD_AHEAD:
        return

    def build():
        today = timezone.localdate()
        try:
            raw = repr((today, data_version())).encode()
            marker = "dashboard:ahead:" + hashlib.sha256(raw).hexdigest()
            if cache.add(marker, True, CACHE_SECONDS):
                build_ahead(today)
        except Exception:  # the response is sent; the next view builds what is missing
            logger.exception("Översikterna kunde inte byggas i förväg.")

    response._resource_closers.append(build)


def build_ahead_after_writes(get_response):
    """Middleware: after a write that succeeded (a POST answered below 400), build the
    dashboards for the data as it now is, so that the next manager does not wait."""

    def middleware(request):
        response = get_response(request)
        if request.method == "POST" and response.status_code < 400:
            build_ahead_after(response)
        return response

    return middleware
