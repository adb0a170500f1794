"""Each page makes a fixed number of queries however much data there is: pinned at 5 and at
50 goals per mentee (the goal page also grows to 50 milestones, updates and comments)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import (
    Comment,
    Goal,
    Milestone,
    MilestoneKind,
    ProgressUpdate,
    StepCompletion,
    Visibility,
)
from goals.selectors import goal_health_distribution
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db

# Pinned counts. They include the signed-in user's row and the viewer's queries (the
# navigation's roles and the access rules from one query, the inbox badge from another); the
# session comes from the cache (cached_db sessions). A change here means a page's queries
# changed: look before updating the number.
EXPECTED = {
    # The weekly plan's ticks come with the milestones (goals.selectors.goal_milestones).
    "goal_detail_mentee": 8,
    "goal_detail_mentor": 8,
    "goal_detail_admin": 5,
    "goal_list": 4,
    # The first-steps checklists of new members, and the surveys waiting for the person: one
    # query more each on each dashboard.
    "mentee_dashboard": 8,
    "mentor_dashboard": 7,
    "mentor_mentees": 5,
    "review_queue": 5,
    "program_goals": 5,
    "milestone_edit": 4,
    "milestone_delete": 4,
    "comment_edit": 4,
    "comment_delete": 4,
    "goal_delete": 4,
}


def add_goals(*, mentee, mentor, program, pairing, count: int) -> None:
    today = date.today()
    for i in range(count):
        goal = GoalFactory(
            mentee=mentee,
            program=program,
            pairing=pairing,
            priority=1000 + i,
            visibility=Visibility.PROGRAM if i % 2 else Visibility.MENTOR,
            current_value=i % 10,
        )
        Milestone.objects.bulk_create(
            [
                Milestone(
                    goal=goal,
                    title=f"m{i}-a",
                    position=0,
                    due_on=today + timedelta(days=2),
                    completed_at=timezone.now(),
                ),
                Milestone(goal=goal, title=f"m{i}-b", position=1, due_on=today - timedelta(days=2)),
                Milestone(
                    goal=goal,
                    title=f"m{i}-c",
                    position=2,
                    due_on=today + timedelta(days=5),
                    kind=MilestoneKind.ACTION,
                ),
                # A step of every week of the plan, ticked off this week (the dashboard's
                # "This week" and the goal page's plan).
                Milestone(
                    goal=goal,
                    title=f"m{i}-d",
                    position=3,
                    kind=MilestoneKind.ACTION,
                    week_from=1,
                    repeats_until=today + timedelta(days=60),
                ),
            ]
        )
        step = goal.milestones.get(title=f"m{i}-d")
        StepCompletion.objects.create(
            step=step, week_start=today - timedelta(days=today.weekday()), done_by=mentee
        )
        update = ProgressUpdate.objects.create(goal=goal, author=mentee, value=1, note="n")
        ProgressUpdate.objects.create(
            goal=goal,
            author=mentee,
            value=2,
            note="acked",
            acknowledged_by=mentor,
            acknowledged_at=timezone.now(),
        )
        comment = Comment.objects.create(goal=goal, author=mentor, body="Nice", update=update)
        Comment.objects.create(goal=goal, author=mentee, body="Thanks", parent=comment)
        if i % 5 == 4:  # some archived goals: the goal list's Archived section grows too
            Goal.objects.filter(pk=goal.pk).update(archived_at=timezone.now())


def grow_focus_goal(goal, *, mentee, mentor, count: int) -> None:
    Milestone.objects.bulk_create(
        [
            Milestone(goal=goal, title=f"focus {i}", position=i, completed_at=None)
            for i in range(count)
        ]
    )
    today = date.today()
    steps = Milestone.objects.bulk_create(
        [
            Milestone(
                goal=goal,
                title=f"step {i}",
                kind=MilestoneKind.ACTION,
                position=i,
                week_from=1,
                week_to=1 + i % 3,
                repeats_until=today + timedelta(days=30) if i % 2 else None,
            )
            for i in range(count)
        ]
    )
    StepCompletion.objects.bulk_create(
        [
            StepCompletion(step=s, week_start=today - timedelta(days=today.weekday() + 7 * k))
            for s in steps
            for k in range(2)
        ]
    )
    updates = ProgressUpdate.objects.bulk_create(
        [ProgressUpdate(goal=goal, author=mentee, value=i, note=f"u{i}") for i in range(count)]
    )
    comments = Comment.objects.bulk_create(
        [Comment(goal=goal, author=mentor, body=f"c{i}", update=u) for i, u in enumerate(updates)]
    )
    # Threads: a reply to each comment, every other one edited, some deleted ones kept.
    now = timezone.now()
    Comment.objects.bulk_create(
        [
            Comment(
                goal=goal,
                author=mentee,
                body=f"r{i}",
                parent=c,
                edited_at=now if i % 2 else None,
            )
            for i, c in enumerate(comments)
        ]
    )
    Comment.objects.filter(pk__in=[c.pk for c in comments[1::3]]).update(body="", deleted_at=now)
    from goals.models import GoalEvent

    GoalEvent.objects.bulk_create(
        [GoalEvent(goal=goal, actor=mentee, action="edited", detail=f"e{i}") for i in range(count)]
    )


def count_queries(client, url) -> int:
    client.get(url)  # warm up: lazily created rows (e.g. preferences) are not the page's cost
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


PAGES = [
    (
        "goal_detail_mentee",
        "mentee",
        lambda w: reverse("goals:goal_detail", args=[w["focus"].uuid]),
    ),
    (
        "goal_detail_mentor",
        "mentor",
        lambda w: reverse("goals:goal_detail", args=[w["focus"].uuid]),
    ),
    ("goal_detail_admin", "admin", lambda w: reverse("goals:goal_detail", args=[w["focus"].uuid])),
    ("goal_list", "mentee", lambda w: reverse("goals:goal_list")),
    ("mentee_dashboard", "mentee", lambda w: reverse("goals:mentee_dashboard")),
    ("mentor_dashboard", "mentor", lambda w: reverse("goals:mentor_dashboard")),
    ("mentor_mentees", "mentor", lambda w: reverse("goals:mentor_mentees")),
    ("review_queue", "mentor", lambda w: reverse("goals:review_queue")),
    ("program_goals", "admin", lambda w: reverse("goals:program_goals", args=[w["program"].uuid])),
    (
        "milestone_edit",
        "mentee",
        lambda w: reverse("goals:milestone_edit", args=[w["focus"].milestones.first().uuid]),
    ),
    (
        "milestone_delete",
        "mentee",
        lambda w: reverse("goals:milestone_delete", args=[w["focus"].milestones.first().uuid]),
    ),
    (
        "comment_edit",
        "mentor",
        lambda w: reverse("goals:comment_edit", args=[w["focus"].comments.first().uuid]),
    ),
    (
        "comment_delete",
        "mentor",
        lambda w: reverse("goals:comment_delete", args=[w["focus"].comments.first().uuid]),
    ),
    ("goal_delete", "mentee", lambda w: reverse("goals:goal_delete", args=[w["draft"].uuid])),
]


@pytest.mark.parametrize("name, persona, url", PAGES, ids=[p[0] for p in PAGES])
def test_page_queries_do_not_grow_with_data(
    client,
    request,
    program,
    mentee,
    mentor,
    admin,
    pairing,
    name,
    persona,
    url,
    django_assert_num_queries,
):
    focus = GoalFactory(
        mentee=mentee, program=program, pairing=pairing, visibility=Visibility.MENTOR
    )
    draft = GoalFactory(mentee=mentee, program=program, status="draft")
    world = {"focus": focus, "program": program, "draft": draft}
    client.force_login(request.getfixturevalue(persona))
    add_goals(mentee=mentee, mentor=mentor, program=program, pairing=pairing, count=5)
    grow_focus_goal(focus, mentee=mentee, mentor=mentor, count=5)
    small = count_queries(client, url(world))

    add_goals(mentee=mentee, mentor=mentor, program=program, pairing=pairing, count=45)
    grow_focus_goal(focus, mentee=mentee, mentor=mentor, count=45)
    assert Goal.objects.filter(mentee=mentee).count() == 52
    address = url(world)
    client.get(address)
    with django_assert_num_queries(small):
        client.get(address)
    assert small == EXPECTED[name]


def test_health_distribution_takes_one_query(
    program, mentee, mentor, pairing, django_assert_num_queries
):
    add_goals(mentee=mentee, mentor=mentor, program=program, pairing=pairing, count=5)
    with django_assert_num_queries(1):
        small = goal_health_distribution(program)
    add_goals(mentee=mentee, mentor=mentor, program=program, pairing=pairing, count=45)
    with django_assert_num_queries(1):
        large = goal_health_distribution(program)
    # One goal in five is archived (add_goals): archived goals are left out of the figures.
    assert small.total == 4 and large.total == 40
    assert sum(large.as_dict().values()) == 40
