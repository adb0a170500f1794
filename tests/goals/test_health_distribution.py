"""Goal health of a program's active goals, for its admins."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from goals.models import GoalStatus, Visibility
from goals.selectors import goal_health_distribution
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db


def test_counts_each_health_of_active_shared_goals_only(
    program, other_program, mentee, other_mentee
):
    today = date.today()
    start = today - timedelta(days=50)
    end = today + timedelta(days=50)
    common = {"program": program, "starts_on": start, "target_date": end}
    GoalFactory(mentee=mentee, current_value=5, **common)  # on track
    GoalFactory(mentee=mentee, current_value=3, **common)  # at risk
    GoalFactory(mentee=other_mentee, current_value=0, **common)  # off track
    # Private: never counted in a figure someone else sees.
    GoalFactory(mentee=other_mentee, current_value=0, visibility=Visibility.PRIVATE, **common)
    GoalFactory(mentee=other_mentee, current_value=1, target_date=None, program=program)
    GoalFactory(mentee=mentee, status=GoalStatus.DRAFT, **common)  # not active: left out
    GoalFactory(mentee=mentee, program=other_program)  # another program: left out
    dist = goal_health_distribution(program)
    assert dist.as_dict() == {
        "on_track": 1,
        "at_risk": 1,
        "off_track": 1,
        "no_target_date": 1,
        "not_measured": 0,
    }
    assert dist.total == 4
    assert [r.percent for r in dist.rows] == [25, 25, 25, 25, 0]


def test_program_dashboard_shows_the_distribution(client, program, admin, mentee):
    GoalFactory(mentee=mentee, program=program, current_value=5)
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="goal-health"' in html
    assert 'data-health="on_track"' in html and "1 active goal" in html
    assert reverse("goals:program_goals", args=[program.uuid]) in html
