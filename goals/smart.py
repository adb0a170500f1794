"""The SMART check: names what a goal still lacks. Guidance shown next to the form, never a
reason to refuse a save."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

# Openings that name a direction rather than a result.
VAGUE_OPENINGS = (
    "get better at",
    "get better",
    "be better at",
    "become better",
    "get good at",
    "be more",
    "improve",
    "work on",
    "work harder",
    "learn more",
    "learn about",
    "try to",
    "think about",
    "do more",
    "focus on",
)
MIN_TITLE_WORDS = 4
MIN_TITLE_CHARS = 15
MIN_REASON_CHARS = 15
# Further out than this, a goal is better split into a nearer one with milestones.
LONG_HORIZON_DAYS = 366

LETTERS = {
    "S": _("Specific"),
    "M": _("Measurable"),
    "A": _("Achievable"),
    "R": _("Relevant"),
    "T": _("Time-bound"),
}


@dataclass(frozen=True)
class Hint:
    letter: str
    code: str
    message: str


@dataclass(frozen=True)
class SmartReport:
    hints: list[Hint]

    @property
    def letters(self) -> list[tuple[str, str, bool]]:
        """(letter, name, satisfied) for each of S, M, A, R, T."""
        missing = {h.letter for h in self.hints}
        return [(letter, name, letter not in missing) for letter, name in LETTERS.items()]

    @property
    def is_smart(self) -> bool:
        return not self.hints

    @property
    def codes(self) -> set[str]:
        return {h.code for h in self.hints}


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    text = str(value).strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return parse_date(str(value).strip())
    except ValueError:
        return None


def _vague_opening(lowered_title: str) -> str:
    opening = next(o for o in VAGUE_OPENINGS if lowered_title.startswith(o))
    return opening[:1].upper() + opening[1:]


def smart_check(
    *,
    title: str = "",
    specific: str = "",
    metric_name: str = "",
    baseline_value=None,
    target_value=None,
    achievable: str = "",
    relevant: str = "",
    starts_on=None,
    target_date=None,
    today: date | None = None,
) -> SmartReport:
    today = today or timezone.localdate()
    title = (title or "").strip()
    hints: list[Hint] = []

    # Specific
    lowered = re.sub(r"\s+", " ", title.lower())
    if not title:
        hints.append(Hint("S", "no_title", _("Give the goal a title that names the result.")))
    elif len(title) < MIN_TITLE_CHARS or len(title.split()) < MIN_TITLE_WORDS:
        hints.append(
            Hint(
                "S",
                "vague_title",
                _(
                    "The title is short. Name the result and the audience, e.g. “Deliver a "
                    "15-minute presentation to stakeholders”."
                ),
            )
        )
    elif lowered.startswith(VAGUE_OPENINGS):
        hints.append(
            Hint(
                "S",
                "vague_title",
                _(
                    "“%(opening)s…” names a direction, not a result. Say what will be true "
                    "when you are done."
                )
                % {"opening": _vague_opening(lowered)},
            )
        )
    if not (specific or "").strip():
        hints.append(
            Hint("S", "no_specific", _("Describe exactly what you will do, for whom, where."))
        )

    # Measurable
    baseline, target = _decimal(baseline_value), _decimal(target_value)
    if not (metric_name or "").strip():
        hints.append(Hint("M", "no_metric", _("Name a metric you can count or measure.")))
    if baseline is None or target is None:
        hints.append(
            Hint(
                "M",
                "no_baseline_target",
                _("Give a starting value and a target so progress can be measured."),
            )
        )
    elif baseline == target:
        hints.append(
            Hint("M", "target_equals_baseline", _("The target is the same as the starting value."))
        )

    # Achievable, Relevant
    if len((achievable or "").strip()) < MIN_REASON_CHARS:
        hints.append(
            Hint(
                "A",
                "no_achievable",
                _("Say why it is within reach: time you have, support, what you did before."),
            )
        )
    if len((relevant or "").strip()) < MIN_REASON_CHARS:
        hints.append(
            Hint("R", "no_relevant", _("Say why it matters to you and your career right now."))
        )

    # Time-bound
    start, end = _date(starts_on) or today, _date(target_date)
    if end is None:
        hints.append(Hint("T", "no_target_date", _("Set a target date.")))
    elif end < today:
        hints.append(Hint("T", "date_in_past", _("The target date is in the past.")))
    elif end <= start:
        hints.append(Hint("T", "date_before_start", _("The target date is before the start.")))
    elif end - start > timedelta(days=LONG_HORIZON_DAYS):
        hints.append(
            Hint(
                "T",
                "far_horizon",
                _("More than a year away: add milestones, or set a nearer first goal."),
            )
        )
    return SmartReport(hints)


def smart_check_goal(goal, *, today: date | None = None) -> SmartReport:
    return smart_check(
        title=goal.title,
        specific=goal.specific,
        metric_name=goal.metric_name,
        baseline_value=goal.baseline_value,
        target_value=goal.target_value,
        achievable=goal.achievable,
        relevant=goal.relevant,
        starts_on=goal.starts_on,
        target_date=goal.target_date,
        today=today,
    )


def smart_check_data(data, *, today: date | None = None) -> SmartReport:
    """From raw form data (as the mentee types): lenient, never raises."""
    fields = (
        "title",
        "specific",
        "metric_name",
        "baseline_value",
        "target_value",
        "achievable",
        "relevant",
        "starts_on",
        "target_date",
    )
    values = {f: data.get(f) for f in fields}
    return smart_check(
        **{f: (None if v in (None, "") else v) for f, v in values.items()}, today=today
    )
