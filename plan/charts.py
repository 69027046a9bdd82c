"""The trend chart of an indicator: SVG with title and description, values printed on the
points, drawn by the app's one chart module (common.charts)."""

from decimal import Decimal

import pygal

from common.charts import _config, _svg, cached_chart
from common.money import format_number


def indicator_chart(summary, index: int = 0) -> str:
    """One line per party and group (women and men together), the target as a dashed line
    when it is a threshold. Empty when there is nothing to draw."""
    series = [s for s in summary.totals if s.values]
    if not series or summary.indicator.is_yes_no:
        return ""
    indicator = summary.indicator
    threshold = indicator.threshold if indicator.target_kind in ("at_least", "at_most") else None
    return _indicator_chart(
        indicator.name,
        indicator.unit,
        tuple((s.label, tuple(sorted(s.values.items()))) for s in series),
        threshold,
        index,
    )


def _number(value) -> str:
    """pygal hands back floats; show them as the short decimals they were."""
    return "" if value is None else format_number(Decimal(repr(round(value, 4))))


def _label(key):
    year, half = key
    return f"{year}" if not half else f"{year}:{half}"


@cached_chart
def _indicator_chart(name, unit, series, threshold, index) -> str:
    periods = sorted({key for _, values in series for key, _ in values})
    chart = pygal.Line(
        **_config(
            height=340,
            dots_size=4,
            value_formatter=_number,
        )
    )
    chart.x_labels = [_label(p) for p in periods]
    for label, values in series:
        by_period = dict(values)
        chart.add(label, [float(by_period[p]) if p in by_period else None for p in periods])
    if threshold is not None:
        chart.add(
            "Mål",
            [float(threshold)] * len(periods),
            stroke_style={"dasharray": "8, 5", "width": 2},
            show_dots=False,
        )
    suffix = f" {unit}" if unit else ""
    description = "; ".join(
        f"{label}: "
        + ", ".join(f"{_label(key)} {format_number(value)}{suffix}" for key, value in values)
        for label, values in series
    )
    if threshold is not None:
        description += f". Mål: {format_number(threshold)}{suffix}."
    return _svg(chart, f"chart-indicator-{index}", f"Utveckling: {name}", description)
