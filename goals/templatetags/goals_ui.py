"""What every goals page shows of a goal in a list, rendered in Python once per row: a
template partial included per row (with its translation tags and URL lookups) costs more
than the rest of a dashboard. The markup is the one the pages always had
(`goal-card`, `goal-progress`, `data-health`, ...); the texts are translated once per
language, the URLs reversed once per pattern.

In a template: `{% load goals_ui %}{% goal_card goal %}`, `{% goal_card goal summary_only=True %}`,
`{% goal_progress goal %}`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django import template
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from core.dates import written
from core.links import url_of
from goals.kinds import GoalStatus
from goals.progress import Health

register = template.Library()


def day(value, style: str = "date") -> str:
    """A date (or a datetime, in the current time zone) in one of core.dates.STYLES, as the
    `when` filter writes it; "c" gives the ISO form for datetime attributes."""
    if style == "c":
        if value is None:
            return ""
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = timezone.localtime(value)
        return value.isoformat()
    return written(value, style)


_CENT = Decimal("0.01")


def number(value) -> str:
    """What `value|floatformat:"-2"` writes for a stored decimal: no decimals when it is a
    whole number, else two (rounded half up)."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        return floatformat(value, "-2")
    places = Decimal(1) if value == value.to_integral_value() else _CENT
    text = f"{value.quantize(places, ROUND_HALF_UP):f}"
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # no "-0"
    return text.replace(".", get_format("DECIMAL_SEPARATOR")) if "." in text else text


class Texts:
    """The fixed strings of the goal card and progress bar, in one language."""

    def __init__(self):
        self.not_measured = gettext("Not measured yet")
        # Whole sentences, the percentage inside (%(percent)s is the number in bold, written
        # by `percent`: "45%", "45 %"), so each language orders and spaces them its own way.
        self.percent = gettext("%(value)s%%")
        self.beaten = gettext("%(percent)s: target beaten")
        self.of_the_way = gettext("%(percent)s of the way to the target")
        self.milestones = gettext("%(percent)s: %(done)s of %(total)s milestones")
        self.progress_of = gettext("Progress of %(title)s")
        self.expected_tick = gettext("Expected by now")
        self.expected = gettext("Expected by now: %(e)s%%")
        self.statuses = {value: str(label) for value, label in GoalStatus.choices}
        self.healths = {value: str(label) for value, label in Health.choices}


@cache
def _texts_in(language: str | None) -> Texts:
    return Texts()


def texts() -> Texts:
    return _texts_in(get_language())


_BAR = {
    Health.OFF_TRACK: " bg-danger",
    Health.AT_RISK: " bg-warning",
    Health.ON_TRACK: " bg-success",
    Health.COMPLETED: " bg-success",
}


def progress_html(goal, t: Texts | None = None) -> SafeString:
    """The progress bar and health badge of `goal` (its progress computed from what
    the selector loaded: no query)."""
    t = t or texts()
    p = goal.progress
    if p.source == "none":
        measure = t.not_measured
    else:
        percent = f"<strong>{t.percent % {'value': p.raw_percent}}</strong>"
        if p.source == "metric" and p.overshoot:
            measure = f'<span class="text-success">{t.beaten % {"percent": percent}}</span>'
        elif p.source == "metric":
            measure = t.of_the_way % {"percent": percent}
        else:
            measure = t.milestones % {
                "percent": percent,
                "done": p.milestones_done,
                "total": p.milestones_total,
            }
    expected = p.expected_percent
    tick = note = ""
    if expected is not None and p.health != Health.COMPLETED:
        tick = (
            f'<span class="goal-expected-tick" style="left: {expected}%" '
            f'title="{t.expected_tick}"></span>'
        )
        if p.health != Health.NOT_ACTIVE:
            note = (
                f'<div class="small text-body-secondary mt-1">{t.expected % {"e": expected}}</div>'
            )
    label = escape(t.progress_of % {"title": goal.title})
    return mark_safe(  # noqa: S308 - every value is escaped or ours
        '<div class="goal-progress">'
        '<div class="d-flex flex-wrap justify-content-between align-items-center gap-1 small '
        f'mb-1"><span>{measure}</span>'
        f'<span class="badge {p.health_badge} goal-health" data-health="{p.health}">'
        f"{t.healths[p.health]}</span></div>"
        f'<div class="progress goal-progress-bar" role="progressbar" aria-label="{label}" '
        f'aria-valuenow="{p.percent}" aria-valuemin="0" aria-valuemax="100">'
        f'<div class="progress-bar{_BAR.get(p.health, " bg-secondary")}" '
        f'style="width: {p.percent}%"></div>{tick}</div>{note}</div>'
    )


def card_html(goal, *, summary_only: bool = False, t: Texts | None = None) -> SafeString:
    """A goal in a list: title (a link to it), status, target date (unless summary_only),
    progress and health."""
    t = t or texts()
    status = ""
    if goal.status != GoalStatus.ACTIVE:
        status = f'<span class="badge text-bg-light border">{t.statuses[goal.status]}</span>'
    when = ""
    if goal.target_date and not summary_only:
        when = f'<time datetime="{goal.target_date:%Y-%m-%d}">{day(goal.target_date)}</time>'
    url = getattr(goal, "url", None) or url_of("goals:goal_detail", goal.uuid)
    return mark_safe(  # noqa: S308 - every value is escaped or ours
        '<div class="goal-card"><div class="d-flex flex-wrap justify-content-between gap-2 mb-1">'
        f'<a class="fw-semibold text-break user-text" href="{url}">{escape(goal.title)}</a>'
        f'<span class="small text-body-secondary text-nowrap">{status} {when}</span></div>'
        f"{progress_html(goal, t)}</div>"
    )


