"""The outcomes report's figures, against a program worked out by hand (report_world)."""

from datetime import date

import pytest

from mentorship.report import Cohort, program_report

from .report_world import TODAY, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program):
    return build(program)


def test_the_figures_of_the_whole_program(world):
    r = program_report(world.program, today=TODAY)
    # Mentees A-G: six were ever paired (all but F).
    assert (r.mentees, r.matched, r.match_rate) == (7, 6, 86)
    # Days to the first pairing: 10, 10, 20, 28, 30, 52: median (20 + 28) / 2.
    assert r.median_days_to_match == 24.0
    # Started pairings A-E (G was only proposed): A and E running, B, C and D closed.
    assert (r.pairings, r.running, r.closed) == (5, 2, 3)
    # Eight check-ins over 146 + 42 + 91 + 20 + 41 = 340 pair-days (11.33 pair-months).
    assert (r.meetings, r.pair_days, r.meetings_per_pair_month) == (8, 340, 0.71)
    # Active A and E; E has not met twice in its first month: one of two meets the rule.
    assert (r.active, r.below_rule, r.meeting_rule_met, r.meeting_rule_share) == (2, 1, 1, 50)
    # Closed after 42, 91 and 20 days; running for 146 and 41 so far.
    assert (r.median_closed_days, r.median_running_days) == (42.0, 93.5)
    # Ended (not completed) within 90 days: B (42) and D (20), both for the same reason.
    assert r.premature == 2
    assert r.premature_reasons == [("Mentor moved away", 2)]
    # Goals g1, g2, g4, g5, g7 (g3 private, g6 archived); g2 completed; progress of the
    # active ones 50, 10, 30, 0: median 20.
    assert (r.goals, r.goals_completed, r.goals_active, r.median_progress) == (5, 1, 4, 20.0)
    assert (r.health["on_track"], r.health["off_track"], r.health["at_risk"]) == (3, 1, 0)
    months = {row.key: row for row in r.months}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert [row.meetings for row in r.months] == [1, 2, 1, 1, 2, 1]
    assert [row.pairs for row in r.months] == [1, 2, 4, 3, 3, 3]
    assert months["2026-02"].meetings_per_pair == 1.0
    assert [row.goals_created for row in r.months] == [0, 2, 1, 0, 1, 1]
    assert [row.goals_completed for row in r.months] == [0, 0, 1, 0, 0, 0]
    assert months["2026-02"].health["on_track"] == 1
    assert months["2026-03"].health["off_track"] == 1
    assert r.surveys["pulse"]["count"] == 0 and r.surveys["close_out"]["count"] == 0


def test_a_cohort_counts_its_own_pairings_goals_and_mentees(world):
    """Pairings started in February and March 2026: B, C and D; the mentees who joined then,
    C and D; the goals of those pairings, g2 and g4."""
    r = program_report(
        world.program, cohort=Cohort.of_months(date(2026, 2, 1), date(2026, 3, 1)), today=TODAY
    )
    assert (r.mentees, r.matched, r.match_rate, r.median_days_to_match) == (2, 2, 100, 19.0)
    assert (r.pairings, r.running, r.closed) == (3, 0, 3)
    # 1 + 3 + 0 check-ins over 42 + 91 + 20 = 153 pair-days.
    assert (r.meetings, r.meetings_per_pair_month) == (4, 0.78)
    assert (r.active, r.meeting_rule_share) == (0, None)
    assert (r.median_closed_days, r.median_running_days) == (42.0, None)
    assert r.premature == 2
    assert (r.goals, r.goals_completed, r.goals_active, r.median_progress) == (2, 1, 1, 10.0)


def test_a_cohort_of_one_month(world):
    """Pairings started in May 2026: E only (41 days, no meeting, below the rule)."""
    r = program_report(
        world.program, cohort=Cohort.of_months(date(2026, 5, 1), date(2026, 5, 1)), today=TODAY
    )
    assert (r.pairings, r.running, r.active, r.below_rule, r.meeting_rule_share) == (1, 1, 1, 1, 0)
    assert (r.median_running_days, r.meetings, r.meetings_per_pair_month) == (41.0, 0, 0.0)
    # F joined in May and was never paired.
    assert (r.mentees, r.matched, r.match_rate) == (1, 0, 0)
    assert (r.goals, r.median_progress) == (1, 30.0)


def test_a_program_without_anyone(program):
    r = program_report(program, today=TODAY)
    assert (r.mentees, r.match_rate, r.pairings, r.meetings_per_pair_month) == (0, None, 0, None)
    assert (r.median_days_to_match, r.median_progress, r.meeting_rule_share) == (None, None, None)


def test_a_private_goal_is_never_counted(world):
    """As on the program dashboard (goals.selectors.program_shared_goals): an admin's figures
    leave out a goal its mentee keeps private, even in a count or a median."""
    from goals.models import Goal, Visibility

    Goal.objects.filter(program=world.program).update(visibility=Visibility.PRIVATE)
    r = program_report(world.program, today=TODAY)
    assert (r.goals, r.goals_completed, r.goals_active, r.median_progress) == (0, 0, 0, None)
    assert sum(r.health.values()) == 0
    assert sum(row.goals_created for row in r.months) == 0
