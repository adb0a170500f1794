"""The value-over-time chart of a goal, as coordinates for a server-rendered SVG
(goals.templatetags.goals_ui.chart_html). No JavaScript, no inline styles: the markup sets
SVG presentation attributes only.

Each value is plotted at the day it is for (`occurred_on`), not when it was typed in, so an
update logged late lands where it belongs. A day has one point: the last value logged for
it (the baseline on the start day counts as logged first). Several values on one day would
otherwise stack on one x and draw a vertical line; the table under the chart lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 32


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    when: date
    value: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    actual: list  # Points, starting at the baseline
    ideal: tuple | None  # (x1, y1, x2, y2) from the start at baseline to the target date
    today_x: float | None
    y_ticks: list  # (y, label)
    x_start: date
    x_end: date
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int

    @property
    def actual_points(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.actual)


def _fmt(value: Decimal) -> str:
    # In the active language's way (a decimal comma in German), without trailing zeros.
    return number_format(f"{value.normalize():f}")


def progress_chart(goal, updates, *, today: date | None = None) -> Chart | None:
    """`updates` in any order; those without a value are skipped. None without a metric."""
    if not goal.has_metric:
        return None
    today = today or timezone.localdate()
    valued = sorted(
        (u for u in updates if u.value is not None),
        key=lambda u: (u.occurred_on, u.created_at, u.pk or 0),
    )
    by_day = {goal.starts_on: goal.baseline_value}
    for u in valued:
        by_day[u.occurred_on] = u.value  # later ones of the same day replace earlier ones
    series = sorted(by_day.items())
    start = min(d for d, _ in series)
    end = max([d for d, _ in series] + [today] + ([goal.target_date] if goal.target_date else []))
    if end <= start:
        end = start + timedelta(days=1)
    values = [v for _, v in series] + [goal.target_value]
    low, high = min(values), max(values)
    if low == high:
        high = low + 1
    pad = (high - low) * Decimal("0.08")
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span_days = (end - start).days

    def x(d: date) -> float:
        return LEFT + plot_w * (d - start).days / span_days

    def y(v: Decimal) -> float:
        return TOP + plot_h * float((high - v) / (high - low))

    ideal = None
    if goal.target_date:
        ideal = (
            x(goal.starts_on),
            y(goal.baseline_value),
            x(goal.target_date),
            y(goal.target_value),
        )
    ticks = [(y(goal.baseline_value), _fmt(goal.baseline_value))]
    if abs(y(goal.target_value) - ticks[0][0]) > 12:
        ticks.append((y(goal.target_value), _fmt(goal.target_value)))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        actual=[Point(x(d), y(v), d, v) for d, v in series],
        ideal=ideal,
        today_x=x(today) if start <= today <= end else None,
        y_ticks=ticks,
        x_start=start,
        x_end=end,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
    )


# --- Bar charts (the program outcomes report) ------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # index into the chart's series (its name)
    value: float
    fill: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list  # Bars
    labels: list  # (x of the group's middle, label) under each group
    y_ticks: list  # (y, label)
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def _tick(value: float) -> str:
    return number_format(f"{value:g}")


def bar_chart(
    labels: list[str],
    series: list[list[float]],
    *,
    stacked: bool = False,
    colours: list[str] | None = None,
) -> BarChart:
    """Bars for each label (a month, say), one per series side by side, or `stacked` on each
    other, in the series' `colours`; the y axis from 0 to the highest bar (or stack), with a
    tick at the top and half way."""
    colours = colours or ["#0d6efd"] * len(series)
    count = len(labels)
    totals = [
        sum(s[i] for s in series) if stacked else max((s[i] for s in series), default=0)
        for i in range(count)
    ]
    top = max([*totals, 0]) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(count, 1)
    gap = group_w * 0.2
    bar_w = (group_w - gap) / (1 if stacked else max(len(series), 1))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    bars = []
    for i in range(count):
        left = LEFT + group_w * i + gap / 2
        base = 0.0
        for n, values in enumerate(series):
            value = values[i]
            if stacked:
                height = y(base) - y(base + value)
                bars.append(Bar(left, y(base + value), bar_w, height, n, value, colours[n]))
                base += value
            else:
                x = left + bar_w * n
                bars.append(Bar(x, y(value), bar_w, y(0) - y(value), n, value, colours[n]))
    ticks = [(y(0), "0"), (y(top / 2), _tick(round(top / 2, 2))), (y(top), _tick(round(top, 2)))]
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        bars=[b for b in bars if b.height > 0],
        labels=[(LEFT + group_w * (i + 0.5), label) for i, label in enumerate(labels)],
        y_ticks=ticks,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
    )
