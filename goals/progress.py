"""Goal progress, expected progress and health.

Progress is measured, never typed in:

1. With a metric (a baseline and a target), progress is (current - baseline) / (target -
   baseline). The sign takes care of decreasing metrics ("reduce response time from 800 to
   200 ms"): 500 ms is (500 - 800) / (200 - 800) = 50 %. Beyond the target the fraction goes
   above 1: shown as 100 % with the overshoot recognised.
2. Without a metric, progress is the share of milestones done (weekly action steps do not
   count: they recur and say nothing about distance to the goal).
3. Expected progress is the share of the time from `starts_on` to `target_date` that has
   passed. Health compares the two.

Nothing here queries the database when the goal carries the annotations `milestones_total`
and `milestones_done` (see `selectors.with_progress`) or has its milestones prefetched. The
functions read a goal's attributes and know nothing of the models (goals.models imports this
module, never the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import GoalStatus, MilestoneKind

# Behind the clock by more than this share of the whole goal: at risk; by more than the
# second: off track. Ten and twenty-five points are what mentoring programs commonly use for
# red/amber/green status.
AT_RISK_GAP = 0.10
OFF_TRACK_GAP = 0.25


class Health(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_TARGET_DATE = "no_target_date", _("No target date")
    NOT_MEASURED = "not_measured", _("Not measurable yet")
    COMPLETED = "completed", _("Completed")
    NOT_ACTIVE = "not_active", _("Not active")


# The health an active goal can have, in the order dashboards show them.
ACTIVE_HEALTHS = (
    Health.ON_TRACK,
    Health.AT_RISK,
    Health.OFF_TRACK,
    Health.NO_TARGET_DATE,
    Health.NOT_MEASURED,
)

HEALTH_BADGE = {
    Health.ON_TRACK: "text-bg-success",
    Health.AT_RISK: "text-bg-warning",
    Health.OFF_TRACK: "text-bg-danger",
    Health.NO_TARGET_DATE: "text-bg-secondary",
    Health.NOT_MEASURED: "text-bg-secondary",
    Health.COMPLETED: "text-bg-primary",
    Health.NOT_ACTIVE: "text-bg-light border",
}


class Source(models.TextChoices):
    METRIC = "metric", _("from the metric")
    MILESTONES = "milestones", _("from milestones done")
    NONE = "none", _("not measured")


@dataclass(frozen=True)
class Progress:
    fraction: float  # unclamped: above 1 when the target is overshot, below 0 when worse
    source: str
    expected: float | None  # share of the time elapsed, None without a target date
    health: str
    milestones_total: int = 0
    milestones_done: int = 0

    @property
    def percent(self) -> int:
        """For bars: 0 to 100."""
        return round(min(max(self.fraction, 0.0), 1.0) * 100)

    @property
    def raw_percent(self) -> int:
        """For text: may exceed 100 (overshoot) or go below 0 (moved away from the target)."""
        return round(self.fraction * 100)

    @property
    def overshoot(self) -> bool:
        return self.fraction > 1.0

    @property
    def expected_percent(self) -> int | None:
        return None if self.expected is None else round(self.expected * 100)

    @property
    def health_label(self) -> str:
        return Health(self.health).label

    @property
    def health_badge(self) -> str:
        return HEALTH_BADGE[Health(self.health)]

    @property
    def source_label(self) -> str:
        return Source(self.source).label


def metric_fraction(
    *, baseline: Decimal | None, target: Decimal | None, current: Decimal | None
) -> float | None:
    if baseline is None or target is None or target == baseline:
        return None
    value = baseline if current is None else current
    return float((value - baseline) / (target - baseline))


def expected_fraction(*, starts_on: date, target_date: date | None, today: date) -> float | None:
    if target_date is None:
        return None
    span = (target_date - starts_on).days
    if span <= 0:
        return 1.0
    return min(max((today - starts_on).days / span, 0.0), 1.0)


def _milestone_counts(goal) -> tuple[int, int]:
    total = getattr(goal, "milestones_total", None)
    done = getattr(goal, "milestones_done", None)
    if total is not None and done is not None:
        return total, done
    prefetched = getattr(goal, "_prefetched_objects_cache", {}).get("milestones")
    if prefetched is not None:
        items = [m for m in prefetched if m.kind == MilestoneKind.MILESTONE]
    else:
        # The related manager reads goal_id of each row: deferring it costs a query per row.
        milestones = goal.milestones.filter(kind=MilestoneKind.MILESTONE)
        items = list(milestones.only("goal", "completed_at"))
    return len(items), sum(1 for m in items if m.completed_at is not None)


def goal_progress(goal, *, today: date | None = None) -> Progress:
    today = today or timezone.localdate()
    total, done = _milestone_counts(goal)
    fraction = metric_fraction(
        baseline=goal.baseline_value, target=goal.target_value, current=goal.current_value
    )
    if fraction is not None:
        source = Source.METRIC
    elif total:
        source, fraction = Source.MILESTONES, done / total
    else:
        source, fraction = Source.NONE, 0.0
    expected = expected_fraction(
        starts_on=goal.starts_on, target_date=goal.target_date, today=today
    )

    if goal.status == GoalStatus.COMPLETED:
        health = Health.COMPLETED
        if source == Source.NONE:
            fraction = 1.0
    elif goal.status != GoalStatus.ACTIVE:
        health = Health.NOT_ACTIVE
    elif source == Source.NONE:
        health = Health.NOT_MEASURED
    elif fraction >= 1.0:
        health = Health.ON_TRACK
    elif goal.target_date is None:
        health = Health.NO_TARGET_DATE
    elif today > goal.target_date:
        health = Health.OFF_TRACK
    else:
        gap = expected - fraction
        if gap > OFF_TRACK_GAP:
            health = Health.OFF_TRACK
        elif gap > AT_RISK_GAP:
            health = Health.AT_RISK
        else:
            health = Health.ON_TRACK
    return Progress(
        fraction=fraction,
        source=source,
        expected=expected,
        health=health,
        milestones_total=total,
        milestones_done=done,
    )