@register.simple_tag
def goal_card(goal, summary_only: bool = False) -> SafeString:
    return card_html(goal, summary_only=summary_only)


@register.simple_tag
def goal_progress(goal) -> SafeString:
    return progress_html(goal)


def _f1(value) -> str:
    # SVG coordinates: one decimal is a tenth of a pixel.
    return f"{value:.1f}"


_n = number


def chart_html(goal, chart, rows) -> SafeString:
    """The value-over-time chart (goals.charts.Chart) as a server-rendered SVG, with its
    table of values as the text alternative: no JavaScript, no inline styles (CSP)."""
    if chart is None:
        return mark_safe("")  # noqa: S308
    c = chart
    title = gettext("%(metric)s over time") % {"metric": goal.metric_name or gettext("value")}
    desc = gettext(
        "From %(start)s towards %(target)s; now %(now)s. The dashed line is the steady pace to "
        "the target date."
    ) % {
        "start": _n(goal.baseline_value),
        "target": _n(goal.target_value),
        "now": _n(goal.current_value),
    }
    ticks = format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#e9ecef" stroke-width="1"/>'
        '<text x="{3}" y="{1}" text-anchor="end" dominant-baseline="middle" fill="#6c757d">'
        "{4}</text>",
        ((c.plot_left, _f1(y), c.plot_right, c.plot_left - 6, label) for y, label in c.y_ticks),
    )
    today = ""
    if c.today_x is not None:
        today = format_html(
            '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#ced4da" stroke-width="1" '
            'stroke-dasharray="2 3"/>',
            _f1(c.today_x),
            c.plot_top,
            c.plot_bottom,
        )
    ideal = ""
    if c.ideal:
        ideal = format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#6c757d" stroke-width="2" '
            'stroke-dasharray="6 4"/>',
            *(_f1(v) for v in c.ideal),
        )
    circles = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="#0d6efd"><title>{}: {}</title></circle>',
        ((_f1(p.x), _f1(p.y), day(p.when), _n(p.value)) for p in c.actual),
    )
    table = format_html_join(
        "",
        '<tr><td>{}</td><td class="text-end">{}</td></tr>',
        ((day(u.occurred_on), _n(u.value)) for u in rows),
    )
    unit = format_html(" ({})", goal.unit) if goal.unit else ""
    target = ""
    if goal.target_date:
        target = format_html(
            '<tr><td>{} · {}</td><td class="text-end">{}</td></tr>',
            day(goal.target_date),
            gettext("target"),
            _n(goal.target_value),
        )
    return format_html(
        '<figure class="goal-chart mb-3"><svg viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet" '
        'font-family="system-ui, sans-serif" font-size="12">'
        '<title id="chart-title">{title}</title><desc id="chart-desc">{desc}</desc>'
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#adb5bd" stroke-width="1"/>'
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#adb5bd" stroke-width="1"/>'
        "{ticks}{today}{ideal}"
        '<polyline points="{points}" fill="none" stroke="#0d6efd" stroke-width="2.5" '
        'stroke-linejoin="round"/>{circles}'
        '<text x="{l}" y="{label_y}" fill="#6c757d">{start}</text>'
        '<text x="{r}" y="{label_y}" text-anchor="end" fill="#6c757d">{end}</text></svg>'
        '<figcaption class="small text-body-secondary">'
        '<span class="chart-key chart-key-actual" aria-hidden="true"></span> {yours} '
        '<span class="chart-key chart-key-ideal ms-3" aria-hidden="true"></span> {pace}'
        '<details class="mt-1"><summary>{as_table}</summary>'
        '<table class="table table-sm mt-1 mb-0"><thead><tr><th scope="col">{date}</th>'
        '<th scope="col" class="text-end">{metric}{unit}</th></tr></thead><tbody>'
        '<tr><td>{starts} · {start_word}</td><td class="text-end">{baseline}</td></tr>'
        "{table}{target}</tbody></table></details></figcaption></figure>",
        w=c.width,
        h=c.height,
        title=title,
        desc=desc,
        l=c.plot_left,
        r=c.plot_right,
        t=c.plot_top,
        b=c.plot_bottom,
        ticks=ticks,
        today=today,
        ideal=ideal,
        points=c.actual_points,
        circles=circles,
        label_y=c.height - 10,
        start=day(c.x_start),
        end=day(c.x_end),
        yours=gettext("%(name)s's values") % {"name": goal.mentee.display_name},
        pace=gettext("steady pace to the target"),
        as_table=gettext("The values as a table"),
        date=gettext("Date"),
        metric=goal.metric_name or gettext("Value"),
        unit=unit,
        starts=day(goal.starts_on),
        start_word=gettext("start"),
        baseline=_n(goal.baseline_value),
        table=table,
        target=target,
    )


@register.simple_tag
def goal_chart(goal, chart, rows) -> SafeString:
    return chart_html(goal, chart, rows)
