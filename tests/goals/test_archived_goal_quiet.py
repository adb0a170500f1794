"""An archived goal is kept (history, exports) but leaves every reminder, digest, figure and
the calendar feed, so that what people are told agrees with the lists they see.

Personas (tests/conftest.py): Mia (mentee) and Maria (mentor) in Northwind, run by Ada.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from api.services import calendar_feed_rotate
from goals import services as goal_services
from goals.models import GoalStatus, Visibility
from notifications import digests
from notifications.dispatch import milestone_reminders
from tests.factories import GoalFactory, MilestoneFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def everything_that_mentions(goal, *, client, admin, mentor, mentee) -> dict:
    now = timezone.now()
    week_ago = now - timedelta(days=7)
    # The reminder the day before the milestone is due, at 09:00 in Mia's zone (UTC).
    reminder_time = now.replace(hour=9, minute=5)
    reminders = [n.payload.get("goal") for n in milestone_reminders(reminder_time) if n.payload]
    feed = client.get(reverse("api:calendar_feed", args=[calendar_feed_rotate(user=mentee).secret]))
    events = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    [mentee_digest] = digests.compose_mentee(
        [mentee.pk], now=now, since={mentee.pk: week_ago}
    ).values()
    [mentor_digest] = digests.compose_mentor(
        [mentor.pk], now=now, since={mentor.pk: week_ago}
    ).values()
    [admin_digest] = digests.compose_admin([admin.pk], now=now, since={admin.pk: week_ago}).values()
    client.force_login(mentor)
    review_count = client.get(reverse("goals:mentor_dashboard")).context["dash"].review_count
    return {
        "reminders": [title for title in reminders if title == goal.title],
        "feed": [summary for summary in events if goal.title in summary or "Ship" in summary],
        "mentee_digest": str(mentee_digest).count(goal.title),
        "awaiting_review": sum(m["awaiting_review"] for m in mentor_digest["mentees"]),
        "review_queue": review_count,
        "goals_in_admin_health": sum(admin_digest["programs"][0]["health"].values()),
    }


def test_an_archived_goal_leaves_reminders_digests_figures_and_the_feed(
    client, program, admin, mentor, mentee, pairing
):
    today = timezone.now().date()
    goal = GoalFactory(
        mentee=mentee,
        program=program,
        pairing=pairing,
        title="Run the weekly team meeting",
        status=GoalStatus.ACTIVE,
        visibility=Visibility.MENTOR,
        starts_on=today - timedelta(days=30),
        target_date=date(today.year + 1, 6, 30),
    )
    MilestoneFactory(goal=goal, title="Ship the agenda template", due_on=today + timedelta(days=1))
    ProgressUpdateFactory(goal=goal, author=mentee, value=3)

    before = everything_that_mentions(
        goal, client=client, admin=admin, mentor=mentor, mentee=mentee
    )
    assert before["reminders"] == [goal.title]
    assert len(before["feed"]) == 2  # the milestone and the target date
    assert before["mentee_digest"] >= 1
    assert before["awaiting_review"] == before["review_queue"] == 1
    assert before["goals_in_admin_health"] == 1

    goal_services.goal_archive(goal=goal, by=mentee)

    after = everything_that_mentions(goal, client=client, admin=admin, mentor=mentor, mentee=mentee)
    assert after == {
        "reminders": [],
        "feed": [],
        "mentee_digest": 0,
        "awaiting_review": 0,
        "review_queue": 0,
        "goals_in_admin_health": 0,
    }
