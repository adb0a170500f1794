"""Progress, expected progress and health at the edges."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from goals.models import Goal, GoalStatus, Milestone, MilestoneKind
from goals.progress import Health, Source, goal_progress

TODAY = date(2026, 6, 1)


def make_goal(**kwargs) -> Goal:
    defaults = {
        "title": "Deliver a 15-minute talk",
        "status": GoalStatus.ACTIVE,
        "starts_on": TODAY - timedelta(days=50),
        "target_date": TODAY + timedelta(days=50),
    }
    goal = Goal(**{**defaults, **kwargs})
    goal.milestones_total = goal.milestones_done = 0
    return goal


def metric(baseline, target, current, **kwargs) -> Goal:
    return make_goal(
        baseline_value=Decimal(baseline),
        target_value=Decimal(target),
        current_value=None if current is None else Decimal(current),
        **kwargs,
    )


def test_metric_progress_halfway_is_on_track_at_half_time():
    p = goal_progress(metric(0, 10, 5), today=TODAY)
    assert p.source == Source.METRIC
    assert p.percent == 50 and p.expected_percent == 50
    assert p.health == Health.ON_TRACK


def test_decreasing_metric_reduce_response_time():
    # "Reduce response time from 800 to 200 ms": at 500 ms half the way is done.
    p = goal_progress(metric(800, 200, 500), today=TODAY)
    assert p.fraction == pytest.approx(0.5)
    assert p.health == Health.ON_TRACK
    worse = goal_progress(metric(800, 200, 900), today=TODAY)
    assert worse.raw_percent < 0 and worse.percent == 0
    assert worse.health == Health.OFF_TRACK


def test_overshoot_is_clamped_for_bars_but_recognised():
    p = goal_progress(metric(0, 10, 13), today=TODAY)
    assert p.percent == 100
    assert p.raw_percent == 130
    assert p.overshoot
    assert p.health == Health.ON_TRACK
    faster = goal_progress(metric(800, 200, 150), today=TODAY)
    assert faster.overshoot and faster.percent == 100


def test_current_value_missing_counts_as_baseline():
    p = goal_progress(metric(0, 10, None), today=TODAY)
    assert p.fraction == 0


def test_behind_the_clock_is_at_risk_then_off_track():
    # Half the time gone: 35 % done is 15 points behind (at risk), 20 % is 30 behind (off).
    assert goal_progress(metric(0, 100, 35), today=TODAY).health == Health.AT_RISK
    assert goal_progress(metric(0, 100, 20), today=TODAY).health == Health.OFF_TRACK
    assert goal_progress(metric(0, 100, 42), today=TODAY).health == Health.ON_TRACK


def test_no_metric_uses_milestones_done():
    goal = make_goal()
    goal.milestones_total, goal.milestones_done = 4, 2
    p = goal_progress(goal, today=TODAY)
    assert p.source == Source.MILESTONES
    assert p.percent == 50
    assert p.health == Health.ON_TRACK


def test_no_metric_and_no_milestones_is_not_measured():
    p = goal_progress(make_goal(), today=TODAY)
    assert p.source == Source.NONE
    assert p.percent == 0
    assert p.health == Health.NOT_MEASURED


def test_past_target_date_not_reached_is_off_track():
    goal = metric(
        0, 10, 9, starts_on=TODAY - timedelta(days=100), target_date=TODAY - timedelta(days=1)
    )
    p = goal_progress(goal, today=TODAY)
    assert p.expected_percent == 100
    assert p.health == Health.OFF_TRACK


def test_past_target_date_reached_is_on_track():
    goal = metric(
        0, 10, 10, starts_on=TODAY - timedelta(days=100), target_date=TODAY - timedelta(days=1)
    )
    assert goal_progress(goal, today=TODAY).health == Health.ON_TRACK


def test_no_target_date_has_its_own_health():
    p = goal_progress(metric(0, 10, 3, target_date=None), today=TODAY)
    assert p.expected is None and p.expected_percent is None
    assert p.health == Health.NO_TARGET_DATE


def test_not_started_yet_expects_nothing():
    goal = metric(
        0, 10, 0, starts_on=TODAY + timedelta(days=3), target_date=TODAY + timedelta(days=30)
    )
    p = goal_progress(goal, today=TODAY)
    assert p.expected == 0
    assert p.health == Health.ON_TRACK


def test_completed_and_inactive_goals():
    done = goal_progress(make_goal(status=GoalStatus.COMPLETED), today=TODAY)
    assert done.health == Health.COMPLETED and done.percent == 100
    for status in (GoalStatus.DRAFT, GoalStatus.ON_HOLD, GoalStatus.ABANDONED):
        assert (
            goal_progress(metric(0, 10, 1, status=status), today=TODAY).health == Health.NOT_ACTIVE
        )


@pytest.mark.django_db
def test_action_steps_do_not_count_and_prefetched_milestones_need_no_query(
    goal, django_assert_num_queries
):
    goal.baseline_value = goal.target_value = None
    goal.save()
    Milestone.objects.create(goal=goal, title="a", completed_at=goal.created_at)
    Milestone.objects.create(goal=goal, title="b")
    Milestone.objects.create(goal=goal, title="weekly", kind=MilestoneKind.ACTION)
    fresh = Goal.objects.prefetch_related("milestones").get(pk=goal.pk)
    with django_assert_num_queries(0):
        p = fresh.progress
    assert (p.milestones_total, p.milestones_done, p.percent) == (2, 1, 50)
