"""Charts as SVG, rendered on the server with pygal: the same markup serves the web page and
a PDF. Every chart carries a title and a description, prints its values on the bars and
lines (not colour alone), and loads no script."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pygal
from django.utils.html import escape
from pygal.style import Style

from common.cache import kept
from common.money import format_millions

# Colours with at least 3:1 contrast against white and against each other's neighbours.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#4a4a4a",
    colors=("#00497a", "#b34700", "#2e7d32", "#6a1b9a", "#8a5a00"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    tooltip_font_size=12,
)
CHART_CACHE_SECONDS = 24 * 3600
WIDTH = 900
CUMULATIVE_HEIGHT = 340
MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def mnkr(value) -> str:
    return format_millions(Decimal(round(Decimal(value or 0) / 100_000) * 100_000))


def _config(**extra):
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "print_values": True,
        "value_formatter": mnkr,
        "legend_at_bottom": True,
        "width": WIDTH,
        "height": 420,
        "truncate_legend": -1,
        "truncate_label": -1,
        **extra,
    }


def cached_chart(build):
    """Keep a chart's SVG in the cache under what it plots: pygal takes 5-30 ms a chart, and
    the data behind a dashboard changes far less often than it is read. The key is the data
    itself, so a change in the data can never show an old chart."""

    def cached(*data):
        return kept(("chart", build.__name__, data), lambda: build(*data), CHART_CACHE_SECONDS)

    return cached


def _svg(chart, chart_id: str, title: str, description: str) -> str:
    svg = chart.render(is_unicode=True)
    # pygal writes its settings into an inline script even without its JavaScript files.
    svg = re.sub(r"<script.*?</script>", "", svg, flags=re.S)
    # A style attribute would need 'unsafe-inline' in the Content-Security-Policy; SVG has a
    # presentation attribute for it. (The chart's <style> block gets the page's nonce.)
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')
    svg = re.sub(r"<title>.*?</title>", "", svg, count=1, flags=re.S)
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" ',
        1,
    )
    # One class attribute: a second is no XML, and a page's <img> shows no SVG that is none.
    svg = svg.replace('class="pygal-chart"', 'class="chart pygal-chart"', 1)
    # A function as the replacement: titles hold user text (area names), and a backslash or
    # `\g<0>` in a replacement string would be read as a group reference.
    labels = (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    svg = re.sub(r"(<svg[^>]*>)", lambda match: match.group(1) + labels, svg, count=1)
    return svg


def areas_chart(areas) -> str:
    return _areas_chart(tuple((a.name, a.distributed, a.outcome, a.left) for a in areas))


def axis_ticks(largest, count: int = 4) -> list[int]:
    """At most `count` + 1 round ticks (1, 2 or 5 times a power of ten) from 0 past `largest`,
    so that the axis labels have room and never run into each other."""
    largest = max(int(largest or 0), 1)
    step = 1
    while step * count < largest:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if step * count >= largest:
                break
    return [step * i for i in range(0, -(-largest // step) + 1)]


@cached_chart
def _areas_chart(rows) -> str:
    areas = [SimpleNamespace(name=n, distributed=d, outcome=o, left=lft) for n, d, o, lft in rows]
    largest = max((max(a.distributed, a.outcome, a.left) for a in areas), default=0)
    chart = pygal.HorizontalBar(
        **_config(
            # Room for each bar's value beside it: a value label is about 18 px high.
            height=max(260, 26 * len(areas) * (4 if any(a.left < 0 for a in areas) else 3) + 140),
            # Values at the end of each bar, not across short bars and the area names.
            print_values_position="top",
            y_labels=axis_ticks(largest),
        )
    )
    chart.x_labels = [a.name for a in areas]
    chart.add("Fördelat", [float(a.distributed) for a in areas])
    chart.add("Utfall", [float(a.outcome) for a in areas])
    # An overspent area has nothing left: no "0 mnkr" bar, but the overspending as its own.
    chart.add("Kvar av beslutat", [float(a.left) if a.left >= 0 else None for a in areas])
    if any(a.left < 0 for a in areas):
        chart.add("Överskridet", [float(-a.left) if a.left < 0 else None for a in areas])
    description = "; ".join(
        f"{a.name}: fördelat {mnkr(a.distributed)}, utfall {mnkr(a.outcome)}, "
        + (f"kvar {mnkr(a.left)}" if a.left >= 0 else f"överskridet med {mnkr(-a.left)}")
        for a in areas
    )
    return _svg(
        chart, "chart-areas", "Fördelat, utfall och kvar per utvecklingsområde", description
    )


def cumulative_chart(area, index: int) -> str:
    return _cumulative_chart(*cumulative_data(area, index))


def cumulative_data(area, index: int) -> tuple:
    """What a cumulative chart plots, as plain values: a page that shows the chart later
    (an image loaded when scrolled to) keeps these and draws it then (cumulative_svg)."""
    return (area.name, tuple(area.cumulative_budget()), tuple(area.cumulative_outcome()), index)


def cumulative_svg(data: tuple) -> str:
    """The cumulative chart of what cumulative_data kept."""
    return _cumulative_chart(*data)


def cumulative_text(area) -> tuple[str, str]:
    """The cumulative chart's title and description: inside its SVG, and the text of an
    <img> that shows it."""
    budget = area.cumulative_budget()[-1] if area.cumulative_budget() else 0
    outcome = area.cumulative_outcome()[-1] if area.cumulative_outcome() else 0
    return (
        f"Budget mot utfall per månad: {area.name}",
        f"Ackumulerat utfall per månad mot fördelad budget för {area.name}. "
        f"Helår: budget {mnkr(budget)}, utfall {mnkr(outcome)}.",
    )


@cached_chart
def _cumulative_chart(name, budget_by_month, outcome_by_month, index) -> str:
    area = SimpleNamespace(
        name=name,
        cumulative_budget=lambda: list(budget_by_month),
        cumulative_outcome=lambda: list(outcome_by_month),
    )
    chart = pygal.Line(**_config(height=CUMULATIVE_HEIGHT, print_values=False, dots_size=3))
    chart.x_labels = MONTHS
    chart.add(
        "Budget, ackumulerad",
        [float(v) for v in area.cumulative_budget()],
        stroke_style={"dasharray": "8, 5", "width": 3},
    )
    chart.add(
        "Utfall, ackumulerat",
        [float(v) for v in area.cumulative_outcome()],
        stroke_style={"width": 3},
    )
    return _svg(chart, f"chart-cum-{index}", *cumulative_text(area))


def years_chart(years_by_area, years) -> str:
    return _years_chart(
        tuple(sorted((name, tuple(sorted(v.items()))) for name, v in years_by_area.items())),
        tuple(sorted(years)),
    )


@cached_chart
def _years_chart(frozen_by_area, years) -> str:
    years_by_area = {name: dict(values) for name, values in frozen_by_area}
    years = sorted(years)
    names = sorted(years_by_area)
    chart = pygal.Bar(**_config())
    chart.x_labels = names
    for year in years:
        chart.add(str(year), [float(years_by_area[n].get(year, 0)) or None for n in names])
    description = "; ".join(
        f"{n}: "
        + ", ".join(f"{y} {mnkr(years_by_area[n][y])}" for y in years if y in years_by_area[n])
        for n in names
    )
    return _svg(chart, "chart-years", "Regionens tilldelning per område och år", description)


def summary_chart(dashboard) -> str:
    return _summary_chart(
        dashboard.year,
        (
            dashboard.received,
            dashboard.distributed,
            dashboard.outcome,
            dashboard.forecast,
            dashboard.unused,
        ),
    )


@cached_chart
def _summary_chart(year, values) -> str:
    dashboard = SimpleNamespace(year=year)
    chart = pygal.Bar(**_config(height=340, show_legend=False))
    labels = ["Mottaget", "Fördelat", "Utfall hittills", "Prognos", "Ej förbrukat"]
    chart.x_labels = labels
    chart.add("Belopp", [float(v) for v in values])
    description = "; ".join(
        f"{label}: {mnkr(value)}" for label, value in zip(labels, values, strict=True)
    )
    return _svg(chart, "chart-summary", f"Statsbidragen {dashboard.year} i mnkr", description)
