"""The overdue-milestone reminder says "move the date with your mentor": its link opens the
page where the mentee moves the goal's dates, which only she may change."""

from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse

from notifications import dispatch
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import GoalFactory, MilestoneFactory

from .factories import pair, person


def test_the_overdue_reminder_links_to_where_the_date_is_moved(client, db):
    with time_machine.travel(datetime(2026, 11, 4, 9, 5, tzinfo=UTC), tick=False):
        mentor = person("maria@example.com", "Maria")
        mentee = person("mia@example.com", "Mia")
        pairing = pair(mentor, mentee, due=date(2026, 11, 20))
        goal = GoalFactory(
            mentee=mentee,
            pairing=pairing,
            program=pairing.program,
            starts_on=date(2026, 10, 1),
            target_date=date(2026, 12, 31),
        )
        MilestoneFactory(goal=goal, due_on=date(2026, 11, 3), title="Outline ready")
        dispatch.dispatch(enqueue=False)
        row = Notification.objects.get(kind=Kind.MILESTONE_OVERDUE)
        assert "move the date with your mentor" in row.body
        edit = reverse("goals:goal_edit", args=[goal.uuid])
        assert row.url.endswith(edit + "#id_target_date")
        client.force_login(mentee)
        page = client.get(edit)
        assert page.status_code == 200
        assert 'id="id_target_date"' in page.content.decode()
        # The mentor agrees the date with her; the page is hers (goals.policy).
        client.force_login(mentor)
        assert client.get(edit).status_code == 403
